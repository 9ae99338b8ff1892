/// vpcd's wire format without the socket: every message, both ways, is a 2-byte big-endian length and then
/// that many bytes of payload.
package enum VPCDFrame {
    /// The largest payload a frame carries.
    package static let maximumPayload = 0xFFFF

    /// The frame that carries `payload` (at most ``maximumPayload`` bytes).
    package static func encode(_ payload: [UInt8]) -> [UInt8] {
        precondition(payload.count <= maximumPayload, "vpcd frames carry at most 65535 bytes")
        return [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)] + payload
    }

    /// The payload length announced by a frame's 2-byte header.
    package static func payloadLength(header: [UInt8]) -> Int {
        precondition(header.count == 2, "a vpcd frame header is 2 bytes")
        return Int(header[0]) << 8 | Int(header[1])
    }

    /// Splits `bytes` into the payloads of its complete frames; `consumed` is the number of bytes they take,
    /// the rest being the start of a frame still incomplete.
    package static func parse(_ bytes: [UInt8]) -> (payloads: [[UInt8]], consumed: Int) {
        var payloads: [[UInt8]] = []
        var offset = 0
        while bytes.count - offset >= 2 {
            let length = payloadLength(header: Array(bytes[offset..<(offset + 2)]))
            guard bytes.count - offset - 2 >= length else { break }
            payloads.append(Array(bytes[(offset + 2)..<(offset + 2 + length)]))
            offset += 2 + length
        }
        return (payloads, offset)
    }
}

/// What vpcd asks of the card in one frame: a payload of one byte is a control code, a longer one a command
/// APDU, an empty one nothing.
package enum VPCDRequest: Equatable, Sendable {
    /// An empty payload: no request.
    case none
    /// `00`: power off.
    case powerOff
    /// `01`: power on.
    case powerOn
    /// `02`: reset.
    case reset
    /// `04`: the answer-to-reset is asked for.
    case getATR
    /// Another one-byte code (vpcd may add some later): ignored.
    case unknownControl(UInt8)
    /// A command APDU for the card.
    case apdu([UInt8])

    /// Reads one frame's payload.
    package init(payload: [UInt8]) {
        switch payload.count {
        case 0: self = .none
        case 1:
            switch payload[0] {
            case 0x00: self = .powerOff
            case 0x01: self = .powerOn
            case 0x02: self = .reset
            case 0x04: self = .getATR
            default: self = .unknownControl(payload[0])
            }
        default: self = .apdu(payload)
        }
    }

    /// What `emulator` answers: the ATR to get-ATR, its response to a command APDU (`6F00` for one too long for
    /// a frame), and nothing at all to the rest (power on and reset reset the card) or when the card is mute.
    package func reply(from emulator: any CardEmulator) -> [UInt8]? {
        switch self {
        case .none, .powerOff, .unknownControl:
            return nil
        case .powerOn, .reset:
            emulator.reset()
            return nil
        case .getATR:
            return emulator.atr
        case .apdu(let command):
            return emulator.process(command).map { $0.count <= VPCDFrame.maximumPayload ? $0 : [0x6F, 0x00] }
        }
    }
}
