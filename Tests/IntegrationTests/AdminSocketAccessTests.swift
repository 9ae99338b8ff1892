import Foundation
import Testing

extension AdminReaderTests {
    /// Issue 8, acceptance 7: only the administrators' group reaches the administration socket, and the daemon (not
    /// only the file mode) decides who is served.
    @Suite(.serialized) struct AdminSocketAccessTests {
        static let adminPIN = "482915"
        static let otherUID: UInt32 = 1001
        static let adminGID: UInt32 = 4242

        @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") && FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")))
        func aUserOutsideTheAdministratorsGroupCannotConnect() throws {
            let site = try AdminInstallation(.init(adminGroup: "gid:\(Self.adminGID)"))
            defer { site.shutDown() }
            let admin = try site.makeCard("admin")
            try site.initialise(admin.path, pin: Self.adminPIN)
            try site.remove(from: .admin)
            try site.startDaemon()

            // The folder lets other users reach the socket; the socket itself is the group's, mode 0660.
            let folderMode = try FileManager.default.attributesOfItem(atPath: site.folder.path)[.posixPermissions] as? Int
            try #require(folderMode.map { $0 & 0o005 == 0o005 } == true, "the test folder must be traversable: \(String(folderMode ?? 0, radix: 8))")
            let socket = try FileManager.default.attributesOfItem(atPath: site.adminSocket)
            #expect((socket[.posixPermissions] as? Int).map { $0 & 0o777 } == 0o660, "\(socket)")
            #expect((socket[.groupOwnerAccountID] as? NSNumber)?.uint32Value == Self.adminGID, "\(socket)")

            // Outside the group: the file permissions refuse the connection (curl exit 7).
            let outsider = try AdminInstallation.request(site.adminSocket, "POST", "/v1/admin/session/show", uid: Self.otherUID, gid: Self.otherUID)
            #expect(outsider.exit == 7 && outsider.code == 0, "\(outsider)")
            #expect(outsider.body.contains("denied") || outsider.body.contains("connect"), "\(outsider)")

            // In the group: connected, and the daemon answers that there is no session for this caller.
            let member = try AdminInstallation.request(site.adminSocket, "POST", "/v1/admin/session/show", uid: Self.otherUID, gid: Self.adminGID)
            #expect(member.exit == 0 && member.code == 401, "\(member)")
            let answer = try JSONSerialization.jsonObject(with: Data(member.body.utf8)) as? [String: Any]
            #expect(answer?["error"] as? String == "not-logged-in", "\(member.body)")

            // The kernel refused the outsider: the daemon never heard of them.
            let refusals = { (events: [[String: Any]]) in
                events.filter { $0["kind"] as? String == "system.api.refused" && eventDetail($0, "record") == "uid:\(Self.otherUID)" }
            }
            #expect(try refusals(site.historyEvents()).isEmpty)

            // The daemon decides too: with the file opened to everyone, an outsider reaches the daemon, which answers 403
            // before reading the request, closes the connection and records the refusal.
            try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: site.adminSocket)
            let opened = try AdminInstallation.request(site.adminSocket, "POST", "/v1/admin/session/show", uid: Self.otherUID, gid: Self.otherUID)
            #expect(opened.code == 403 && opened.body.contains("forbidden") && !opened.body.contains("not-logged-in"), "\(opened)")
            let refused = try site.waitForEvent("system.api.refused for uid:\(Self.otherUID)") { refusals([$0]).count == 1 }
            #expect(eventDetail(refused, "operation")?.contains("administration socket") == true, "\(refused)")
        }
    }
}
