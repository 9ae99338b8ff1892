import Foundation
import GatewayAPI
import History
import Testing
import TestSupport
import Vocabulary

/// Issue 8 end to end: the daemon knows every API caller from the kernel (`SO_PEERCRED`), and a client acts on its
/// own terminals and doors only. Clients run under other uids with `setpriv` (no accounts needed).
extension GatewayEndToEndTests {
    /// The API socket's group in these tests: every test client runs with it as its primary group.
    static let apiGID: UInt32 = 3000
    static let t01Client: UInt32 = 1001, t02Client: UInt32 = 1002, doorClient: UInt32 = 1003, supervisor: UInt32 = 1004, nobody: UInt32 = 1005

    static func authorityRig() throws -> GatewayRig {
        var options = GatewayRig.Options()
        options.apiGroup = "gid:\(apiGID)"
        options.t01Clients = ["uid:\(t01Client)"]
        options.t02Clients = ["uid:\(t02Client)"]
        options.doorClients = ["uid:\(doorClient)"]
        // Root (this test process) supervises, so that the rig's own status checks work.
        options.supervisors = ["uid:\(supervisor)", "uid:0"]
        options.ledgerReaders.append(GatewayRig.t02)
        return try GatewayRig(options)
    }

    func call(_ rig: GatewayRig, as uid: UInt32, _ method: String, _ path: String, _ body: String? = nil) throws -> (code: Int, body: String) {
        let answer = try OtherUser.request(uid: uid, gid: Self.apiGID, socket: rig.socket, method, path, body: body)
        return (answer.code, answer.body)
    }

