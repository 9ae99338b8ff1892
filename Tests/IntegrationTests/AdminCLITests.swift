import Foundation
import Testing

extension AdminReaderTests {
    /// Issue 4 end to end: `cardgate init`, `admin login`, card issue, PIN block and unblock, reset and
    /// self-service change, revocation, clones and roles, through the real pcscd with virtual cards, each step
    /// a new `cardgate` process, and the history checked afterwards.
    ///
    /// Uses only "CardGate Admin 00 00" (vpcd 35963) and "CardGate Admin 00 01" (vpcd 35964).
    @Suite(.serialized) struct AdminCLITests {
        typealias Run = (status: Int32, output: String)

        static let adminPIN = "482915"
        static let initialPIN = "735194"
        static let changedPIN = "650279"
        static let resetPIN = "918273"
        static let finalPIN = "264801"
        static let supervisorInitial = "573920"
        static let supervisorPIN = "839162"
        static let allPINs = [adminPIN, initialPIN, changedPIN, resetPIN, finalPIN, supervisorInitial, supervisorPIN]

        /// Every output is checked for PINs: none may ever be printed.
        func checked(_ run: Run, _ comment: Comment? = nil) -> Run {
            for pin in Self.allPINs {
                #expect(!run.output.contains(pin), "a PIN appeared in the output: \(run.output)")
            }
            return run
        }

        func expectRefused(_ run: Run, _ needle: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(run.status != 0, "expected a refusal containing \"\(needle)\": \(run.output)", sourceLocation: sourceLocation)
            #expect(run.output.contains(needle), "expected \"\(needle)\" in: \(run.output)", sourceLocation: sourceLocation)
        }

