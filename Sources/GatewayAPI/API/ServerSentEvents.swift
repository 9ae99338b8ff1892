import Foundation

/// Encodes ``GatewayEvent``s as server-sent events: `event: <kind>`, `data: <JSON>`, blank line.
public enum ServerSentEvents {
    /// The comment sent first on every stream, so that the client sees the stream open at once.
    public static let openingComment = ": cardgate events\n\n"

    /// The text of one event.
    public static func encode(_ event: GatewayEvent) throws -> String {
        let encoder = APIJSON.encoder()
        let data: Data
        switch event {
        case .terminal(let view): data = try encoder.encode(view)
        case .reader(let reader): data = try encoder.encode(reader)
        case .door(let door): data = try encoder.encode(door)
        case .emergency(let result): data = try encoder.encode(result)
        }
        // The encoder writes one line: JSON escapes newlines inside strings.
        return "event: \(event.kind)\ndata: \(String(decoding: data, as: UTF8.self))\n\n"
    }

    /// Decodes the payload of an event named `kind`; nil for a kind this version does not know.
    public static func decode(kind: String, data: String) throws -> GatewayEvent? {
        let decoder = APIJSON.decoder()
        let bytes = Data(data.utf8)
        switch kind {
        case "terminal": return .terminal(try decoder.decode(TerminalView.self, from: bytes))
        case "reader": return .reader(try decoder.decode(ReaderView.self, from: bytes))
        case "door": return .door(try decoder.decode(DoorNotice.self, from: bytes))
        case "emergency": return .emergency(try decoder.decode(EmergencyLockResult.self, from: bytes))
        default: return nil
        }
    }
}