    @Test func aClientOfT01UnlocksT01AndIsRefusedOnAnotherTerminalADoorAndLockAllEachRecorded() async throws {
        let rig = try Self.authorityRig()
        let card = try rig.enrol("op1")
        let client = try await rig.start()
        let inserted = try GatewayRig.insert(card, port: GatewayRig.t01Port)
        defer { inserted.terminate() }
        try await rig.waitForTerminal(client, "T01", .awaitingPIN)

        let unlocked = try call(rig, as: Self.t01Client, "POST", "/v1/terminals/T01/pin", #"{"pin":"\#(GatewayRig.pin)"}"#)
        #expect(unlocked.code == 200, "\(unlocked)")
        #expect(unlocked.body.contains(#""state":"unlocked""#))
        let operation = try call(rig, as: Self.t01Client, "POST", "/v1/terminals/T01/operations", #"{"action":"resident.view","target":"r1"}"#)
        #expect(operation.code == 201, "\(operation)")

        let refusals: [(String, String, String?)] = [
            ("GET", "/v1/terminals/T02", nil),
            ("POST", "/v1/terminals/T02/pin", #"{"pin":"123456"}"#),
            ("POST", "/v1/terminals/T02/operations", #"{"action":"resident.view","target":"r1"}"#),
            ("POST", "/v1/doors/D1/pin", #"{"pin":"123456"}"#),
            ("POST", "/v1/emergency/lock-all", nil),
            ("GET", "/v1/rooms/R1/occupancy", nil),
        ]
        for (method, path, body) in refusals {
            let answer = try call(rig, as: Self.t01Client, method, path, body)
            #expect(answer.code == 403, "\(method) \(path): \(answer)")
            #expect(answer.body.contains(#""error":"forbidden""#), "\(answer.body)")
        }
        // A PIN from T02's client reaches T02, not T01: the other terminal's card cannot be blocked from here.
        #expect(try call(rig, as: Self.t02Client, "POST", "/v1/terminals/T01/pin", #"{"pin":"000000"}"#).code == 403)
        #expect(try await client.terminal("T01").state == .unlocked)

        // Each refused act is recorded once (with the caller's uid), however often it is tried.
        for _ in 0..<10 { _ = try call(rig, as: Self.t01Client, "POST", "/v1/terminals/T02/pin", #"{"pin":"123456"}"#) }
        try await Task.sleep(for: .milliseconds(300))
        let recorded = try rig.history().filter { $0.kind == .apiRefused && $0.details.record == "uid:\(Self.t01Client)" }
        #expect(recorded.count == refusals.count, "one record per refused act: \(recorded.map { $0.details.operation ?? "" })")
        #expect(recorded.contains { $0.details.operation == "lock every terminal" })
        #expect(recorded.contains { $0.place == "T02" && $0.details.operation == "enter a PIN at terminal T02" })
        #expect(try rig.history().contains { $0.kind == .apiRefused && $0.details.record == "uid:\(Self.t02Client)" && $0.place == "T01" })

        // A caller with no rights at all is turned away when it connects.
        let stranger = try call(rig, as: Self.nobody, "GET", "/v1/status")
        #expect(stranger.code == 403, "\(stranger)")

        // The supervisor may lock all.
        let lockAll = try call(rig, as: Self.supervisor, "POST", "/v1/emergency/lock-all", #"{"reason":"drill"}"#)
        #expect(lockAll.code == 200, "\(lockAll)")
        #expect(lockAll.body.contains(#""endedSessions":1"#))
        try await rig.waitForTerminal(client, "T01", .locked)
        let emergency = try #require(try rig.history().last { $0.kind == .adminEmergency })
        #expect(emergency.details.record == "uid:\(Self.supervisor)", "the emergency names who asked")
    }

    @Test func theStatusAndTheEventStreamOfATerminalClientShowOnlyItsTerminal() async throws {
        let rig = try Self.authorityRig()
        let first = try rig.enrol("op1", terminals: ["T01"])
        let second = try rig.enrol("op2", terminals: ["T02"])
        let client = try await rig.start()

        let status = try call(rig, as: Self.t01Client, "GET", "/v1/status")
        #expect(status.code == 200)
        #expect(status.body.contains(#""id":"T01""#) && !status.body.contains(#""id":"T02""#), "\(status.body)")
        #expect(!status.body.contains("Room1"), "no door readers for a terminal client: \(status.body)")

        // curl follows the stream for 5 s while cards come and go at both terminals.
        let socket = rig.socket
        let stream = Task.detached { try OtherUser.request(uid: Self.t01Client, gid: Self.apiGID, socket: socket, "GET", "/v1/events", maxTime: 5) }
        try await Task.sleep(for: .milliseconds(800))
        let atT02 = try GatewayRig.insert(second, port: GatewayRig.t02Port)
        let atT01 = try GatewayRig.insert(first, port: GatewayRig.t01Port)
        try await rig.waitForTerminal(client, "T02", .awaitingPIN)
        try await rig.waitForTerminal(client, "T01", .awaitingPIN)
        _ = atT02.terminate()
        _ = atT01.terminate()
        let seen = try await stream.value.body
        #expect(seen.contains(#""id":"T01""#), "T01's events reach its client: \(seen)")
        #expect(!seen.contains(#""id":"T02""#), "T02's events do not: \(seen)")
        #expect(!seen.contains("CardGate T02"), "nor T02's reader: \(seen)")

        // The supervisor's stream carries both.
        let watched = Task.detached { try OtherUser.request(uid: Self.supervisor, gid: Self.apiGID, socket: socket, "GET", "/v1/events", maxTime: 4) }
        try await Task.sleep(for: .milliseconds(800))
        let again = try GatewayRig.insert(second, port: GatewayRig.t02Port)
        try await rig.waitForTerminal(client, "T02", .awaitingPIN)
        _ = again.terminate()
        #expect(try await watched.value.body.contains(#""id":"T02""#))
    }

    @Test func aFloodOfIdleAndSlowConnectionsNeitherSlowsTheCardPathNorStarvesAnAllowedClient() async throws {
        var options = GatewayRig.Options()
        options.apiGroup = "gid:\(Self.apiGID)"
        options.t02Clients = ["uid:\(Self.t02Client)"]
        let rig = try GatewayRig(options)
        let card = try rig.enrol("op1")
        let client = try await rig.start()
        let daemon = try #require(rig.daemon?.processIdentifier)
        var inserted: VCardProcess? = try GatewayRig.insert(card, port: GatewayRig.t01Port)
        defer { inserted?.terminate() }
        try await rig.waitForTerminal(client, "T01", .awaitingPIN)

        // 1,000 idle connections and 200 slow senders from T02's client (allowed, so admitted up to its own limit),
        // and the same from a caller with no rights at all, for 9 s.
        let script = GatewayRig.repository.appendingPathComponent("Tests/IntegrationTests/Support/flood.py").path
        let socket = rig.socket
        let floods = [Self.t02Client, Self.nobody].map { uid in
            Task.detached { try OtherUser.run(uid: uid, gid: Self.apiGID, ["/usr/bin/python3", script, socket, "1000", "200", "9"]) }
        }
        try await Task.sleep(for: .seconds(2))
        let descriptorsDuringFlood = Self.openDescriptors(daemon)

        // An allowed client's PIN is answered, and pulling the card locks at once.
        let asked = ContinuousClock.now
        let unlocked = try await client.submitTerminalPIN("T01", pin: PIN(GatewayRig.pin))
        let answered = ContinuousClock.now - asked
        #expect(unlocked.state == .unlocked)
        #expect(answered < .seconds(2), "the PIN was answered in \(answered) during the flood")
        let before = rig.actuatorLines.count
        inserted?.terminate()
        inserted = nil
        try GatewayRig.waitForCard(GatewayRig.t01, present: false)
        let reported = Date()
        let lockedAt = try await rig.waitForCommand("lock T01", after: before, timeout: .seconds(3))
        #expect(lockedAt.timeIntervalSince(reported) < 1.0, "locked \(lockedAt.timeIntervalSince(reported)) s after the card left, during the flood")

        var stats: [[String: [String: Int]]] = []
        for flood in floods {
            let result = try await flood.value
            let line = try #require(result.output.split(separator: "\n").last)
            stats.append(try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: [String: Int]], "\(result.output)"))
        }
        // The daemon served at most its per-client limit of the allowed caller's connections at a time and closed the
        // rest (slow senders at their read time-out); a caller without rights kept nothing open.
        let allowed = stats[0], stranger = stats[1]
        let allowedOpen = (allowed["idle"]?["stillOpen"] ?? 0) + (allowed["slow"]?["stillOpen"] ?? 0)
        #expect(allowedOpen <= 16, "at most max-connections-per-client (16) held: \(allowed)")
        // Every slow sender that got a connection was cut off (how many got one in the 9 s depends on how busy the
        // backlog was with the idle flood: 175 to 263 in runs on the 2-CPU machine).
        let slowOpened = allowed["slow"]?["opened"] ?? 0
        #expect(slowOpened > 0 && allowed["slow"]?["closed"] == slowOpened && allowed["slow"]?["stillOpen"] == 0,
                "every slow sender was cut off: \(allowed)")
        #expect((stranger["idle"]?["stillOpen"] ?? 1) == 0 && (stranger["slow"]?["stillOpen"] ?? 1) == 0, "\(stranger)")
        #expect((stranger["idle"]?["closed"] ?? 0) >= 1000, "the stranger's connections were all turned away: \(stranger)")
        let limit = 64
        #expect(descriptorsDuringFlood < limit + 48, "the daemon held \(descriptorsDuringFlood) descriptors during the flood (connection limit \(limit))")
        #expect(Self.openDescriptors(daemon) < limit + 48)
        print("gateway e2e: flood \(stats); daemon descriptors during the flood \(descriptorsDuringFlood); PIN answered in \(answered); lock \(Int(lockedAt.timeIntervalSince(reported) * 1000)) ms after the card left")
    }

    /// How many descriptors process `pid` has open.
    static func openDescriptors(_ pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }
}

/// Issue 11's routes under issue 8's authority: the door controller reports its own door only; a fire panel releases
/// and restores the doors and does nothing else; only a supervisor acknowledges alarms and overrides the two-person
/// rule. Each refusal is answered 403 and recorded with the caller's uid.
extension GatewayEndToEndTests {
    static let firePanel: UInt32 = 1006

    @Test func aFirePanelReleasesAndRestoresTheDoorsAndADoorClientMayNot() async throws {
        var options = GatewayRig.Options()
        options.apiGroup = "gid:\(Self.apiGID)"
        options.doorClients = ["uid:\(Self.doorClient)"]
        options.supervisors = ["uid:\(Self.supervisor)", "uid:0"]
        options.firePanels = ["uid:\(Self.firePanel)"]
        let rig = try GatewayRig(options)
        _ = try await rig.start()

        // The door controller: its own door's contact and exit button, but not the fire release, alarms or override.
        #expect(try call(rig, as: Self.doorClient, "POST", "/v1/doors/D1/rex").code == 200)
        #expect(try call(rig, as: Self.doorClient, "POST", "/v1/doors/D1/contact", #"{"state":"closed"}"#).code == 200)
        let doorRefusals: [(String, String, String?)] = [
            ("POST", "/v1/emergency/release-doors", #"{"reason":"fire"}"#),
            ("POST", "/v1/emergency/restore-doors", nil),
            ("POST", "/v1/doors/D1/override", nil),
            ("POST", "/v1/alarms/1/acknowledge", nil),
        ]
        for (method, path, body) in doorRefusals {
            let answer = try call(rig, as: Self.doorClient, method, path, body)
            #expect(answer.code == 403 && answer.body.contains(#""error":"forbidden""#), "\(method) \(path): \(answer)")
        }
        // The fire panel may not act as a door controller, see terminals or lock all.
        for (method, path, body) in [("POST", "/v1/doors/D1/rex", nil), ("GET", "/v1/terminals/T01", nil),
                                     ("POST", "/v1/emergency/lock-all", #"{"reason":"x"}"#), ("POST", "/v1/alarms/1/acknowledge", nil)] as [(String, String, String?)] {
            let answer = try call(rig, as: Self.firePanel, method, path, body)
            #expect(answer.code == 403, "fire panel \(method) \(path): \(answer)")
        }
        #expect(try rig.history().filter { $0.kind == .doorReleased }.isEmpty, "nothing released by the refused calls")

        // The fire panel releases every door and restores them.
        let released = try call(rig, as: Self.firePanel, "POST", "/v1/emergency/release-doors", #"{"reason":"fire"}"#)
        #expect(released.code == 200 && released.body.contains(#""released":true"#), "\(released)")
        #expect(try await rig.waitForEvent(.doorReleased).actor == "uid:\(Self.firePanel)")
        let restored = try call(rig, as: Self.firePanel, "POST", "/v1/emergency/restore-doors")
        #expect(restored.code == 200 && restored.body.contains(#""released":false"#), "\(restored)")
        #expect(try await rig.waitForEvent(.doorRestored).actor == "uid:\(Self.firePanel)")

        let refused = try rig.history().filter { $0.kind == .apiRefused }
        #expect(refused.contains { $0.details.record == "uid:\(Self.doorClient)" && $0.details.operation == "release the doors" }, "\(refused.map { $0.details.operation ?? "" })")
        #expect(refused.contains { $0.details.record == "uid:\(Self.firePanel)" && $0.details.operation == "lock every terminal" })
        rig.stop()
    }
}
