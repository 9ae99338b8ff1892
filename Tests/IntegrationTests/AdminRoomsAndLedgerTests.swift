import Foundation
import Testing

extension AdminReaderTests {
    /// Issue 4: rooms, grants and the equipment ledger by an administrator; roles, an expired session and a
    /// locked database refused with nothing changed. Each step is a new `cardgate` process.
    ///
    /// Uses only "CardGate Admin 00 00" (vpcd 35963) and "CardGate Admin 00 01" (vpcd 35964).
    @Suite(.serialized) struct AdminRoomsAndLedgerTests {
        typealias Run = (status: Int32, output: String)
        static let pinAdminPIN = "482915"
        static let initialPIN = "735194"
        static let administratorPIN = "650279"

        func expectRefused(_ run: Run, _ needle: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(run.status != 0, "expected a refusal containing \"\(needle)\": \(run.output)", sourceLocation: sourceLocation)
            #expect(run.output.contains(needle), "expected \"\(needle)\" in: \(run.output)", sourceLocation: sourceLocation)
        }

        func json(_ run: Run, sourceLocation: SourceLocation = #_sourceLocation) throws -> Any {
            try #require(run.status == 0, "\(run.output)", sourceLocation: sourceLocation)
            return try JSONSerialization.jsonObject(with: Data(run.output.utf8))
        }

        /// Runs sqlite3 on a database file (for moving a session's expiry into the past).
        func sqlite(_ database: String, _ sql: String) throws {
            let result = try BuiltTools.run("/usr/bin/sqlite3", [database, sql])
            try #require(result.status == 0, "sqlite3: \(result.output)")
        }

