import Foundation
import Testing

extension AdminReaderTests {
    /// Issue 4 and issue 8 end to end: `cardgate init`, then `cardgate serve`, then every administrative step as a new
    /// `cardgate` process talking to the daemon, with virtual cards in the admin station's two readers; the history is
    /// checked afterwards.
    @Suite(.serialized) struct AdminCLITests {
        static let adminPIN = "482915"
        static let initialPIN = "735194"
        static let changedPIN = "650279"
        static let resetPIN = "918273"
        static let finalPIN = "264801"
        static let supervisorInitial = "573920"
        static let supervisorPIN = "839162"
        static let wrongPIN = "000111"

        /// Issue 8, acceptance 1: login, issue, PIN block and unblock, reset and forced change, revocation, clones,
        /// roles, collect and destroy, all through the daemon; every act recorded with the right actor.
        @Test func theWholeAdministrativeLifeOfACardRunsThroughTheDaemonAndIsRecorded() throws {
            let site = try AdminInstallation()
            defer { site.shutDown() }
            site.pins = [Self.adminPIN, Self.initialPIN, Self.changedPIN, Self.resetPIN, Self.finalPIN, Self.supervisorInitial, Self.supervisorPIN]
            let admin = try site.makeCard("admin")
            let op = try site.makeCard("op")
            let sup = try site.makeCard("sup")
            let spare = try site.makeCard("spare")
            let A = AdminInstallation.Slot.admin.reader
            func cg(_ words: [String], _ args: [String] = [], input: String = "", sourceLocation: SourceLocation = #_sourceLocation) throws -> AdminInstallation.Run {
                try site.cardgate(words, args, input: input, sourceLocation: sourceLocation)
            }
            /// `cardgate pin change` by the holder of the card in the subject reader.
            func pinChange(_ current: String, _ new: String, reader: String? = nil) throws -> AdminInstallation.Run {
                try cg(["pin", "change"], ["--pin-stdin"] + (reader.map { ["--reader", $0] } ?? []), input: "\(current)\n\(new)\n")
            }
            func issue(_ holder: String, _ pin: String, _ extra: [String] = []) throws -> AdminInstallation.Run {
                try cg(["card", "issue"], ["--operator", holder, "--pin-stdin"] + extra, input: pin + "\n")
            }

            // `cardgate init` is local: the administrator's card in the admin reader.
            try site.insert(admin.path, into: .admin)
            let initArguments = ["--reader", A, "--operator-id", "pa-001", "--name", "山田花子", "--role", "administrator"]
            // Without --pin-stdin and without a terminal, init refuses before creating anything.
            expectRefused(try cg(["init"], initArguments), "--pin-stdin")
            #expect(!FileManager.default.fileExists(atPath: site.folder.appendingPathComponent("secrets/pepper").path))
            let initialised = try cg(["init"], initArguments + ["--pin-stdin"], input: Self.adminPIN + "\n")
            try #require(initialised.status == 0, "\(initialised.output)")
            #expect(initialised.output.contains(admin.guid))
            for secret in ["secrets/pepper", "secrets/history-signing.key", "data/registry.sqlite", "data/cardgate.sqlite"] {
                let mode = try FileManager.default.attributesOfItem(atPath: site.folder.appendingPathComponent(secret).path)[.posixPermissions] as? Int
                #expect(mode == 0o600, "\(secret) has mode \(String(mode ?? 0, radix: 8))")
            }
            expectRefused(try cg(["init"], ["--reader", A, "--operator-id", "pa-002", "--name", "x", "--pin-stdin"], input: Self.adminPIN + "\n"),
                          "already initialised")

            try site.startDaemon()

            // Not logged in yet. A wrong PIN at login reports the attempts left; the right one opens the session.
            expectRefused(try cg(["operator", "list"]), "not logged in")
            expectRefused(try cg(["admin", "login"], ["--pin-stdin"], input: Self.wrongPIN + "\n"), "4 attempts left")
            let login = try cg(["admin", "login"], ["--pin-stdin"], input: Self.adminPIN + "\n")
            try #require(login.status == 0, "\(login.output)")
            #expect(login.output.contains("logged in as pa-001"), "\(login.output)")
            let status = try #require(try adminJSON(try cg(["admin", "status"], ["--json"])) as? [String: Any])
            #expect(status["operator"] as? String == "pa-001")
            #expect(status["card"] as? String == admin.guid)
            #expect(status["uid"] as? Int == Int(getuid()))
            #expect(Set(status["roles"] as? [String] ?? []) == ["administrator", "pin-admin"], "\(status)")

            // Operator records; bad input changes nothing.
            expectDone(try cg(["operator", "add", "op-0042"], ["--name", "佐藤一郎", "--role", "operator"]))
            expectDone(try cg(["operator", "add", "sup-01"], ["--name", "鈴木次郎", "--role", "supervisor"]))
            expectRefused(try cg(["operator", "add", "op-0042"], ["--name", "again"]), "already exists")
            expectRefused(try cg(["operator", "add", "x-1"], ["--name", "x", "--role", "wizard"]), "unknown role")
            expectRefused(try cg(["operator", "add", "x-2"], ["--name", "x", "--valid-to", "2027-02-30"]), "YYYY-MM-DD")
            let people = try #require(try adminJSON(try cg(["operator", "list"], ["--json"])) as? [[String: Any]])
            #expect(Set(people.compactMap { $0["id"] as? String }) == ["pa-001", "op-0042", "sup-01"])
            #expect(people.contains { $0["name"] as? String == "佐藤一郎" })

            // Issue the operator's card in the second reader; unknown operator, bad date, weak PIN and a second issue
            // are refused.
            try site.withCard(op.path) {
                expectRefused(try issue("nobody", Self.initialPIN), "nobody")
                expectRefused(try issue("op-0042", Self.initialPIN, ["--expires", "31/03/2029"]), "YYYY-MM-DD")
                expectRefused(try issue("op-0042", "123456"), "PIN")
                let issued = try issue("op-0042", Self.initialPIN, ["--expires", "2029-03-31"])
                try #require(issued.status == 0, "\(issued.output)")
                #expect(issued.output.contains(op.guid))
                expectRefused(try issue("sup-01", Self.supervisorInitial), "already bound to op-0042")
            }

            // A clone of the operator's card (same CHUID and certificate, another key) is refused at issue and at PIN
            // change.
            try site.withCard(op.path, clone: true) {
                expectRefused(try issue("sup-01", Self.supervisorInitial), "did not prove")
                expectRefused(try pinChange(Self.initialPIN, Self.changedPIN), "not-genuine")
            }
            let afterClone = try #require(try adminJSON(try cg(["card", "list"], ["--json"])) as? [[String: Any]])
            #expect(afterClone.count == 2, "nothing was issued to the clone: \(afterClone)")

            // Wrong PIN five times, each in a new process: the fifth blocks; the right PIN is then refused too.
            try site.withCard(op.path) {
                for remaining in [4, 3, 2, 1] {
                    expectRefused(try pinChange(Self.wrongPIN, Self.changedPIN), "\(remaining) attempt\(remaining == 1 ? "" : "s") left")
                }
                expectRefused(try pinChange(Self.wrongPIN, Self.changedPIN), "blocked")
                expectRefused(try pinChange(Self.initialPIN, Self.changedPIN), "blocked")
                let shown = try #require(try adminJSON(try cg(["card", "show", op.guid], ["--json"])) as? [String: Any])
                #expect((shown["pin"] as? [String: Any])?["blocked"] as? Bool == true, "\(shown)")

                // The PIN administrator unblocks; the holder changes the initial PIN (a weak one is refused).
                expectDone(try cg(["card", "unblock", op.guid]))
                expectRefused(try pinChange(Self.initialPIN, "123456"), "nothing was changed")
                expectDone(try pinChange(Self.initialPIN, Self.changedPIN))

                // On a terminal the new PIN is asked twice without echo; entries that differ change nothing.
                if FileManager.default.isExecutableFile(atPath: "/usr/bin/script") {
                    let typed = try site.cardgateOnTerminal(["card", "reset-pin", op.guid], lines: [Self.resetPIN, Self.finalPIN])
                    expectRefused(typed, "differ")
                    #expect(typed.output.contains("new initial PIN again"), "\(typed.output)")
                }

                // Reset by the PIN administrator: the old PIN no longer works, the new initial one must be changed.
                expectDone(try cg(["card", "reset-pin", op.guid, "--pin-stdin"], input: Self.resetPIN + "\n"))
                let reset = try #require(try adminJSON(try cg(["card", "show", op.guid], ["--json"])) as? [String: Any])
                #expect((reset["pin"] as? [String: Any])?["mustChange"] as? Bool == true, "\(reset)")
                expectRefused(try pinChange(Self.changedPIN, Self.finalPIN), "4 attempts left")
                expectDone(try pinChange(Self.resetPIN, Self.finalPIN))
            }

            // The supervisor's card: issued now, its initial PIN changed later at the admin reader.
            try site.withCard(sup.path) { expectDone(try issue("sup-01", Self.supervisorInitial)) }

            // Other people at the admin station. Pulling the card ends pa-001's session at once.
            try site.remove(from: .admin)
            expectRefused(try cg(["operator", "list"]), "not logged in", "ended")
            // A clone of the administrator's card cannot log in.
            try site.withCard(admin.path, in: .admin, clone: true) {
                expectRefused(try cg(["admin", "login"], ["--pin-stdin"], input: Self.adminPIN + "\n"), "not-genuine")
            }
            expectRefused(try cg(["operator", "list"]), "not logged in")
            // A plain operator cannot open an administrative session.
            try site.withCard(op.path, in: .admin) {
                expectRefused(try cg(["admin", "login"], ["--pin-stdin"], input: Self.finalPIN + "\n"), "no administrative role")
            }
            // The supervisor must first replace the initial PIN, then logs in, but may not issue cards or add operators.
            try site.insert(sup.path, into: .admin)
            expectRefused(try cg(["admin", "login"], ["--pin-stdin"], input: Self.supervisorInitial + "\n"), "initial PIN")
            expectDone(try pinChange(Self.supervisorInitial, Self.supervisorPIN, reader: A))
            let supLogin = try cg(["admin", "login"], ["--pin-stdin"], input: Self.supervisorPIN + "\n")
            try #require(supLogin.status == 0, "\(supLogin.output)")
            try site.withCard(spare.path) {
                expectRefused(try issue("op-0042", Self.initialPIN), "needs the pin-admin role")
            }
            expectRefused(try cg(["operator", "add", "x-3"], ["--name", "x"]), "needs the pin-admin role")
            let supervisorView = try #require(try adminJSON(try cg(["card", "list"], ["--json"])) as? [[String: Any]], "a supervisor may view cards")
            #expect(supervisorView.count == 3, "the spare card was not issued: \(supervisorView)")
            // Logout ends the session in the daemon.
            expectDone(try cg(["admin", "logout"]))
            expectRefused(try cg(["card", "list"]), "not logged in")
            try site.remove(from: .admin)

            // pa-001 again: revoke, then the card is refused everywhere, and cannot be issued again.
            try site.insert(admin.path, into: .admin)
            try site.login(pin: Self.adminPIN)
            expectRefused(try cg(["card", "revoke", op.guid], ["--reason", "misplaced"]), "--reason must be one of")
            expectDone(try cg(["card", "revoke", op.guid], ["--reason", "lost"]))
            try site.withCard(op.path) {
                expectRefused(try pinChange(Self.finalPIN, Self.changedPIN), "revoked")
                expectRefused(try issue("op-0042", Self.initialPIN), "cannot be issued again")
            }
            expectDone(try cg(["card", "collect", op.guid]))
            expectDone(try cg(["card", "destroy", op.guid]))
            let cards = try #require(try adminJSON(try cg(["card", "list"], ["--operator", "op-0042", "--json"])) as? [[String: Any]])
            #expect(cards.count == 1 && cards.first?["status"] as? String == "destroyed", "\(cards)")
            expectDone(try cg(["admin", "logout"]))
            expectRefused(try cg(["operator", "list"]), "not logged in")

            // SIGTERM: the daemon stops cleanly and never logged a PIN.
            #expect(site.stopDaemon() == 0, "\(site.daemonLog)")
            site.expectNoPIN(site.daemonLog)

            // The history: every step with the right actor, and the chain verifies.
            let events = try site.historyEvents()
            func has(_ kind: String, actor: String?, result: String = "success", card: String? = nil,
                     where extra: ([String: Any]) -> Bool = { _ in true }) -> Bool {
                hasEvent(events, kind, actor: actor, result: result, card: card, where: extra)
            }
            let login0 = "login uid:\(getuid())"
            #expect(has("system.init", actor: "pa-001"))
            #expect(has("admin.card.issued", actor: "pa-001", card: admin.guid))
            #expect(has("admin.session", actor: "pa-001") { eventDetail($0, "reason") == login0 })
            #expect(has("admin.operator", actor: "pa-001") { eventDetail($0, "record") == "op-0042" })
            #expect(has("admin.card.issued", actor: "pa-001", card: op.guid))
            #expect(has("auth.card.refused", actor: "pa-001", result: "denied", card: op.guid) { eventDetail($0, "reason") == "not-genuine" },
                    "the clone at issue")
            #expect(has("auth.card.refused", actor: "op-0042", result: "denied", card: op.guid) { eventDetail($0, "reason") == "not-genuine" },
                    "the clone at PIN change")
            #expect(has("auth.card.refused", actor: "pa-001", result: "denied", card: admin.guid) { eventDetail($0, "reason") == "not-genuine" },
                    "the clone at login, with the same code as at issue and PIN change")
            #expect(has("admin.session", actor: "op-0042", result: "denied") { eventDetail($0, "reason") == "no-administrative-role" })
            #expect(has("auth.pin.failed", actor: "pa-001", result: "failure", card: admin.guid) { eventDetail($0, "retriesLeft") == "4" })
            #expect(has("auth.pin.failed", actor: "op-0042", result: "failure", card: op.guid) { eventDetail($0, "retriesLeft") == "0" })
            #expect(has("auth.pin.locked", actor: "op-0042", result: "failure", card: op.guid))
            #expect(has("auth.pin.unblocked", actor: "pa-001", card: op.guid))
            #expect(has("auth.pin.reset", actor: "pa-001", card: op.guid))
            // A PIN change is recorded as done only when it is made: two of the holder's changes took effect (initial →
            // changed, reset → final); the wrong current PINs are recorded as such, never as a change.
            let changes = events.filter { $0["kind"] as? String == "auth.pin.changed" && $0["card"] as? String == op.guid }
            #expect(changes.count == 2 && changes.allSatisfy { $0["result"] as? String == "success" }, "\(changes)")
            #expect(changes.allSatisfy { $0["actor"] as? String == "op-0042" })
            #expect(has("auth.pin.changed", actor: "sup-01", card: sup.guid))
            #expect(has("admin.session", actor: "sup-01") { eventDetail($0, "reason") == login0 })
            #expect(has("admin.card.issued", actor: "sup-01", result: "denied"))
            #expect(has("admin.operator", actor: "sup-01", result: "denied"))
            #expect(has("admin.card.status", actor: "pa-001", card: op.guid) { eventDetail($0, "reason") == "revoked: lost" })
            #expect(has("admin.card.status", actor: "pa-001", card: op.guid) { eventDetail($0, "reason") == "collected" })
            #expect(has("admin.card.status", actor: "pa-001", card: op.guid) { eventDetail($0, "reason") == "destroyed" })
            #expect(has("admin.session", actor: "pa-001") { eventDetail($0, "reason") == "ended: card-removed" })
            #expect(has("admin.session", actor: "sup-01") { eventDetail($0, "reason") == "ended: logout" })
            #expect(has("admin.session", actor: "pa-001") { eventDetail($0, "reason") == "ended: logout" })
            #expect(has("system.stop", actor: nil))
            // The unblock is recorded before it takes effect, after the lock it lifts.
            let unblockIndex = events.firstIndex { $0["kind"] as? String == "auth.pin.unblocked" }
            let lockIndex = events.firstIndex { $0["kind"] as? String == "auth.pin.locked" }
            #expect(unblockIndex != nil && lockIndex != nil && lockIndex! < unblockIndex!)

            // The stopped daemon signed a last checkpoint at shutdown and wrote it to the site's witness file: every
            // event is witnessed, so verify answers 0 (2 would mean a tail no witnessed checkpoint covers).
            let verified = try cg(["history", "verify"])
            #expect(verified.status == 0, "\(verified.output)")
            #expect(verified.output.contains("intact"), "\(verified.output)")
        }

        /// Issue 8, acceptance 6: the production `cardgate` has no command that appends an arbitrary event to the
        /// history; trying changes nothing.
        @Test func theProductionCommandCannotAppendAnArbitraryEvent() throws {
            let site = try AdminInstallation()
            defer { site.shutDown() }
            let admin = try site.makeCard("admin")
            try site.initialise(admin.path, pin: Self.adminPIN)
            try site.remove(from: .admin)

            let help = try site.cardgate(["history", "--help"])
            #expect(help.status == 0, "\(help.output)")
            #expect(help.output.contains("verify"), "the help lists the history commands: \(help.output)")
            #expect(!help.output.contains("append"), "\(help.output)")

            let before = try site.lastSequence()
            let forged = try site.cardgate(["history", "append"], ["--kind", "admin.session", "--actor", "pa-001", "--reason", "forged-login"])
            #expect(forged.status != 0, "cardgate history append must not exist: \(forged.output)")
            #expect(try site.lastSequence() == before, "the history changed")
            #expect(try !site.historyEvents().contains { eventDetail($0, "reason") == "forged-login" })
        }
    }
}
