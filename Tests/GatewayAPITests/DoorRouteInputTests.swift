import Foundation
import GatewayAPI
import Testing

/// The door controller's and the supervisors' door routes refuse bad input before the gateway hears of it.
@Suite("API input validation: door routes")
struct DoorRouteInputTests {
    @Test(arguments: [
        ("/v1/doors/D01/contact", #"{"state":"ajar"}"#, "invalid-field"),
        ("/v1/doors/D01/contact", #"{"state":"OPEN"}"#, "invalid-field"),
        ("/v1/doors/D01/contact", #"{"state":true}"#, "invalid-field"),
        ("/v1/doors/D01/contact", #"{}"#, "invalid-field"),
        ("/v1/doors/D01/contact", #"{"state":"open","why":"x"}"#, "invalid-field"),
        ("/v1/doors/D01/rex", #"{"force":"yes"}"#, "invalid-field"),
        ("/v1/doors/D01/visitor", #"{"name":"佐藤"}"#, "invalid-field"),
        ("/v1/doors/D01/visitor", #"{"name":"","organisation":"NEC"}"#, "invalid-field"),
        ("/v1/doors/D01/visitor", #"{"name":"a\nb","organisation":"NEC"}"#, "invalid-field"),
        ("/v1/doors/D01/visitor", #"{"name":"a\u202Eb","organisation":"NEC"}"#, "invalid-field"),
        ("/v1/doors/D01/visitor", "{\"name\":\"\(String(repeating: "あ", count: 65))\",\"organisation\":\"NEC\"}", "invalid-field"),
        ("/v1/alarms/0/acknowledge", "{}", "invalid-id"),
        ("/v1/alarms/-1/acknowledge", "{}", "invalid-id"),
        ("/v1/alarms/1e3/acknowledge", "{}", "invalid-id"),
        ("/v1/alarms/9999999999/acknowledge", "{}", "invalid-id"),
        ("/v1/emergency/release-doors", #"{"reason":"火事"}"#, "invalid-field"),
        ("/v1/emergency/restore-doors", #"{"reason":"over"}"#, "invalid-field"),
    ])
    func badDoorRequestsAre400AndChangeNothing(path: String, body: String, code: String) async throws {
        try await withServer { client, gateway, _, _ in
            let (status, answer) = try await client.raw(method: "POST", path: path, body: Array(body.utf8))
            #expect(status == 400)
            #expect(errorCode(answer) == code)
            #expect(await gateway.doorReports.isEmpty)
            #expect(await gateway.released == false)
        }
    }

    @Test func goodDoorRequestsReachTheGatewayWithTheirValues() async throws {
        try await withServer { client, gateway, _, _ in
            _ = try await client.reportDoorContact(door: "D01", open: true)
            _ = try await client.reportDoorContact(door: "D01", open: false)
            _ = try await client.requestToExit(door: "D01")
            let view = try await client.announceVisitor(door: "D01", name: " 佐藤 花子 ", organisation: "日本電気")
            #expect(view.visitorAnnounced)
            _ = try await client.overrideTwoPerson(door: "D01")
            #expect(await gateway.doorReports == ["open", "closed", "rex", "visitor 佐藤 花子 / 日本電気", "override"])
            #expect(try await client.alarms().alarms.map(\.alarm) == ["forced-open"])
            #expect(try await client.acknowledgeAlarm(1).acknowledgedBy != nil)
            #expect(try await client.releaseDoors(reason: "fire").released)
            #expect(try await client.door("D01").released)
            #expect(try await client.restoreDoors().released == false)
        }
    }

    @Test(arguments: [("GET", "/v1/doors/D01/contact"), ("GET", "/v1/emergency/release-doors"), ("DELETE", "/v1/alarms")])
    func wrongMethodsAre405(method: String, path: String) async throws {
        try await withServer { client, _, _, _ in
            let (status, _) = try await client.raw(method: method, path: path)
            #expect(status == 405)
        }
    }

    @Test func anUnknownDoorIs404() async throws {
        try await withServer { client, _, _, _ in
            let (status, answer) = try await client.raw(method: "POST", path: "/v1/doors/D99/rex", body: Array("{}".utf8))
            #expect(status == 404 && errorCode(answer) == "unknown-door")
        }
    }
}