        @Test func theWholeAdministrativeLifeOfACardIsEnforcedAndRecorded() throws {
            let site = try AdminInstallation()
            let A = AdminInstallation.readerA
            let B = AdminInstallation.readerB
            let admin = try site.makeCard("admin")
            let op = try site.makeCard("op")
            let sup = try site.makeCard("sup")
            let spare = try site.makeCard("spare")
            func cg(_ words: [String], _ args: [String] = [], input: String = "", as person: String = "pa-001") throws -> Run {
                checked(try site.cardgate(words, args, input: input, as: person))
            }

            // The PIN administrator's card stays in reader B for the whole test.
            try site.withCard(admin.path, reader: B, port: AdminInstallation.portB) {
                // Without --pin-stdin and without a terminal, init refuses before creating anything.
                expectRefused(try cg(["init"], ["--reader", B, "--operator-id", "pa-001", "--name", "山田花子"]), "--pin-stdin")
                #expect(!FileManager.default.fileExists(atPath: site.folder.appendingPathComponent("secrets/pepper").path))

                let initialised = try cg(["init"], ["--reader", B, "--operator-id", "pa-001", "--name", "山田花子", "--pin-stdin"],
                                         input: Self.adminPIN + "\n")
                try #require(initialised.status == 0, "\(initialised.output)")
                #expect(initialised.output.contains(admin.guid))
                for secret in ["secrets/pepper", "secrets/history-signing.key", "data/registry.sqlite", "data/history.sqlite"] {
                    let mode = try FileManager.default.attributesOfItem(atPath: site.folder.appendingPathComponent(secret).path)[.posixPermissions] as? Int
                    #expect(mode == 0o600, "\(secret) has mode \(String(mode ?? 0, radix: 8))")
                }
                expectRefused(try cg(["init"], ["--reader", B, "--operator-id", "pa-002", "--name", "x", "--pin-stdin"], input: Self.adminPIN + "\n"),
                              "already initialised")

                // Not logged in yet.
                expectRefused(try cg(["operator", "list"]), "not logged in")
                // A wrong PIN at login reports the attempts left; the right one opens the session.
                expectRefused(try cg(["admin", "login"], ["--reader", B, "--pin-stdin"], input: "000111\n"), "4 attempts left")
                let login = try cg(["admin", "login"], ["--reader", B, "--pin-stdin"], input: Self.adminPIN + "\n")
                try #require(login.status == 0, "\(login.output)")
                let mode = try FileManager.default.attributesOfItem(atPath: site.sessionFile("pa-001"))[.posixPermissions] as? Int
                #expect(mode == 0o600)

                // Operator records; bad input changes nothing.
                try #require(try cg(["operator", "add", "op-0042"], ["--name", "佐藤一郎", "--role", "operator"]).status == 0)
                try #require(try cg(["operator", "add", "sup-01"], ["--name", "鈴木次郎", "--role", "supervisor"]).status == 0)
                expectRefused(try cg(["operator", "add", "op-0042"], ["--name", "again"]), "already exists")
                expectRefused(try cg(["operator", "add", "x-1"], ["--name", "x", "--role", "wizard"]), "unknown role")
                expectRefused(try cg(["operator", "add", "x-2"], ["--name", "x", "--valid-to", "2027-02-30"]), "YYYY-MM-DD")
                let listed = try cg(["operator", "list"], ["--json"])
                let people = try #require(try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]])
                #expect(Set(people.compactMap { $0["id"] as? String }) == ["pa-001", "op-0042", "sup-01"])
                #expect(people.contains { $0["name"] as? String == "佐藤一郎" })

                // Issue the operator's card (reader A); unknown operator, bad date and a second issue are refused.
                try site.withCard(op.path) {
                    expectRefused(try cg(["card", "issue"], ["--operator", "nobody", "--reader", A, "--pin-stdin"], input: Self.initialPIN + "\n"), "nobody")
                    expectRefused(try cg(["card", "issue"], ["--operator", "op-0042", "--reader", A, "--expires", "31/03/2029", "--pin-stdin"],
                                         input: Self.initialPIN + "\n"), "YYYY-MM-DD")
                    expectRefused(try cg(["card", "issue"], ["--operator", "op-0042", "--reader", A, "--pin-stdin"], input: "123456\n"), "PIN")
                    let issued = try cg(["card", "issue"], ["--operator", "op-0042", "--reader", A, "--expires", "2029-03-31", "--pin-stdin"],
                                        input: Self.initialPIN + "\n")
                    try #require(issued.status == 0, "\(issued.output)")
                    #expect(issued.output.contains(op.guid))
                    expectRefused(try cg(["card", "issue"], ["--operator", "sup-01", "--reader", A, "--pin-stdin"], input: Self.supervisorInitial + "\n"),
                                  "already bound to op-0042")
                    // A plain operator cannot open an administrative session.
                    expectRefused(try cg(["admin", "login"], ["--reader", A, "--pin-stdin"], input: Self.initialPIN + "\n", as: "op-0042"),
                                  "no administrative role")
                }

                // A clone of the operator's card (same CHUID and certificate, another key) is refused at issue
                // and at PIN change; a clone of the administrator's card is refused at login.
                try site.withCard(op.path, clone: true) {
                    expectRefused(try cg(["card", "issue"], ["--operator", "sup-01", "--reader", A, "--pin-stdin"], input: Self.supervisorInitial + "\n"),
                                  "refused")
                    expectRefused(try cg(["pin", "change"], ["--reader", A, "--pin-stdin"], input: "\(Self.initialPIN)\n\(Self.changedPIN)\n", as: "op-0042"),
                                  "pinned key")
                }
                try site.withCard(admin.path, clone: true) {
                    expectRefused(try cg(["admin", "login"], ["--reader", A, "--pin-stdin"], input: Self.adminPIN + "\n", as: "clone"),
                                  "pinned key")
                    #expect(!FileManager.default.fileExists(atPath: site.sessionFile("clone")))
                }

                // Wrong PIN five times, each in a new process: the fifth blocks; the right PIN is then refused too.
                try site.withCard(op.path) {
                    for remaining in [4, 3, 2, 1] {
                        expectRefused(try cg(["pin", "change"], ["--reader", A, "--pin-stdin"], input: "000111\n\(Self.changedPIN)\n", as: "op-0042"),
                                      "\(remaining) attempt\(remaining == 1 ? "" : "s") left")
                    }
                    expectRefused(try cg(["pin", "change"], ["--reader", A, "--pin-stdin"], input: "000111\n\(Self.changedPIN)\n", as: "op-0042"),
                                  "blocked")
                    expectRefused(try cg(["pin", "change"], ["--reader", A, "--pin-stdin"], input: "\(Self.initialPIN)\n\(Self.changedPIN)\n", as: "op-0042"),
                                  "blocked")
                    let shown = try cg(["card", "show", op.guid], ["--json"])
                    let object = try #require(try JSONSerialization.jsonObject(with: Data(shown.output.utf8)) as? [String: Any])
                    #expect((object["pin"] as? [String: Any])?["blocked"] as? Bool == true, "\(shown.output)")

                    // The PIN administrator unblocks; the holder changes the initial PIN (a weak one is refused).
                    try #require(try cg(["card", "unblock", op.guid]).status == 0)
                    expectRefused(try cg(["pin", "change"], ["--reader", A, "--pin-stdin"], input: "\(Self.initialPIN)\n123456\n", as: "op-0042"),
                                  "nothing was changed")
                    let changed = try cg(["pin", "change"], ["--reader", A, "--pin-stdin"], input: "\(Self.initialPIN)\n\(Self.changedPIN)\n", as: "op-0042")
                    #expect(changed.status == 0, "\(changed.output)")

                    // On a terminal the new PIN is asked twice without echo; entries that differ change nothing.
                    if FileManager.default.isExecutableFile(atPath: "/usr/bin/script") {
                        let typed = checked(try site.cardgateOnTerminal(["card", "reset-pin", op.guid], lines: [Self.resetPIN, Self.finalPIN]))
                        expectRefused(typed, "differ")
                        #expect(typed.output.contains("new initial PIN again"), "\(typed.output)")
                    }

                    // Reset by the PIN administrator: the old PIN no longer works, the new initial one must be changed.
                    try #require(try cg(["card", "reset-pin", op.guid, "--pin-stdin"], input: Self.resetPIN + "\n").status == 0)
                    expectRefused(try cg(["pin", "change"], ["--reader", A, "--pin-stdin"], input: "\(Self.changedPIN)\n\(Self.finalPIN)\n", as: "op-0042"),
                                  "4 attempts left")
                    let afterReset = try cg(["pin", "change"], ["--reader", A, "--pin-stdin"], input: "\(Self.resetPIN)\n\(Self.finalPIN)\n", as: "op-0042")
                    #expect(afterReset.status == 0, "\(afterReset.output)")
                }

                // A supervisor gets a card and logs in, but may not issue cards or add operators.
                try site.withCard(sup.path) {
                    try #require(try cg(["card", "issue"], ["--operator", "sup-01", "--reader", A, "--pin-stdin"], input: Self.supervisorInitial + "\n").status == 0)
                    expectRefused(try cg(["admin", "login"], ["--reader", A, "--pin-stdin"], input: Self.supervisorInitial + "\n", as: "sup-01"),
                                  "initial PIN")
                    try #require(try cg(["pin", "change"], ["--reader", A, "--pin-stdin"],
                                        input: "\(Self.supervisorInitial)\n\(Self.supervisorPIN)\n", as: "sup-01").status == 0)
                    let supLogin = try cg(["admin", "login"], ["--reader", A, "--pin-stdin"], input: Self.supervisorPIN + "\n", as: "sup-01")
                    try #require(supLogin.status == 0, "\(supLogin.output)")
                }
                try site.withCard(spare.path) {
                    expectRefused(try cg(["card", "issue"], ["--operator", "op-0042", "--reader", A, "--pin-stdin"], input: Self.initialPIN + "\n", as: "sup-01"),
                                  "needs the pin-admin role")
                }
                expectRefused(try cg(["operator", "add", "x-3"], ["--name", "x"], as: "sup-01"), "needs the pin-admin role")
                #expect(try cg(["card", "list"], ["--json"], as: "sup-01").status == 0, "a supervisor may view cards")

