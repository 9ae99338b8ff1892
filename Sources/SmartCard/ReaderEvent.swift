/// Something that happened to the readers or cards, as ``ReaderMonitor`` reports it.
public enum ReaderEvent: Sendable, Equatable, CustomStringConvertible {
    /// A reader appeared (also reported for every reader present when monitoring starts or pcscd returns).
    case readerAdded(String)
    /// A reader disappeared (unplugged, or pcscd stopped). Reported after ``cardRemoved(reader:)`` if it had a card.
    case readerRemoved(String)
    /// A card was put into `reader`; `atr` is its answer-to-reset (empty for a card that does not answer).
    case cardInserted(reader: String, atr: [UInt8])
    /// The card left `reader` (taken out, its reader gone, or pcscd stopped).
    case cardRemoved(reader: String)

    /// The reader the event is about.
    public var reader: String {
        switch self {
        case .readerAdded(let name), .readerRemoved(let name), .cardInserted(let name, _), .cardRemoved(let name): name
        }
    }

    /// One line for logs, e.g. "card inserted in CardGate T01 00 00, ATR 3B…".
    public var description: String {
        switch self {
        case .readerAdded(let name): "reader added: \(name)"
        case .readerRemoved(let name): "reader removed: \(name)"
        case .cardInserted(let name, let atr): "card inserted in \(name), ATR \(atr.map { hex2($0) }.joined())"
        case .cardRemoved(let name): "card removed from \(name)"
        }
    }
}

/// Two upper-case hex digits.
func hex2(_ byte: UInt8) -> String {
    let digits = String(byte, radix: 16, uppercase: true)
    return digits.count == 1 ? "0" + digits : digits
}
