import Foundation
import GatewayAPI
import Testing

/// Bad requests get a 4xx with a JSON error naming the problem, and a PIN is never echoed.
@Suite("API input validation")
struct GatewayServerInputTests {
    static let secretPIN = TestGateway.operatorPIN  // "73910468": must never appear in an answer or a log

    @Test(arguments: [
        ("{\"pin\":", "invalid-json"),
        ("[\"pin\"]", "invalid-json"),
        ("{\"pin\":1234}", "invalid-field"),
        ("{\"pin\":true}", "invalid-field"),
        ("{\"pin\":null}", "invalid-field"),
        ("{}", "invalid-field"),
        ("{\"pin\":\"1234\",\"extra\":\"x\"}", "invalid-field"),
        ("{\"pin\":\"123\"}", "invalid-pin"),
        ("{\"pin\":\"12345678901234567\"}", "invalid-pin"),
        ("{\"pin\":\"12a4\"}", "invalid-pin"),
        ("{\"pin\":\"１２３４\"}", "invalid-pin"),
    ])
    func malformedPINBodyIs400(body: String, code: String) async throws {
        try await withServer { client, _, _, _ in
            let (status, answer) = try await client.raw(method: "POST", path: "/v1/terminals/T02/pin", body: Array(body.utf8))
            #expect(status == 400)
            #expect(errorCode(answer) == code)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(answer)) as? [String: Any])
            #expect((object["message"] as? String)?.isEmpty == false)
        }
    }

