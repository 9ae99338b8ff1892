import Foundation
import GatewayAPI
import Testing
import Vocabulary

/// Every route over a real Unix socket, through the real client.
@Suite("API routes over a Unix socket")
struct GatewayServerRouteTests {
    @Test func statusAnswersVersionReadersTerminalsAndHealth() async throws {
        try await withServer { client, _, _, _ in
            let status = try await client.status()
            #expect(status.version == "0.1.0")
            #expect(status.pcscdRunning)
            #expect(status.historyOK)
            #expect(status.terminals.map(\.id) == ["T01", "T02", "T03"])
            #expect(status.readers.count == 3)
            #expect(status.readers[1].role == .door(id: "D01", room: "R101", direction: .entry))
            #expect(status.readers[2].role == nil && status.readers[2].state == .refused)
        }
    }

    @Test func statusJSONUsesTheDocumentedKeys() async throws {
        try await withServer { client, _, _, _ in
            let (code, body) = try await client.raw(method: "GET", path: "/v1/status")
            #expect(code == 200)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
            #expect(Set(object.keys) == ["version", "startedAt", "pcscdRunning", "historyOk", "readers", "terminals"])
            #expect(text(body).contains(#""role":{"direction":"in","door":"D01","kind":"door","room":"R101"}"#))
            #expect(text(body).contains(#""state":"awaiting-pin""#))
        }
    }

    @Test func terminalViewShowsStateAndOperatorWhenUnlocked() async throws {
        try await withServer { client, _, _, _ in
            let locked = try await client.terminal("T01")
            #expect(locked.state == .locked && locked.operator == nil)
            let unlocked = try await client.terminal("T03")
            #expect(unlocked.state == .unlocked)
            #expect(unlocked.operator == TestGateway.sato)
            #expect(unlocked.idleLockAt == TestGateway.start.addingTimeInterval(600))
            let (_, body) = try await client.raw(method: "GET", path: "/v1/terminals/T03")
            #expect(text(body).contains(#""operator":{"id":"op-0002","name":"佐藤 花子"}"#))
            #expect(text(body).contains(#""unlockedAt":"2026-11-18T"#))
        }
    }

    @Test func unknownTerminalIs404WithJSONError() async throws {
        try await withServer { client, _, _, _ in
            let (code, body) = try await client.raw(method: "GET", path: "/v1/terminals/T99")
            #expect(code == 404)
            #expect(errorCode(body) == "unknown-terminal")
            await #expect(throws: GatewayError.unknownTerminal("T99")) { try await client.terminal("T99") }
        }
    }

    @Test func correctPINUnlocksTheWaitingTerminal() async throws {
        try await withServer { client, _, _, _ in
            let view = try await client.submitTerminalPIN("T02", pin: PIN(TestGateway.operatorPIN))
            #expect(view.state == .unlocked)
            #expect(view.operator == TestGateway.yamada)
            #expect(try await client.terminal("T02").state == .unlocked)
        }
    }

