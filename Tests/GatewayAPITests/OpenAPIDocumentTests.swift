import Foundation
import GatewayAPI
import Testing
import Vocabulary

/// docs/openapi.yaml stays in step with the code: every route and method, every status a route can answer with the
/// error codes that status carries, every error code, enum value and field of the wire types.
///
/// The document is read as text (no YAML library): blocks are found by their header line and indentation.
/// `make api-fuzz` checks the same document against the running daemon.
@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    static let document: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)) ?? ""
    }()

    static let lines = document.split(separator: "\n", omittingEmptySubsequences: false)

    static let paths = [
        "/v1/status", "/v1/terminals/{id}", "/v1/terminals/{id}/pin", "/v1/terminals/{id}/operations",
        "/v1/terminals/{id}/lock", "/v1/doors/{id}/pin", "/v1/doors/{id}", "/v1/doors/{id}/contact", "/v1/doors/{id}/rex",
        "/v1/doors/{id}/visitor", "/v1/doors/{id}/override", "/v1/rooms/{id}/occupancy", "/v1/alarms",
        "/v1/alarms/{id}/acknowledge", "/v1/emergency/lock-all", "/v1/emergency/release-doors",
        "/v1/emergency/restore-doors", "/v1/events",
    ]

    /// Codes no route of the local API sends: those of the administration socket, and two kept for clients.
    static let notSentByTheAPI: Set<GatewayError.Code> = [.notLoggedIn, .notPermitted, .invalidRequest, .readerUnavailable]

    static func indentation(_ line: Substring) -> Int { line.prefix { $0 == " " }.count }

    /// The lines below the line `header` that are indented deeper than it (blank lines included), searching from
    /// the line `section` on when given.
    static func block(_ header: String, in section: String? = nil) -> [Substring] {
        var start = lines.startIndex
        if let section {
            guard let found = lines.firstIndex(where: { $0 == section }) else { return [] }
            start = found + 1
        }
        guard let index = lines[start...].firstIndex(where: { $0 == header }) else { return [] }
        let depth = indentation(lines[index])
        var result: [Substring] = []
        for line in lines[(index + 1)...] {
            if !line.allSatisfy({ $0 == " " }) && indentation(line) <= depth { break }
            result.append(line)
        }
        return result
    }

    /// The statuses a path declares, each with the name of its response component.
    static func responses(of path: String) -> [(status: Int, component: String)] {
        let pattern = #/^\s+"(\d{3})": \{ \$ref: "#/components/responses/(\w+)" \}/#
        return block("  \(path):").compactMap { line in
            guard let match = try? pattern.firstMatch(in: String(line)) else { return nil }
            return (Int(match.1)!, String(match.2))
        }
    }

    /// Every status a path declares, inline or by reference.
    static func statuses(of path: String) -> Set<Int> {
        Set(block("  \(path):").compactMap { line in
            (try? #/^ {8}"(\d{3})":/#.firstMatch(in: String(line))).map { Int($0.1)! }
        })
    }

    /// The `error` codes a response component allows.
    static func codes(ofResponse component: String) -> [String] {
        for line in block("    \(component):", in: "  responses:") {
            if let match = try? #/error: \{ enum: \[([^\]]*)\] \}/#.firstMatch(in: String(line)) {
                return match.1.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            }
        }
        return []
    }

    /// The property names of schema `name` (the lines indented 8 under its `properties:`).
    static func properties(ofSchema name: String) -> Set<String> {
        let schema = block("    \(name):", in: "  schemas:")
        guard let start = schema.firstIndex(where: { $0 == "      properties:" }) else { return [] }
        var names: Set<String> = []
        for line in schema[(start + 1)...] {
            if line.allSatisfy({ $0 == " " }) { continue }
            if indentation(line) <= 6 { break }
            if indentation(line) == 8, let colon = line.firstIndex(of: ":") {
                names.insert(line[line.startIndex..<colon].trimmingCharacters(in: .whitespaces))
            }
        }
        return names
    }

    @Test func documentsEveryRoute() {
        for path in Self.paths {
            #expect(Self.document.contains("  \(path):\n"), "\(path)")
        }
    }

    @Test func documentsExactlyTheRoutesAndMethodsOfTheRouteTable() {
        let table = GatewayRoutes.table.routes.map { (method: $0.method.lowercased(), path: $0.pattern.replacingOccurrences(of: ":id", with: "{id}")) }
        #expect(Set(table.map(\.path)) == Set(Self.paths))
        for path in Self.paths {
            let declared = Set(Self.block("  \(path):").filter { Self.indentation($0) == 4 && $0.hasSuffix(":") }
                .map { $0.trimmingCharacters(in: .whitespaces).dropLast() }.filter { $0 != "parameters" }.map(String.init))
            #expect(declared == Set(table.filter { $0.path == path }.map(\.method)), "\(path)")
        }
    }

    @Test func documentsEveryErrorCodeAndEnumValue() {
        for code in GatewayError.Code.allCases { #expect(Self.document.contains("- \(code.rawValue)\n"), "\(code)") }
        let enums: [[String]] = [
            TerminalState.allCases.map(\.rawValue), LockReason.allCases.map(\.rawValue),
            ReaderState.allCases.map(\.rawValue), DoorNotice.Outcome.allCases.map(\.rawValue),
            DoorDirection.allCases.map(\.rawValue), DoorView.Awaiting.allCases.map(\.rawValue),
        ]
        for values in enums {
            #expect(Self.document.contains("enum: [\(values.joined(separator: ", "))]"), "\(values)")
        }
    }

    /// Every route can be refused (403: at connect, or by the route's permission) and turned away for its limits
    /// (503 at connect), can meet an internal error (500), and answers other methods with 405.
    @Test(arguments: paths)
    func everyRouteListsTheStatusesEveryRouteCanAnswer(path: String) {
        let statuses = Set(Self.responses(of: path).map(\.status))
        for status in [403, 405, 500, 503] { #expect(statuses.contains(status), "\(path) \(status)") }
        let forbidden = Self.codes(ofResponse: Self.responses(of: path).first { $0.status == 403 }?.component ?? "")
        let unavailable = Self.codes(ofResponse: Self.responses(of: path).first { $0.status == 503 }?.component ?? "")
        #expect(forbidden.contains("forbidden"), "\(path)")
        #expect(unavailable.contains("too-many-connections"), "\(path)")
    }

    @Test func routeSpecificStatusesAreListed() {
        func statuses(_ path: String) -> Set<Int> { Self.statuses(of: path) }
        #expect(statuses("/v1/terminals/{id}/operations").isSuperset(of: [201, 400, 404, 413, 415, 423]))
        #expect(statuses("/v1/terminals/{id}/pin").isSuperset(of: [200, 400, 404, 409, 413, 415]))
        #expect(statuses("/v1/doors/{id}/pin").isSuperset(of: [200, 400, 404, 409, 413, 415]))
        #expect(statuses("/v1/events").isSuperset(of: [200, 400, 404, 429]))
        #expect(statuses("/v1/emergency/lock-all").isSuperset(of: [200, 400, 413, 415]))
        #expect(statuses("/v1/doors/{id}/visitor").isSuperset(of: [200, 400, 404, 409, 413, 415]))
        #expect(statuses("/v1/alarms/{id}/acknowledge").isSuperset(of: [200, 400, 404, 413, 415]))
        #expect(statuses("/v1/emergency/release-doors").isSuperset(of: [200, 400, 413, 415]))
        #expect(!statuses("/v1/status").contains(400))
    }

    /// Each status lists only codes of that status, and every code the API sends is listed by some route.
    @Test func eachStatusListsOnlyItsOwnCodesAndEveryCodeIsListed() {
        var listed: Set<String> = []
        for path in Self.paths {
            for (status, component) in Self.responses(of: path) {
                let codes = Self.codes(ofResponse: component)
                #expect(!codes.isEmpty, "\(path) \(status) \(component) lists no error codes")
                for code in codes {
                    #expect(GatewayError.Code(rawValue: code)?.httpStatus == status, "\(path) \(status): \(code)")
                }
                listed.formUnion(codes)
            }
        }
        for code in GatewayError.Code.allCases where !Self.notSentByTheAPI.contains(code) {
            #expect(listed.contains(code.rawValue), "no route lists \(code.rawValue)")
        }
    }

    @Test func methodNotAllowedDeclaresTheAllowHeader() {
        #expect(Self.block("    MethodNotAllowed:", in: "  responses:").contains { $0.contains("Allow: { $ref: \"#/components/headers/Allow\" }") })
        #expect(Self.block("    Allow:", in: "  headers:").contains { $0.contains("required: true") })
    }

    /// The event stream: `event: <kind>` and `data: <JSON>`, one schema per kind, each with its payload.
    @Test func describesTheEventStreamAsSent() throws {
        let events = Self.block("  /v1/events:")
        #expect(events.contains { $0.contains("text/event-stream:") })
        #expect(events.contains { $0.contains(##"schema: { $ref: "#/components/schemas/Event" }"##) })
        #expect(Self.document.contains(ServerSentEvents.openingComment.trimmingCharacters(in: .newlines)))
        let payloads: [(kind: String, schema: String)] = [
            ("terminal", "TerminalView"), ("reader", "ReaderView"), ("door", "DoorNotice"), ("emergency", "EmergencyLockResult"),
        ]
        for (kind, schema) in payloads {
            let name = kind.prefix(1).uppercased() + kind.dropFirst() + "Event"
            let block = Self.block("    \(name):", in: "  schemas:")
            #expect(block.contains { $0.contains("event: { const: \(kind) }") }, "\(name)")
            #expect(block.contains { $0.contains("contentMediaType: application/json") }, "\(name)")
            #expect(block.contains { $0.contains("contentSchema: { $ref: \"#/components/schemas/\(schema)\" }") }, "\(name)")
            #expect(Self.block("    Event:", in: "  schemas:").contains { $0.contains("#/components/schemas/\(name)") }, "\(name)")
        }
        // The example is what the encoder writes.
        let frame = try ServerSentEvents.encode(.terminal(TerminalView(id: "T01", state: .awaitingPIN)))
        #expect(Self.document.contains(frame.trimmingCharacters(in: .newlines).replacingOccurrences(of: "\n", with: "\n                ")))
    }

    /// Every field the server encodes is documented, and nothing else.
    @Test func documentsEveryFieldOfTheWireTypes() throws {
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        let who = OperatorSummary(id: "op-1", name: "山田 太郎")
        func keys(_ value: some Encodable) throws -> Set<String> {
            Set((try JSONSerialization.jsonObject(with: try APIJSON.encoder().encode(value)) as? [String: Any] ?? [:]).keys)
        }
        let samples: [(String, Set<String>)] = [
            ("OperatorSummary", try keys(who)),
            ("TerminalView", try keys(TerminalView(
                id: "T01", state: .unlocked, operator: who, unlockedAt: at, idleLockAt: at, sessionEndsAt: at, attemptsLeft: 2,
                lockReason: .manual, refusal: "not-genuine"))),
            ("ReaderView", try keys(ReaderView(name: "CardGate T01 00 00", role: .terminal(id: "T01"), state: .empty))),
            ("GatewayStatus", try keys(GatewayStatus(version: "1", startedAt: at, pcscdRunning: true, historyOK: true, readers: [], terminals: []))),
            ("OperationReceipt", try keys(OperationReceipt(
                terminal: "T01", operator: who, action: "a", target: "b", recordedAt: at, historySequence: 1, idleLockAt: at))),
            ("DoorOpening", try keys(DoorOpening(
                door: "D1", room: "R1", direction: .entry, operator: who, openSeconds: 0, decidedAt: at, awaitingSecondPersonUntil: at))),
            ("OccupancyView", try keys(OccupancyView(room: "R1", occupants: [], visitors: [], asOf: at))),
            ("RoomVisitor", try keys(RoomVisitor(name: "田中 一郎", organisation: "東京電力", escort: who, enteredAt: at))),
            ("DoorView", try keys(DoorView(
                id: "D1", room: "R1", contactOpen: false, alarms: [], released: false, awaiting: .pin, awaitingUntil: at,
                visitorAnnounced: false, overridePending: false))),
            ("AlarmView", try keys(AlarmView(
                id: 1, door: "D1", room: "R1", alarm: "forced-open", raisedAt: at, clearedAt: at, acknowledgedAt: at, acknowledgedBy: "uid:0"))),
            ("AlarmList", try keys(AlarmList(alarms: []))),
            ("DoorReleaseResult", try keys(DoorReleaseResult(released: true, doors: [], lockedTerminals: [], unrecorded: [], reason: "fire", at: at))),
            ("Occupant", try keys(Occupant(operator: who, enteredAt: at, door: "D1"))),
            ("DoorNotice", try keys(DoorNotice(door: "D1", room: "R1", outcome: .refused, operator: who, reason: "r", at: at))),
            ("EmergencyLockResult", try keys(EmergencyLockResult(lockedTerminals: ["T01"], endedSessions: 1, reason: "r", at: at))),
        ]
        for (schema, encoded) in samples {
            #expect(Self.properties(ofSchema: schema) == encoded, "\(schema)")
        }
        for role in [ReaderRole.admin, .adminSubject, .terminal(id: "T01"), .door(id: "D1", room: "R1", direction: .exit)] {
            let object = try JSONSerialization.jsonObject(with: try APIJSON.encoder().encode(role)) as? [String: String] ?? [:]
            #expect(Self.block("    ReaderRole:", in: "  schemas:").contains { $0.contains("kind: { const: \(object["kind"] ?? "?") }") }, "\(role)")
        }
    }

    @Test func documentsTheInputPatternsTheServerEnforces() throws {
        #expect(Self.document.contains(#"pattern: "^[0-9]{4,16}$""#))
        #expect(Self.document.contains(#"pattern: "^[a-z][a-z0-9._-]{0,63}$""#))
        #expect(Self.document.contains(#"pattern: "^[A-Za-z0-9][A-Za-z0-9._:/@#-]{0,127}$""#))
        #expect(Self.document.contains(#"pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$""#))
        // The documented patterns accept and refuse what the server does.
        let action = try Regex("^[a-z][a-z0-9._-]{0,63}$")
        for sample in ["resident.view", "Resident", "a b", "x", String(repeating: "a", count: 65)] {
            let documented = (try? action.wholeMatch(in: sample)) != nil
            #expect(documented == ((try? InputRules.action(sample)) != nil), "\(sample)")
        }
        let target = try Regex("^[A-Za-z0-9][A-Za-z0-9._:/@#-]{0,127}$")
        for sample in ["resident:1", ":x", "a/b@c#d", "a b", "r;1", String(repeating: "r", count: 129)] {
            let documented = (try? target.wholeMatch(in: sample)) != nil
            #expect(documented == ((try? InputRules.target(sample)) != nil), "\(sample)")
        }
        let id = try Regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
        for sample in ["T01", "0.9", "-T1", ".T1", "T/1", "端末", String(repeating: "Z", count: 32), String(repeating: "Z", count: 33)] {
            let documented = (try? id.wholeMatch(in: sample)) != nil
            #expect(documented == ((try? InputRules.id(sample, field: "id")) != nil), "\(sample)")
        }
    }
}
