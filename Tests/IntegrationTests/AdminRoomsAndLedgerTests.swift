import Foundation
import Testing

extension AdminReaderTests {
    /// Issue 4: rooms, grants and the equipment ledger kept by an administrator through the daemon; roles and a locked
    /// registry refused with nothing changed. Each step is a new `cardgate` process.
    @Suite(.serialized) struct AdminRoomsAndLedgerTests {
        static let pinAdminPIN = "482915"
        static let initialPIN = "735194"
        static let administratorPIN = "650279"

        @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3")))
        func anAdministratorKeepsRoomsAndTheLedgerAndRefusalsChangeNothing() throws {
            let site = try AdminInstallation()
            defer { site.shutDown() }
            let pinAdmin = try site.makeCard("pin-admin")
            let administrator = try site.makeCard("administrator")
            func cg(_ words: [String], _ args: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) throws -> AdminInstallation.Run {
                try site.cardgate(words, args, sourceLocation: sourceLocation)
            }

            // pa-001 installs with the administrator role too, so that they may create an administrator.
            try site.initialise(pinAdmin.path, roles: ["administrator"], pin: Self.pinAdminPIN)
            try site.startDaemon()
            try site.login(pin: Self.pinAdminPIN)
            // `cardgate init` put the admin station's readers on the ledger.
            let station = try #require(try adminJSON(try cg(["ledger", "list"], ["--kind", "reader", "--json"])) as? [[String: Any]])
            #expect(Set(station.compactMap { $0["id"] as? String }) == Set(AdminInstallation.Slot.allCases.map(\.reader)), "\(station)")
            #expect(station.allSatisfy { $0["status"] as? String == "in-service" }, "\(station)")
            expectDone(try cg(["operator", "add", "adm-01"], ["--name", "田中三郎", "--role", "administrator"]))
            try site.issue(administrator.path, to: "adm-01", initialPIN: Self.initialPIN, pin: Self.administratorPIN)
            try site.switchAdministrator(to: administrator.path, pin: Self.administratorPIN)

            // The administrator may not add operators (that is the PIN administrator's).
            expectRefused(try cg(["operator", "add", "x-1"], ["--name", "x"]), "needs the pin-admin role")

            // Rooms and grants.
            expectDone(try cg(["room", "add", "R1"], ["--name", "電算室", "--requires-pin", "--anti-passback"]))
            expectRefused(try cg(["room", "add", "R1"], ["--name", "again"]), "R1")
            let rooms = try #require(try adminJSON(try cg(["room", "list"], ["--json"])) as? [[String: Any]])
            #expect(rooms.count == 1 && rooms.first?["name"] as? String == "電算室", "\(rooms)")
            expectRefused(try cg(["room", "grant", "R1"], ["--operator", "pa-001", "--hours", "8-17"]), "HH:MM-HH:MM")
            expectRefused(try cg(["room", "grant", "R1"], ["--operator", "pa-001", "--days", "mon,funday"]), "funday")
            expectRefused(try cg(["room", "grant", "R9"], ["--operator", "pa-001"]), "R9")
            expectDone(try cg(["room", "grant", "R1"], ["--operator", "pa-001", "--days", "mon,tue", "--hours", "08:30-17:15", "--valid-to", "2030-03-31"]))
            let grants = try #require(try adminJSON(try cg(["room", "grants"], ["--room", "R1", "--json"])) as? [[String: Any]])
            try #require(grants.count == 1, "\(grants)")
            #expect(grants[0]["fromMinute"] as? Int == 510 && grants[0]["toMinute"] as? Int == 1035, "\(grants[0])")
            let grantId = try #require(grants[0]["id"] as? Int)
            expectDone(try cg(["room", "revoke", String(grantId)]))
            let open = try #require(try adminJSON(try cg(["room", "grants"], ["--json"])) as? [[String: Any]])
            #expect(open.isEmpty, "a revoked grant is not listed without --all")
            let all = try #require(try adminJSON(try cg(["room", "grants"], ["--all", "--json"])) as? [[String: Any]])
            #expect(all.count == 1, "\(all)")

            // The ledger and its change record.
            expectDone(try cg(["ledger", "add", "T01"], ["--kind", "terminal", "--name", "窓口端末1", "--location", "本庁舎1階", "--serial", "SN-1"]))
            expectRefused(try cg(["ledger", "add", "T02"], ["--kind", "toaster", "--name", "x", "--location", "y"]), "--kind must be one of")
            expectDone(try cg(["ledger", "change", "T01"], ["--location", "本庁舎2階", "--note", "移設"]))
            let shown = try #require(try adminJSON(try cg(["ledger", "show", "T01"], ["--json"])) as? [String: Any])
            #expect(shown["location"] as? String == "本庁舎2階", "\(shown)")
            expectDone(try cg(["ledger", "retire", "T01"]))
            expectRefused(try cg(["ledger", "change", "T01"], ["--location", "3階"]), "retired")
            let record = try #require(try adminJSON(try cg(["ledger", "history", "T01"], ["--json"])) as? [[String: Any]])
            #expect(record.count == 3, "\(record)")
            #expect(record.allSatisfy { $0["actor"] as? String == "adm-01" }, "\(record)")

            // A registry locked by another process: refused, nothing changed.
            let locker = Process()
            locker.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
            locker.arguments = [site.registryPath]
            let lockInput = Pipe()
            locker.standardInput = lockInput
            locker.standardOutput = FileHandle.nullDevice
            locker.standardError = FileHandle.nullDevice
            try locker.run()
            try lockInput.fileHandleForWriting.write(contentsOf: Data("BEGIN IMMEDIATE;\nINSERT INTO room (id, name, requiresPIN, antiPassback, createdAt) SELECT 'Rlock', 'x', 0, 0, createdAt FROM room LIMIT 1;\n".utf8))
            Thread.sleep(forTimeInterval: 0.5)
            let locked = try cg(["room", "add", "R2"], ["--name", "会議室"])
            try lockInput.fileHandleForWriting.close()
            locker.waitUntilExit()
            expectRefused(locked, "locked")
            let afterLock = try #require(try adminJSON(try cg(["room", "list"], ["--json"])) as? [[String: Any]])
            #expect(afterLock.compactMap { $0["id"] as? String } == ["R1"], "nothing was changed: \(afterLock)")

            // The history names the administrator for each act, and verifies.
            #expect(site.stopDaemon() == 0, "\(site.daemonLog)")
            let events = try site.historyEvents()
            func count(_ kind: String, actor: String, result: String = "success") -> Int {
                events.filter { $0["kind"] as? String == kind && $0["actor"] as? String == actor && $0["result"] as? String == result }.count
            }
            #expect(count("ledger.added", actor: "pa-001") == 2, "the admin station's readers, by cardgate init")
            // Each act is recorded once, before it takes effect: done as success, refused by a rule as denied, not
            // done for a fault as failure.
            #expect(count("admin.room", actor: "adm-01") == 1, "R1")
            #expect(count("admin.room", actor: "adm-01", result: "denied") == 1, "R1 again")
            #expect(count("admin.room", actor: "adm-01", result: "failure") == 1, "R2 (locked)")
            #expect(events.contains { $0["kind"] as? String == "admin.room" && eventDetail($0, "reason") == "not done: room-exists" })
            #expect(events.contains { $0["kind"] as? String == "admin.room" && eventDetail($0, "reason") == "not done: database-locked" })
            #expect(count("admin.grant", actor: "adm-01") == 2, "grant R1, revoke")
            #expect(count("admin.grant", actor: "adm-01", result: "denied") == 1, "grant R9")
            #expect(count("ledger.added", actor: "adm-01") == 1)
            #expect(count("ledger.changed", actor: "adm-01") == 2, "change, retire")
            #expect(count("ledger.changed", actor: "adm-01", result: "denied") == 1, "change of the retired entry")
            #expect(count("admin.operator", actor: "adm-01", result: "denied") == 1)
            // The stopped daemon signed a last checkpoint at shutdown and wrote it to the site's witness file: every
            // event is witnessed, so verify answers 0 (2 would mean a tail no witnessed checkpoint covers).
            let verified = try cg(["history", "verify"])
            #expect(verified.status == 0 && verified.output.contains("intact"), "\(verified.output)")
        }
    }
}
