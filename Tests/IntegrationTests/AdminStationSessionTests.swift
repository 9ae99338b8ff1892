import Foundation
import Testing

extension AdminReaderTests {
    /// Issue 8: the administrative session lives in the daemon, bound to the card staying in the admin reader and to
    /// the uid that opened it.
    @Suite(.serialized) struct AdminStationSessionTests {
        static let adminPIN = "482915"
        static let secondPIN = "593017"
        static let initialPIN = "735194"
        static let wrongPIN = "000111"
        /// A uid and a group with no account on the machine: the kernel reports the numbers to the daemon.
        static let otherUID: UInt32 = 1001
        static let adminGID: UInt32 = 4242

        /// Acceptance 2: pulling the administrator's card ends the session at once; the next command is refused, the
        /// end is recorded as `ended: card-removed`, and putting the card back does not bring the session back.
        @Test func pullingTheAdministratorsCardEndsTheSession() throws {
            let site = try AdminInstallation()
            defer { site.shutDown() }
            let admin = try site.makeCard("admin")
            try site.initialise(admin.path, pin: Self.adminPIN)
            try site.startDaemon()
            try site.login(pin: Self.adminPIN)
            expectDone(try site.cardgate(["operator", "list"]))
            expectDone(try site.cardgate(["admin", "status"]))

            try site.remove(from: .admin)
            expectRefused(try site.cardgate(["operator", "list"]), "not logged in", "ended")
            expectRefused(try site.cardgate(["admin", "status"]), "not logged in", "ended")
            let ended = try site.waitForEvent("admin.session ended: card-removed") {
                $0["kind"] as? String == "admin.session" && eventDetail($0, "reason") == "ended: card-removed"
            }
            #expect(ended["actor"] as? String == "pa-001")
            #expect(ended["card"] as? String == admin.guid)

            // The same card back in the reader is a new insertion: a new login is needed.
            try site.insert(admin.path, into: .admin)
            expectRefused(try site.cardgate(["operator", "list"]), "not logged in")
            try site.login(pin: Self.adminPIN)
            expectDone(try site.cardgate(["operator", "list"]))
            #expect(try site.historyEvents().filter { $0["kind"] as? String == "admin.session" && eventDetail($0, "reason") == "ended: card-removed" }.count == 1,
                    "the session ended once")
        }

        /// Acceptance 8: a session belongs to the uid that opened it. Another member of the administrators' group,
        /// on the same socket, may neither use it nor end it, nor log in over it.
        @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
        func anAdministrativeSessionBelongsToTheUIDThatOpenedIt() throws {
            let site = try AdminInstallation(.init(adminGroup: "gid:\(Self.adminGID)"))
            defer { site.shutDown() }
            let admin = try site.makeCard("admin")
            try site.initialise(admin.path, pin: Self.adminPIN)
            try site.startDaemon()
            try site.login(pin: Self.adminPIN)

            let other = try site.cardgate(uid: Self.otherUID, gid: Self.adminGID, ["operator", "list"])
            expectRefused(other, "belongs to another user")
            #expect(!other.output.contains("pa-001 "), "nothing of the registry was shown: \(other.output)")
            expectRefused(try site.cardgate(uid: Self.otherUID, gid: Self.adminGID, ["admin", "logout"]), "belongs to another user")
            expectRefused(try site.cardgate(uid: Self.otherUID, gid: Self.adminGID, ["admin", "login"], ["--pin-stdin"], input: Self.adminPIN + "\n"),
                          "in use by another user")
            // The station is refused before the card and the PIN are read: another user's wrong PINs neither count nor
            // block the logged-in administrator's card.
            site.pins.insert(Self.wrongPIN)
            for _ in 1...6 {
                let refused = try site.cardgate(uid: Self.otherUID, gid: Self.adminGID, ["admin", "login"], ["--pin-stdin"], input: Self.wrongPIN + "\n")
                expectRefused(refused, "in use by another user")
                #expect(!refused.output.contains("attempt") && !refused.output.contains("blocked"), "\(refused.output)")
            }

            // The owner's session is untouched, and so is the card's PIN.
            let status = try #require(try adminJSON(try site.cardgate(["admin", "status"], ["--json"])) as? [String: Any])
            #expect(status["uid"] as? Int == Int(getuid()) && status["operator"] as? String == "pa-001", "\(status)")
            expectDone(try site.cardgate(["operator", "list"]))
            let card = try #require(try adminJSON(try site.cardgate(["card", "show", admin.guid], ["--json"])) as? [String: Any])
            let pin = try #require(card["pin"] as? [String: Any], "\(card)")
            #expect(pin["blocked"] as? Bool == false && pin["remainingAttempts"] as? Int == 5, "\(pin)")

            // Only what happened is recorded: each refusal as denied with its reason, never a login of the other uid,
            // never a wrong PIN.
            let events = try site.historyEvents()
            #expect(!events.contains { eventDetail($0, "reason") == "login uid:\(Self.otherUID)" }, "the refused login is not recorded as a login")
            #expect(!events.contains { $0["kind"] as? String == "auth.pin.failed" || $0["kind"] as? String == "auth.pin.locked" })
            let refusals = events.filter {
                $0["kind"] as? String == "admin.session" && $0["result"] as? String == "denied" && eventDetail($0, "reason") == "station-in-use"
            }
            #expect(refusals.count == 7, "\(refusals)")
            #expect(refusals.allSatisfy { eventDetail($0, "record") == "uid:\(Self.otherUID)" }, "\(refusals)")
        }

