/// An incremental parser of a `text/event-stream` (the WHATWG server-sent events format): feed it bytes as
/// they arrive, get back each event completed by a blank line. Comments (`:`), `id` and `retry` are ignored.
public struct SSEParser: Sendable {
    /// One parsed event.
    public struct Event: Sendable, Equatable {
        /// The `event:` field, `message` when absent.
        public var name: String
        /// The `data:` lines joined with newlines.
        public var data: String

        /// Creates an event.
        public init(name: String, data: String) {
            self.name = name
            self.data = data
        }
    }

    private var line: [UInt8] = []
    private var lastWasCR = false
    private var name: String?
    private var dataLines: [String] = []
    /// Longest line accepted; a longer one means the peer is not our server.
    public static let maximumLineLength = 1 << 20

    /// Creates an empty parser.
    public init() {}

    /// Feeds `bytes`; returns the events they complete.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(SSEParserError) -> [Event] {
        var events: [Event] = []
        for byte in bytes {
            if byte == 0x0A, lastWasCR {  // the LF of a CRLF
                lastWasCR = false
                continue
            }
            lastWasCR = byte == 0x0D
            if byte == 0x0A || byte == 0x0D {
                if let event = endLine() { events.append(event) }
            } else {
                guard line.count < Self.maximumLineLength else { throw SSEParserError() }
                line.append(byte)
            }
        }
        return events
    }

    private mutating func endLine() -> Event? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            defer { name = nil; dataLines = [] }
            guard !dataLines.isEmpty else { return nil }
            return Event(name: name ?? "message", data: dataLines.joined(separator: "\n"))
        }
        if line[0] == UInt8(ascii: ":") { return nil }
        let text = String(decoding: line, as: UTF8.self)
        let field: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
        } else {
            field = text[...]
            value = ""
        }
        switch field {
        case "event": name = String(value)
        case "data": dataLines.append(String(value))
        default: break
        }
        return nil
    }
}

/// The event stream had a line longer than ``SSEParser/maximumLineLength``.
public struct SSEParserError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var description: String { "the event stream sent a line longer than \(SSEParser.maximumLineLength) bytes" }
}