        @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3")))
        func anAdministratorKeepsRoomsAndTheLedgerAndRefusalsChangeNothing() throws {
            let site = try AdminInstallation()
            let A = AdminInstallation.readerA
            let B = AdminInstallation.readerB
            let pinAdmin = try site.makeCard("pin-admin")
            let administrator = try site.makeCard("administrator")
            let registry = site.folder.appendingPathComponent("data/registry.sqlite").path
            func cg(_ words: [String], _ args: [String] = [], input: String = "", as person: String = "pa-001") throws -> Run {
                try site.cardgate(words, args, input: input, as: person)
            }

            try site.withCard(pinAdmin.path, reader: B, port: AdminInstallation.portB) {
                try #require(try cg(["init"], ["--reader", B, "--operator-id", "pa-001", "--name", "山田花子", "--pin-stdin"],
                                    input: Self.pinAdminPIN + "\n").status == 0)
                try #require(try cg(["admin", "login"], ["--reader", B, "--pin-stdin"], input: Self.pinAdminPIN + "\n").status == 0)
                // Without CARDGATE_SESSION_FILE the token goes to $XDG_RUNTIME_DIR/cardgate/admin-session (0600, folder 0700).
                let runtime = site.folder.appendingPathComponent("xdg")
                try FileManager.default.createDirectory(at: runtime, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                let xdg: [String: String?] = ["CARDGATE_SESSION_FILE": nil, "XDG_RUNTIME_DIR": runtime.path]
                let tokenFile = runtime.appendingPathComponent("cardgate/admin-session").path
                let xdgLogin = try site.cardgate(["admin", "login"], ["--reader", B, "--pin-stdin"], input: Self.pinAdminPIN + "\n", environment: xdg)
                try #require(xdgLogin.status == 0, "\(xdgLogin.output)")
                #expect(try FileManager.default.attributesOfItem(atPath: tokenFile)[.posixPermissions] as? Int == 0o600)
                #expect(try FileManager.default.attributesOfItem(atPath: (tokenFile as NSString).deletingLastPathComponent)[.posixPermissions] as? Int == 0o700)
                #expect(try site.cardgate(["operator", "list"], environment: xdg).status == 0)
                #expect(try site.cardgate(["admin", "logout"], environment: xdg).status == 0)
                #expect(!FileManager.default.fileExists(atPath: tokenFile))
                expectRefused(try site.cardgate(["operator", "list"], environment: xdg), "not logged in")

                try #require(try cg(["operator", "add", "adm-01"], ["--name", "田中三郎", "--role", "administrator"]).status == 0)
                try site.withCard(administrator.path) {
                    try #require(try cg(["card", "issue"], ["--operator", "adm-01", "--reader", A, "--pin-stdin"], input: Self.initialPIN + "\n").status == 0)
                    try #require(try cg(["pin", "change"], ["--reader", A, "--pin-stdin"],
                                        input: "\(Self.initialPIN)\n\(Self.administratorPIN)\n", as: "adm-01").status == 0)
                    let login = try cg(["admin", "login"], ["--reader", A, "--pin-stdin"], input: Self.administratorPIN + "\n", as: "adm-01")
                    try #require(login.status == 0, "\(login.output)")
                }
            }

            // The PIN administrator may not change rooms or the ledger; the administrator may not add operators.
            expectRefused(try cg(["room", "add", "R1"], ["--name", "電算室"]), "needs the administrator role")
            expectRefused(try cg(["ledger", "add", "T01"], ["--kind", "terminal", "--name", "窓口端末1", "--location", "1階"]), "needs the administrator role")
            expectRefused(try cg(["operator", "add", "x-1"], ["--name", "x"], as: "adm-01"), "needs the pin-admin role")

            // Rooms and grants.
            try #require(try cg(["room", "add", "R1"], ["--name", "電算室", "--requires-pin", "--anti-passback"], as: "adm-01").status == 0)
            expectRefused(try cg(["room", "add", "R1"], ["--name", "again"], as: "adm-01"), "R1")
            let rooms = try #require(try json(try cg(["room", "list"], ["--json"], as: "adm-01")) as? [[String: Any]])
            #expect(rooms.count == 1 && rooms.first?["name"] as? String == "電算室")
            expectRefused(try cg(["room", "grant", "R1"], ["--operator", "pa-001", "--hours", "8-17"], as: "adm-01"), "HH:MM-HH:MM")
            expectRefused(try cg(["room", "grant", "R1"], ["--operator", "pa-001", "--days", "mon,funday"], as: "adm-01"), "funday")
            expectRefused(try cg(["room", "grant", "R9"], ["--operator", "pa-001"], as: "adm-01"), "R9")
            let granted = try cg(["room", "grant", "R1"], ["--operator", "pa-001", "--days", "mon,tue", "--hours", "08:30-17:15", "--valid-to", "2030-03-31"], as: "adm-01")
            try #require(granted.status == 0, "\(granted.output)")
            let grants = try #require(try json(try cg(["room", "grants"], ["--room", "R1", "--json"], as: "adm-01")) as? [[String: Any]])
            try #require(grants.count == 1, "\(grants)")
            #expect(grants[0]["fromMinute"] as? Int == 510 && grants[0]["toMinute"] as? Int == 1035, "\(grants[0])")
            let grantId = try #require(grants[0]["id"] as? Int)
            try #require(try cg(["room", "revoke", String(grantId)], as: "adm-01").status == 0)
            let open = try #require(try json(try cg(["room", "grants"], ["--json"], as: "adm-01")) as? [[String: Any]])
            #expect(open.isEmpty, "a revoked grant is not listed without --all")

            // The ledger and its change record.
            try #require(try cg(["ledger", "add", "T01"], ["--kind", "terminal", "--name", "窓口端末1", "--location", "本庁舎1階", "--serial", "SN-1"], as: "adm-01").status == 0)
            expectRefused(try cg(["ledger", "add", "T02"], ["--kind", "toaster", "--name", "x", "--location", "y"], as: "adm-01"), "--kind must be one of")
            try #require(try cg(["ledger", "change", "T01"], ["--location", "本庁舎2階", "--note", "移設"], as: "adm-01").status == 0)
            let shown = try #require(try json(try cg(["ledger", "show", "T01"], ["--json"], as: "adm-01")) as? [String: Any])
            #expect(shown["location"] as? String == "本庁舎2階")
            try #require(try cg(["ledger", "retire", "T01"], as: "adm-01").status == 0)
            expectRefused(try cg(["ledger", "change", "T01"], ["--location", "3階"], as: "adm-01"), "retired")
            let record = try #require(try json(try cg(["ledger", "history", "T01"], ["--json"], as: "adm-01")) as? [[String: Any]])
            #expect(record.count == 3, "\(record)")
            #expect(record.allSatisfy { $0["actor"] as? String == "adm-01" })
            expectRefused(try cg(["ledger", "list"], ["--json"], as: "pa-001"), "may not view the equipment ledger")

            // A database locked by another process: refused, nothing changed.
            let locker = Process()
            locker.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
            locker.arguments = [registry]
            let lockInput = Pipe()
            locker.standardInput = lockInput
            locker.standardOutput = FileHandle.nullDevice
            try locker.run()
            lockInput.fileHandleForWriting.write(Data("BEGIN IMMEDIATE;\nINSERT INTO room (id, name, requiresPIN, antiPassback, createdAt) SELECT 'Rlock', 'x', 0, 0, createdAt FROM room LIMIT 1;\n".utf8))
            Thread.sleep(forTimeInterval: 0.5)
            expectRefused(try cg(["room", "add", "R2"], ["--name", "会議室"], as: "adm-01"), "locked")
            try lockInput.fileHandleForWriting.close()
            locker.waitUntilExit()
            let afterLock = try #require(try json(try cg(["room", "list"], ["--json"], as: "adm-01")) as? [[String: Any]])
            #expect(afterLock.compactMap { $0["id"] as? String } == ["R1"], "nothing was changed: \(afterLock)")

            // An expired session is refused with a clear message.
            try sqlite(registry, "UPDATE adminSession SET createdAt = '2020-01-01 00:00:00.000', expiresAt = '2020-01-01 00:10:00.000' WHERE operatorId = 'adm-01'")
            expectRefused(try cg(["room", "list"], as: "adm-01"), "administrative session expired; run cardgate admin login")

            // The history names the administrator for each act, and verifies.
            let events = try site.historyEvents()
            func count(_ kind: String, actor: String, result: String = "success") -> Int {
                events.filter { $0["kind"] as? String == kind && $0["actor"] as? String == actor && $0["result"] as? String == result }.count
            }
            #expect(count("admin.room", actor: "adm-01") >= 2)
            #expect(count("admin.room", actor: "pa-001", result: "denied") == 1)
            #expect(count("admin.grant", actor: "adm-01") == 3, "grant R9 (refused), grant R1, revoke")
            #expect(count("admin.grant", actor: "adm-01", result: "failure") == 1)
            #expect(count("ledger.added", actor: "adm-01") == 1)
            #expect(count("ledger.changed", actor: "adm-01") >= 2)
            #expect(count("admin.operator", actor: "adm-01", result: "denied") == 1)
            let verified = try cg(["history", "verify"])
            #expect(verified.status == 0, "\(verified.output)")
        }
    }
}
