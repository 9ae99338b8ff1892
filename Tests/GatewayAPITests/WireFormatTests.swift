import Foundation
import GatewayAPI
import Testing
@_spi(PINDigits) import Vocabulary

@Suite("Wire formats and input rules")
struct WireFormatTests {
    @Test func terminalEventEncodesToAFixedSSEFrame() throws {
        let view = TerminalView(
            id: "T01", state: .unlocked, operator: OperatorSummary(id: "op-1", name: "山田 太郎"),
            unlockedAt: Date(timeIntervalSince1970: 0), idleLockAt: Date(timeIntervalSince1970: 600))
        let frame = try ServerSentEvents.encode(.terminal(view))
        #expect(frame == """
            event: terminal
            data: {"id":"T01","idleLockAt":"1970-01-01T00:10:00Z","operator":{"id":"op-1","name":"山田 太郎"},"state":"unlocked","unlockedAt":"1970-01-01T00:00:00Z"}


            """)
    }

    @Test func everyEventKindRoundTripsThroughTheSSEParser() throws {
        let at = Date(timeIntervalSince1970: 1_000_000)
        let events: [GatewayEvent] = [
            .terminal(.locked("T01", reason: .cardRemoved)),
            .reader(ReaderView(name: "CardGate Test A 00 00", role: .terminal(id: "T01"), state: .cardPresent)),
            .reader(ReaderView(name: "CardGate Test C 00 00", role: .admin, state: .empty)),
            .reader(ReaderView(name: "CardGate Test B 00 01", role: .door(id: "D01", room: "R101", direction: .exit), state: .unavailable)),
            .door(DoorNotice(door: "D01", room: "R101", outcome: .refused, reason: "out of hours\nafter 18:00", at: at)),
            .emergency(EmergencyLockResult(lockedTerminals: ["T01"], endedSessions: 1, reason: "earthquake", at: at)),
        ]
        var parser = SSEParser()
        var parsed: [SSEParser.Event] = []
        let stream = Array((ServerSentEvents.openingComment + events.map { try! ServerSentEvents.encode($0) }.joined()).utf8)
        for chunk in stream.chunks(ofCount: 7) { parsed += try parser.feed(chunk) }
        #expect(parsed.count == 6)
        #expect(try parsed.map { try ServerSentEvents.decode(kind: $0.name, data: $0.data) } == events)
    }

    @Test func sseParserHandlesCRLFMultiLineDataCommentsAndSplitLineEnds() throws {
        var parser = SSEParser()
        var events = try parser.feed(Array(": hello\r\nevent: x\r\ndata: a\r\ndata:b\r".utf8))
        #expect(events.isEmpty)
        events = try parser.feed(Array("\n\r\ndata: c\n\nid: 7\nretry: 10\n\n".utf8))
        #expect(events == [SSEParser.Event(name: "x", data: "a\nb"), SSEParser.Event(name: "message", data: "c")])
    }

    @Test func unknownEventKindsAreSkipped() throws {
        #expect(try ServerSentEvents.decode(kind: "future", data: "{}") == nil)
    }

    @Test(arguments: ["T01", "door-2", "R_101", "a", String(repeating: "Z", count: 32), "0.9"])
    func validIDsPass(id: String) throws {
        #expect(try InputRules.id(id, field: "id") == id)
    }

    @Test(arguments: ["", "-T1", ".T1", "T 1", "T/1", "T%2F1", "端末", String(repeating: "Z", count: 33), "T1\n"])
    func invalidIDsAreRefused(id: String) {
        #expect(throws: GatewayError.self) { try InputRules.id(id, field: "id") }
    }

    @Test func actionAndTargetPatterns() throws {
        #expect(try InputRules.action("resident.view") == "resident.view")
        #expect(try InputRules.target("resident:000123456789") == "resident:000123456789")
        #expect(try InputRules.target("user@host/path#1") == "user@host/path#1")
        for bad in ["Resident", "1abc", "a b", "a;b", ""] {
            #expect(throws: GatewayError.self) { try InputRules.action(bad) }
        }
        for bad in [":x", "a b", "a'b", "a\"b", "", "<script>"] {
            #expect(throws: GatewayError.self) { try InputRules.target(bad) }
        }
    }

    @Test func pinAcceptsFourToSixteenASCIIDigitsOnly() {
        #expect((try? InputRules.pin("1234")) != nil)
        #expect((try? InputRules.pin("1234567890123456")) != nil)
        for bad in ["123", "12345678901234567", "12a4", "１２３４", " 1234", "1234 ", "-123", "", "1234\n"] {
            #expect(throws: GatewayError.self) { try InputRules.pin(bad) }
        }
    }

    @Test func pinNeverPrintsItsDigits() throws {
        let pin = try InputRules.pin("73910468")
        var dumped = ""
        dump(pin, to: &dumped)
        for text in ["\(pin)", String(describing: pin), String(reflecting: pin), dumped, "\([pin])"] {
            #expect(!text.contains("73910468"))
        }
        #expect(String(decoding: pin.digits, as: UTF8.self) == "73910468")
    }

    @Test func strictObjectRefusesUnknownMissingAndNonStringFields() throws {
        let ok = try StrictJSONObject(bytes: Array(#"{"action":"a","target":"b"}"#.utf8), allowed: ["action", "target"], required: ["action", "target"])
        #expect(ok.fields == ["action": "a", "target": "b"])
        #expect(try StrictJSONObject(bytes: Array("  \n".utf8), allowed: [], required: []).fields.isEmpty)
        let cases: [(String, GatewayError.Code)] = [
            (#"{"action":"a"}"#, .invalidField),
            (#"{"action":"a","target":"b","x":"c"}"#, .invalidField),
            (#"{"action":1,"target":"b"}"#, .invalidField),
            (#"{"action":["a"],"target":"b"}"#, .invalidField),
            (#""a""#, .invalidJSON),
            (#"{"action":"a","#, .invalidJSON),
        ]
        for (body, code) in cases {
            let error = #expect(throws: GatewayError.self) {
                try StrictJSONObject(bytes: Array(body.utf8), allowed: ["action", "target"], required: ["action", "target"])
            }
            #expect(error?.code == code, "\(body)")
        }
    }

    @Test func errorCodesMapToTheDocumentedStatuses() {
        let expected: [GatewayError.Code: Int] = [
            .invalidJSON: 400, .invalidField: 400, .invalidPIN: 400, .invalidID: 400, .invalidRequest: 400,
            .notFound: 404, .unknownTerminal: 404, .unknownDoor: 404, .unknownRoom: 404,
            .notLoggedIn: 401, .forbidden: 403, .cardRefused: 403, .notPermitted: 403,
            .wrongPIN: 403, .cardBlocked: 403, .accessRefused: 403, .methodNotAllowed: 405, .notAwaitingPIN: 409, .conflict: 409,
            .bodyTooLarge: 413, .unsupportedMediaType: 415, .terminalLocked: 423, .tooManyStreams: 429,
            .historyUnavailable: 503, .readerUnavailable: 503, .unavailable: 503, .unlockFailed: 503, .tooManyConnections: 503,
            .internal: 500,
        ]
        #expect(expected.count == GatewayError.Code.allCases.count)
        for code in GatewayError.Code.allCases { #expect(code.httpStatus == expected[code], "\(code)") }
    }

    @Test func journalLogLinesCarryThePriorityAndStayOnOneLine() {
        let lines = LogLines()
        var handler = JournalLogHandler(label: "cardgate.api", level: .info, write: { lines.append($0) })
        handler[metadataKey: "pid"] = "42"
        handler.log(event: .init(level: .warning, message: "two\nlines", metadata: ["path": "/v1/status", "msg": "a b"], source: "t", file: #file, function: #function, line: #line))
        handler.log(event: .init(level: .error, message: "x", metadata: nil, source: "t", file: #file, function: #function, line: #line))
        #expect(lines.all == [
            "<4>cardgate.api: two lines msg=\"a b\" path=/v1/status pid=42\n",
            "<3>cardgate.api: x pid=42\n",
        ])
        #expect(JournalLogHandler.priority(.debug) == 7 && JournalLogHandler.priority(.critical) == 2)
    }

    @Test func broadcasterDeliversToEverySubscriberAndForgetsCancelledOnes() async {
        let broadcaster = EventBroadcaster()
        let first = broadcaster.subscribe()
        let second = broadcaster.subscribe()
        #expect(broadcaster.subscriberCount == 2)
        broadcaster.publish(.terminal(.locked("T01")))
        var iterator = first.makeAsyncIterator()
        #expect(await iterator.next() == .terminal(.locked("T01")))
        let (gotFirst, gotFirstContinuation) = AsyncStream<Void>.makeStream()
        let consumer = Task {
            var events = second.makeAsyncIterator()
            let event = await events.next()
            gotFirstContinuation.yield()
            _ = await events.next()  // waits until cancelled
            return event
        }
        var signal = gotFirst.makeAsyncIterator()
        await signal.next()
        consumer.cancel()
        #expect(await consumer.value == .terminal(.locked("T01")))
        #expect(broadcaster.subscriberCount == 1)
        broadcaster.finishAll()
        #expect(await iterator.next() == nil)
        #expect(broadcaster.subscriberCount == 0)
    }
}

extension Array {
    /// Consecutive slices of at most `count` elements.
    func chunks(ofCount count: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: self.count, by: count).map { self[$0..<Swift.min($0 + count, self.count)] }
    }
}