    @Test func pinIsNeverEchoedInAnswersOrLogs() async throws {
        try await withServer { client, _, _, logs in
            let pin = Self.secretPIN
            var answers: [String] = []
            // Wrong type, wrong length, unknown field named like the PIN, a wrong PIN, a right one, a door.
            for (path, body) in [
                ("/v1/terminals/T02/pin", "{\"pin\":\"\(pin)x\"}"),
                ("/v1/terminals/T02/pin", "{\"pin\":\"\(pin)\(pin)\(pin)\"}"),
                ("/v1/terminals/T02/pin", "{\"pin\":\"1234\",\"\(pin)\":\"\(pin)\"}"),
                ("/v1/terminals/T02/pin", "{\"pin\":\"\(String(pin.reversed()))\"}"),
                ("/v1/terminals/T01/pin", "{\"pin\":\"\(pin)\"}"),
                ("/v1/doors/D01/pin", "{\"pin\":\"\(pin)\"}"),
                ("/v1/terminals/T02/pin", "{\"pin\":\"\(pin)\"}"),
                ("/v1/terminals/T03/operations", "{\"action\":\"\(pin)\",\"target\":\"\(pin)!\"}"),
            ] {
                let (_, answer) = try await client.raw(method: "POST", path: path, body: Array(body.utf8))
                answers.append(text(answer))
            }
            #expect(answers.count == 8)
            for answer in answers { #expect(!answer.contains(pin)) }
            #expect(!logs.all.isEmpty)
            for line in logs.all { #expect(!line.contains(pin)) }
        }
    }

    @Test func successfulReadsAreLoggedAtDebugAndActsAndRefusalsAtInfo() async throws {
        try await withServer { client, _, _, logs in
            _ = try await client.terminal("T01")
            _ = try await client.raw(method: "GET", path: "/v1/no-such-route")
            _ = try await client.raw(method: "POST", path: "/v1/terminals/T01/operations", body: Array("{}".utf8))
            let requests = logs.all.filter { $0.contains(": request ") }
            #expect(requests.contains { $0.hasPrefix("<7>") && $0.contains("method=GET") && $0.contains("status=200") }, "\(requests)")
            #expect(requests.contains { $0.hasPrefix("<6>") && $0.contains("method=GET") && $0.contains("status=404") }, "\(requests)")
            #expect(requests.contains { $0.hasPrefix("<6>") && $0.contains("method=POST") }, "\(requests)")
            #expect(!requests.contains { $0.hasPrefix("<6>") && $0.contains("status=200") && $0.contains("method=GET") })
        }
    }

    @Test func pinPutInAPathNeverReachesTheLog() async throws {
        try await withServer { client, _, _, logs in
            let pin = Self.secretPIN
            let (status, answer) = try await client.raw(method: "GET", path: "/v1/terminals/T02/pin/\(pin)")
            #expect(status == 404 && !text(answer).contains(pin))
            _ = try await client.terminal("T01")
            let lines = logs.all
            #expect(lines.contains { $0.contains("error=not-found") && $0.contains("status=404") })
            #expect(lines.contains { $0.contains("route=/v1/terminals/{id}") && $0.contains("id=T01") && $0.contains("status=200") })
            for line in lines { #expect(!line.contains(pin)) }
        }
    }

    @Test(arguments: [
        ("{\"action\":\"Resident.View\",\"target\":\"r1\"}", "invalid-field"),
        ("{\"action\":\"resident view\",\"target\":\"r1\"}", "invalid-field"),
        ("{\"action\":\"resident.view\",\"target\":\"r1; DROP TABLE\"}", "invalid-field"),
        ("{\"action\":\"resident.view\",\"target\":\"\"}", "invalid-field"),
        ("{\"action\":\"resident.view\"}", "invalid-field"),
        ("{\"action\":\"\(String(repeating: "a", count: 65))\",\"target\":\"r1\"}", "invalid-field"),
        ("{\"action\":\"resident.view\",\"target\":\"\(String(repeating: "r", count: 129))\"}", "invalid-field"),
    ])
    func operationNotMatchingThePatternsIs400(body: String, code: String) async throws {
        try await withServer { client, gateway, _, _ in
            let (status, answer) = try await client.raw(method: "POST", path: "/v1/terminals/T03/operations", body: Array(body.utf8))
            #expect(status == 400)
            #expect(errorCode(answer) == code)
            #expect(await gateway.operations.isEmpty)
        }
    }

    @Test func oversizeBodyIs413() async throws {
        try await withServer { client, _, _, _ in
            let big = "{\"pin\":\"1234\",\"pad\":\"" + String(repeating: "x", count: 5000) + "\"}"
            let (status, answer) = try await client.raw(method: "POST", path: "/v1/terminals/T02/pin", body: Array(big.utf8))
            #expect(status == 413)
            #expect(errorCode(answer) == "body-too-large")
        }
    }

    @Test func bodyThatIsNotJSONMediaTypeIs415() async throws {
        try await withServer { client, _, _, _ in
            let (status, answer) = try await client.raw(
                method: "POST", path: "/v1/terminals/T02/pin", body: Array("pin=1234".utf8),
                contentType: "application/x-www-form-urlencoded")
            #expect(status == 415)
            #expect(errorCode(answer) == "unsupported-media-type")
        }
    }

    @Test(arguments: ["/v1/terminals/T%2F1", "/v1/terminals/-T1", "/v1/terminals/\(String(repeating: "T", count: 33))"])
    func malformedIDIs400(path: String) async throws {
        try await withServer { client, _, _, _ in
            let (status, answer) = try await client.raw(method: "GET", path: path)
            #expect(status == 400)
            #expect(errorCode(answer) == "invalid-id")
        }
    }

    @Test(arguments: [("GET", "/v1/nothing"), ("GET", "/"), ("POST", "/v1/terminals/T01/nothing")])
    func unknownRouteIs404WithJSON(method: String, path: String) async throws {
        try await withServer { client, _, _, _ in
            let (status, answer) = try await client.raw(method: method, path: path)
            #expect(status == 404)
            #expect(errorCode(answer) == "not-found")
        }
    }

    @Test(arguments: [("GET", "/v1/terminals/T01/pin"), ("DELETE", "/v1/terminals/T01")])
    func knownRouteWithAnotherMethodIs405WithJSON(method: String, path: String) async throws {
        try await withServer { client, _, _, _ in
            let (status, answer) = try await client.raw(method: method, path: path)
            #expect(status == 405)
            #expect(errorCode(answer) == "method-not-allowed")
        }
    }

    @Test func emergencyReasonMustMatchItsPattern() async throws {
        try await withServer { client, gateway, _, _ in
            let (status, answer) = try await client.raw(method: "POST", path: "/v1/emergency/lock-all", body: Array(#"{"reason":"地震"}"#.utf8))
            #expect(status == 400 && errorCode(answer) == "invalid-field")
            #expect(await gateway.emergencyReasons.isEmpty)
        }
    }
}
