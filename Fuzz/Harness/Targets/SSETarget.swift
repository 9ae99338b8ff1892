import GatewayAPI

/// The client's reader of the daemon's event stream (`SSEParser`, `text/event-stream`) and the payloads of
/// the events it carries (`ServerSentEvents.decode`).
///
/// Input: one byte for the size of the pieces the stream arrives in, then the stream.
///
/// Contract: the events do not depend on how the stream is cut into pieces; events written back in the
/// stream format read back as the same events; a payload that decodes to a ``GatewayEvent`` is encoded by the
/// server as text that reads back as the same event.
public enum SSETarget: FuzzTarget {
    public static let name = "sse"

    public static func run(_ input: [UInt8]) throws(ContractViolation) {
        var reader = FuzzInput(input)
        let pieceSize = Int(reader.byte() % 64) + 1
        let stream = reader.rest()
        let whole = try events(of: [stream])
        let pieces = stride(from: 0, to: stream.count, by: pieceSize).map { Array(stream[$0..<min($0 + pieceSize, stream.count)]) }
        try require(try events(of: pieces) == whole, "the events depend on how the stream is cut (pieces of \(pieceSize))")
        let written = whole.map(write).joined()
        try require(try events(of: [Array(written.utf8)]) == whole, "events written back read differently")
        for event in whole {
            guard let decoded = try? ServerSentEvents.decode(kind: event.name, data: event.data) else { continue }
            try require(decoded.kind == event.name, "an event named \(event.name) decodes as \(decoded.kind)")
            let text: String
            do {
                text = try ServerSentEvents.encode(decoded)
            } catch {
                throw ContractViolation("a decoded \(decoded.kind) event cannot be encoded: \(error)")
            }
            let reread = try events(of: [Array(text.utf8)])
            try require(reread.count == 1, "an encoded event reads as \(reread.count) events")
            let again = try? ServerSentEvents.decode(kind: reread[0].name, data: reread[0].data)
            try require(again == decoded, "a \(decoded.kind) event does not survive encoding")
        }
    }

    /// The events of a stream that arrives in `pieces`.
    static func events(of pieces: [[UInt8]]) throws(ContractViolation) -> [SSEParser.Event] {
        var parser = SSEParser()
        var all: [SSEParser.Event] = []
        do {
            for piece in pieces { all += try parser.feed(piece) }
        } catch {
            throw ContractViolation("a stream of \(pieces.reduce(0) { $0 + $1.count }) bytes has a line over the limit")
        }
        return all
    }

    /// One event in the stream format, the way the server writes it.
    static func write(_ event: SSEParser.Event) -> String {
        "event: \(event.name)\n" + event.data.split(separator: "\n", omittingEmptySubsequences: false).map { "data: \($0)\n" }.joined() + "\n"
    }

    public static func seeds() throws -> [Seed] {
        let opening = Array(ServerSentEvents.openingComment.utf8)
        let terminal = #"event: terminal\#ndata: {"id":"T01","state":"locked"}\#n\#n"#
        return [
            Seed("opening-and-terminal", [7] + opening + Array(terminal.utf8)),
            Seed("crlf-multiline", [3] + Array("retry: 10\r\nid: 5\r\nevent: door\r\ndata: {\r\ndata: }\r\n\r\n:comment\r\r".utf8)),
            Seed("no-event-name", [0] + Array("data:x\n\ndata\n\nevent:emergency\ndata: {\"lockedTerminals\":[\"T01\"],\"endedSessions\":1,\"at\":\"2026-11-28T05:41:00Z\"}\n\n".utf8)),
        ]
    }
}
