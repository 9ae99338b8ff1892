/// Turns the bytes a terminal in raw mode sends into lock-screen keys: digits (ASCII or full-width from a
/// Japanese input method), Backspace/Delete, Enter, Esc and Ctrl-U (clear). Escape sequences of other keys
/// (arrows, function keys) are swallowed.
public struct KeyDecoder: Sendable {
    private enum State: Sendable {
        case ground
        case escape  // after ESC
        case sequence  // inside ESC [ … or ESC O …
        case utf8(lead: [UInt8], remaining: Int)
    }

    private var state = State.ground

    /// A decoder in its initial state.
    public init() {}

    /// The keys `bytes` complete. A lone ESC counts as clear only when the next byte is not `[` or `O`;
    /// call ``flush()`` when no byte followed it (the read returned just ESC).
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [LockScreenModel.Key] {
        var keys: [LockScreenModel.Key] = []
        for byte in bytes {
            switch state {
            case .escape:
                if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "O") {
                    state = .sequence
                    continue
                }
                keys.append(.clear)
                state = .ground
                keys += ground(byte)
            case .sequence:
                if (0x40...0x7E).contains(byte) { state = .ground }
            case .utf8(var lead, let remaining):
                guard byte & 0xC0 == 0x80 else {
                    state = .ground
                    keys += ground(byte)
                    continue
                }
                lead.append(byte)
                if remaining == 1 {
                    state = .ground
                    // Full-width digits ０–９ are U+FF10–FF19: EF BC 90–99.
                    if lead.count == 3, lead[0] == 0xEF, lead[1] == 0xBC, (0x90...0x99).contains(lead[2]) {
                        keys.append(.digit(Character(Unicode.Scalar(UInt8(ascii: "0") + lead[2] - 0x90))))
                    }
                } else {
                    state = .utf8(lead: lead, remaining: remaining - 1)
                }
            case .ground:
                keys += ground(byte)
            }
        }
        return keys
    }

    /// Ends a read: a pending lone ESC becomes clear.
    public mutating func flush() -> [LockScreenModel.Key] {
        if case .escape = state {
            state = .ground
            return [.clear]
        }
        return []
    }

    private mutating func ground(_ byte: UInt8) -> [LockScreenModel.Key] {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return [.digit(Character(Unicode.Scalar(byte)))]
        case 0x7F, 0x08: return [.backspace]
        case 0x0D, 0x0A: return [.enter]
        case 0x15: return [.clear]
        case 0x1B:
            state = .escape
            return []
        case 0xC0...0xDF:
            state = .utf8(lead: [byte], remaining: 1)
        case 0xE0...0xEF:
            state = .utf8(lead: [byte], remaining: 2)
        case 0xF0...0xF7:
            state = .utf8(lead: [byte], remaining: 3)
        default:
            break
        }
        return []
    }
}
