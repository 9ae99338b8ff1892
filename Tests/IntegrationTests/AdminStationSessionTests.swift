import Foundation
import Testing

extension AdminReaderTests {
    /// Issue 8: the administrative session lives in the daemon, bound to the card staying in the admin reader and to
    /// the uid that opened it.
    @Suite(.serialized) struct AdminStationSessionTests {
        static let adminPIN = "482915"
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

            // The owner's session is untouched.
            let status = try #require(try adminJSON(try site.cardgate(["admin", "status"], ["--json"])) as? [String: Any])
            #expect(status["uid"] as? Int == Int(getuid()) && status["operator"] as? String == "pa-001", "\(status)")
            expectDone(try site.cardgate(["operator", "list"]))
        }
    }
}