        /// A session lasts only while its card and its administrator stay valid: revoking the card or disabling the
        /// operator ends it at the next command, recorded like the other ends of a session.
        @Test func aSessionEndsWhenItsCardIsRevokedOrItsOperatorDisabled() throws {
            let site = try AdminInstallation()
            defer { site.shutDown() }
            let first = try site.makeCard("pa-001")
            let second = try site.makeCard("pa-002")
            try site.initialise(first.path, roles: ["administrator"], pin: Self.adminPIN)
            try site.startDaemon()
            try site.login(pin: Self.adminPIN)
            expectDone(try site.cardgate(["operator", "add", "pa-002"], ["--name", "田中二郎", "--role", "pin-admin"]))
            try site.issue(second.path, to: "pa-002", initialPIN: Self.initialPIN, pin: Self.secondPIN)

            // pa-001 disables their own record: the session ends at the next command.
            expectDone(try site.cardgate(["operator", "disable", "pa-001"]))
            expectRefused(try site.cardgate(["operator", "list"]), "session ended")
            expectRefused(try site.cardgate(["admin", "status"]), "not logged in")
            let disabled = try site.waitForEvent("admin.session ended: operator-inactive") {
                $0["kind"] as? String == "admin.session" && eventDetail($0, "reason") == "ended: operator-inactive"
            }
            #expect(disabled["actor"] as? String == "pa-001" && disabled["card"] as? String == first.guid, "\(disabled)")

            // pa-002 revokes their own card: the session ends at the next command.
            try site.switchAdministrator(to: second.path, pin: Self.secondPIN)
            expectDone(try site.cardgate(["operator", "list"]))
            expectDone(try site.cardgate(["card", "revoke", second.guid], ["--reason", "lost"]))
            expectRefused(try site.cardgate(["card", "list"]), "session ended")
            let revoked = try site.waitForEvent("admin.session ended: revoked") {
                $0["kind"] as? String == "admin.session" && eventDetail($0, "reason") == "ended: revoked"
            }
            #expect(revoked["actor"] as? String == "pa-002" && revoked["card"] as? String == second.guid, "\(revoked)")
            #expect(try site.historyEvents().filter { eventDetail($0, "reason")?.hasPrefix("ended: ") == true && $0["actor"] as? String == "pa-002" }.count == 1,
                    "the session ended once")
        }
    }
}