                // Revoke, then the card is refused everywhere, and cannot be issued again.
                expectRefused(try cg(["card", "revoke", op.guid], ["--reason", "misplaced"]), "--reason must be one of")
                try #require(try cg(["card", "revoke", op.guid], ["--reason", "lost"]).status == 0)
                try site.withCard(op.path) {
                    expectRefused(try cg(["pin", "change"], ["--reader", A, "--pin-stdin"], input: "\(Self.finalPIN)\n\(Self.changedPIN)\n", as: "op-0042"),
                                  "revoked")
                    expectRefused(try cg(["card", "issue"], ["--operator", "op-0042", "--reader", A, "--pin-stdin"], input: Self.initialPIN + "\n"),
                                  "cannot be issued again")
                }
                try #require(try cg(["card", "collect", op.guid]).status == 0)
                try #require(try cg(["card", "destroy", op.guid]).status == 0)
                let listedCards = try cg(["card", "list"], ["--json"])
                #expect(listedCards.output.contains("destroyed"), "\(listedCards.output)")

                // Logout ends the session server-side.
                try #require(try cg(["admin", "logout"]).status == 0)
                expectRefused(try cg(["operator", "list"]), "not logged in")
            }

            // The history: every step with the right actor, and the chain verifies.
            let events = try site.historyEvents()
            func has(_ kind: String, actor: String, result: String = "success", card: String? = nil, where extra: ([String: Any]) -> Bool = { _ in true }) -> Bool {
                events.contains { e in
                    e["kind"] as? String == kind && e["actor"] as? String == actor && e["result"] as? String == result
                        && (card == nil || e["card"] as? String == card) && extra(e)
                }
            }
            func detail(_ e: [String: Any], _ key: String) -> String? { (e["details"] as? [String: Any])?[key].map { "\($0)" } }
            #expect(has("system.init", actor: "pa-001"))
            #expect(has("admin.card.issued", actor: "pa-001", card: admin.guid))
            #expect(has("admin.session", actor: "pa-001") { detail($0, "reason") == "login" })
            #expect(has("admin.operator", actor: "pa-001") { detail($0, "record") == "op-0042" })
            #expect(has("admin.card.issued", actor: "pa-001", card: op.guid))
            #expect(has("auth.card.refused", actor: "pa-001", result: "denied", card: op.guid) { detail($0, "reason") == "clone" })
            #expect(has("auth.card.refused", actor: "pa-001", result: "denied", card: admin.guid) { detail($0, "reason") == "clone" })
            #expect(has("admin.session", actor: "op-0042", result: "denied"))
            #expect(has("auth.pin.failed", actor: "op-0042", result: "failure", card: op.guid) { detail($0, "retriesLeft") == "0" })
            #expect(has("auth.pin.locked", actor: "op-0042", result: "failure", card: op.guid))
            #expect(has("auth.pin.unblocked", actor: "pa-001", card: op.guid))
            #expect(has("auth.pin.changed", actor: "op-0042", card: op.guid))
            #expect(has("auth.pin.reset", actor: "pa-001", card: op.guid))
            #expect(has("admin.session", actor: "sup-01") { detail($0, "reason") == "login" })
            #expect(has("admin.card.issued", actor: "sup-01", result: "denied"))
            #expect(has("admin.card.status", actor: "pa-001", card: op.guid) { detail($0, "reason") == "revoked: lost" })
            #expect(has("admin.card.status", actor: "pa-001", card: op.guid) { detail($0, "reason") == "destroyed" })
            #expect(has("admin.session", actor: "pa-001") { detail($0, "reason") == "logout" })
            // The unblock is recorded before it takes effect: its event precedes the successful PIN change.
            let unblockIndex = events.firstIndex { $0["kind"] as? String == "auth.pin.unblocked" }
            let lockIndex = events.firstIndex { $0["kind"] as? String == "auth.pin.locked" }
            #expect(unblockIndex != nil && lockIndex != nil && lockIndex! < unblockIndex!)

            let verified = try cg(["history", "verify"])
            #expect(verified.status == 0, "\(verified.output)")
            #expect(verified.output.contains("intact"), "\(verified.output)")
        }
    }
}