    @Test func wrongPINIs403WithAttemptsLeftAndTheFifthBlocksTheCard() async throws {
        try await withServer { client, _, _, _ in
            for left in [4, 3, 2, 1] {
                let (code, body) = try await client.raw(method: "POST", path: "/v1/terminals/T02/pin", body: Array(#"{"pin":"0000"}"#.utf8))
                #expect(code == 403)
                #expect(errorCode(body) == "wrong-pin")
                #expect(text(body).contains(#""attemptsLeft":\#(left)"#))
            }
            let error = await #expect(throws: GatewayError.self) {
                try await client.submitTerminalPIN("T02", pin: PIN("0000"))
            }
            #expect(error?.code == .cardBlocked)
            #expect(try await client.terminal("T02").state == .locked)
        }
    }

    @Test func pinOnATerminalNotAwaitingOneIs409() async throws {
        try await withServer { client, _, _, _ in
            let (code, body) = try await client.raw(method: "POST", path: "/v1/terminals/T01/pin", body: Array(#"{"pin":"1234"}"#.utf8))
            #expect(code == 409)
            #expect(errorCode(body) == "not-awaiting-pin")
        }
    }

    @Test func operationIsRecordedWithTheSessionsOperatorAndTerminal() async throws {
        try await withServer { client, gateway, _, _ in
            let receipt = try await client.recordOperation(terminal: "T03", action: "resident.view", target: "resident:000123456789")
            #expect(receipt.operator == TestGateway.sato)
            #expect(receipt.terminal == "T03")
            let (code, _) = try await client.raw(
                method: "POST", path: "/v1/terminals/T03/operations",
                body: Array(#"{"action":"resident.print","target":"resident:000123456789"}"#.utf8))
            #expect(code == 201)
            let recorded = await gateway.operations
            #expect(recorded.map(\.operatorID) == ["op-0002", "op-0002"])
            #expect(recorded.map(\.action) == ["resident.view", "resident.print"])
        }
    }

    @Test func operationClaimingAnOperatorIsRefusedAsAnUnknownField() async throws {
        try await withServer { client, gateway, _, _ in
            let (code, body) = try await client.raw(
                method: "POST", path: "/v1/terminals/T03/operations",
                body: Array(#"{"action":"resident.view","target":"r1","operator":"op-0001"}"#.utf8))
            #expect(code == 400)
            #expect(errorCode(body) == "invalid-field")
            #expect(await gateway.operations.isEmpty)
        }
    }

    @Test func operationOnALockedTerminalIs423() async throws {
        try await withServer { client, gateway, _, _ in
            let (code, body) = try await client.raw(
                method: "POST", path: "/v1/terminals/T01/operations",
                body: Array(#"{"action":"resident.view","target":"resident:1"}"#.utf8))
            #expect(code == 423)
            #expect(errorCode(body) == "terminal-locked")
            await #expect(throws: GatewayError.terminalLocked("T02")) {
                try await client.recordOperation(terminal: "T02", action: "resident.view", target: "resident:1")
            }
            #expect(await gateway.operations.isEmpty)
        }
    }

    @Test func historyWriteFailureIs503NoRecordNoAccess() async throws {
        try await withServer { client, gateway, _, _ in
            await gateway.setHistoryFails(true)
            let (code, body) = try await client.raw(
                method: "POST", path: "/v1/terminals/T03/operations",
                body: Array(#"{"action":"resident.view","target":"resident:1"}"#.utf8))
            #expect(code == 503)
            #expect(errorCode(body) == "history-unavailable")
            #expect(text(body).contains("no record, no access"))
            let (pinCode, _) = try await client.raw(method: "POST", path: "/v1/terminals/T02/pin", body: Array(#"{"pin":"73910468"}"#.utf8))
            #expect(pinCode == 503)
        }
    }

    @Test func lockLocksTheTerminalWithOrWithoutAnEmptyBody() async throws {
        try await withServer { client, _, _, _ in
            let view = try await client.lockTerminal("T03")
            #expect(view.state == .locked && view.lockReason == .manual)
            #expect(try await client.terminal("T03").state == .locked)
            let (code, _) = try await client.raw(method: "POST", path: "/v1/terminals/T02/lock", body: Array("{}".utf8))
            #expect(code == 200)
            let (bad, body) = try await client.raw(method: "POST", path: "/v1/terminals/T02/lock", body: Array(#"{"force":"yes"}"#.utf8))
            #expect(bad == 400 && errorCode(body) == "invalid-field")
        }
    }

    @Test func doorPINOpensTheDoorAndUnknownDoorIs404() async throws {
        try await withServer { client, _, _, _ in
            let (wrong, wrongBody) = try await client.raw(method: "POST", path: "/v1/doors/D01/pin", body: Array(#"{"pin":"1111"}"#.utf8))
            #expect(wrong == 403 && errorCode(wrongBody) == "wrong-pin")
            let decision = try await client.submitDoorPIN(door: "D01", pin: PIN(TestGateway.operatorPIN))
            #expect(decision.room == "R101" && decision.openSeconds == 5 && decision.operator == TestGateway.sato)
            let (code, body) = try await client.raw(method: "POST", path: "/v1/doors/D99/pin", body: Array(#"{"pin":"1234"}"#.utf8))
            #expect(code == 404 && errorCode(body) == "unknown-door")
        }
    }

    @Test func occupancyListsWhoIsInTheRoomAndUnknownRoomIs404() async throws {
        try await withServer { client, _, _, _ in
            let occupancy = try await client.occupancy(room: "R101")
            #expect(occupancy.occupants.map(\.operator) == [TestGateway.sato])
            let (code, body) = try await client.raw(method: "GET", path: "/v1/rooms/R999/occupancy")
            #expect(code == 404 && errorCode(body) == "unknown-room")
        }
    }

    @Test func emergencyLockAllLocksEveryTerminalAndKeepsTheReason() async throws {
        try await withServer { client, gateway, _, _ in
            let result = try await client.emergencyLockAll(reason: "earthquake")
            #expect(result.lockedTerminals == ["T01", "T02", "T03"])
            #expect(result.endedSessions == 1)
            for id in ["T01", "T02", "T03"] {
                let view = try await client.terminal(id)
                #expect(view.state == .locked && view.lockReason == .emergency)
            }
            let (code, _) = try await client.raw(method: "POST", path: "/v1/emergency/lock-all")
            #expect(code == 200)
            #expect(await gateway.emergencyReasons == ["earthquake", nil])
        }
    }
}
