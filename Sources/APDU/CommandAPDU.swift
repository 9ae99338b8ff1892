import Vocabulary

/// A command APDU: header CLA INS P1 P2, optional data, optional Le (ISO/IEC 7816-4 §5.1).
///
/// ``encoded()`` writes the short form (data up to 255 bytes, Le up to 256). Longer data is sent as a
/// chain of short commands (``chainBlocks(maximumBlockSize:)``), which ``APDUChannel/exchange(_:)``
/// does for you. ``init(bytes:)`` parses both the short and the extended form, as a card must.
public struct CommandAPDU: Equatable, Sendable, CustomStringConvertible {
    /// Class byte. Bit `0x10` set = "more blocks of this command follow" (command chaining).
    public var cla: UInt8
    /// Instruction byte.
    public var ins: UInt8
    /// First parameter.
    public var p1: UInt8
    /// Second parameter.
    public var p2: UInt8
    /// The command data field (sent with Lc when not empty).
    public var data: [UInt8]
    /// Expected response length: nil = none expected, 1...256 short form (256 is encoded `00`),
    /// up to 65536 in the extended form.
    public var le: Int?

    /// The chaining bit of CLA.
    public static let chainingBit: UInt8 = 0x10

    /// Makes a command. `le` nil means no response data is expected.
    public init(cla: UInt8 = 0x00, ins: UInt8, p1: UInt8, p2: UInt8, data: [UInt8] = [], le: Int? = nil) {
        self.cla = cla
        self.ins = ins
        self.p1 = p1
        self.p2 = p2
        self.data = data
        self.le = le
    }

    /// True when CLA says more blocks of a chained command follow.
    public var isChainedBlock: Bool { cla & Self.chainingBit != 0 }

    /// The short-form encoding: `CLA INS P1 P2 [Lc data] [Le]`.
    ///
    /// Throws ``APDUError/Code/commandTooLong`` when data exceeds 255 bytes (use chaining) or Le is
    /// outside 1...256.
    public func encoded() throws(APDUError) -> [UInt8] {
        guard data.count <= 255 else {
            throw APDUError(.commandTooLong, "command data of \(data.count) bytes exceeds the short form's 255; send it chained")
        }
        var out: [UInt8] = [cla, ins, p1, p2]
        if !data.isEmpty {
            out.append(UInt8(data.count))
            out += data
        }
        if let le {
            guard (1...256).contains(le) else {
                throw APDUError(.commandTooLong, "Le \(le) is outside the short form's 1...256")
            }
            out.append(UInt8(le & 0xFF))
        }
        return out
    }

    /// Splits the command into short commands of at most `maximumBlockSize` data bytes each, with the
    /// chaining bit set on every block but the last; only the last carries Le. A command that fits
    /// is returned as it is.
    public func chainBlocks(maximumBlockSize: Int = 255) -> [CommandAPDU] {
        precondition((1...255).contains(maximumBlockSize), "block size must be 1...255")
        guard data.count > maximumBlockSize else { return [self] }
        var blocks: [CommandAPDU] = []
        var start = 0
        while start < data.count {
            let end = min(start + maximumBlockSize, data.count)
            let last = end == data.count
            blocks.append(CommandAPDU(
                cla: last ? cla & ~Self.chainingBit : cla | Self.chainingBit,
                ins: ins, p1: p1, p2: p2,
                data: Array(data[start..<end]),
                le: last ? le : nil))
            start = end
        }
        return blocks
    }

    /// Parses a command APDU in the short or the extended form (cases 1, 2, 3 and 4).
    public init(bytes: [UInt8]) throws(APDUError) {
        guard bytes.count >= 4 else {
            throw APDUError(.malformedCommand, "command of \(bytes.count) bytes is shorter than the 4-byte header")
        }
        cla = bytes[0]; ins = bytes[1]; p1 = bytes[2]; p2 = bytes[3]
        data = []
        le = nil
        let body = Array(bytes[4...])
        if body.isEmpty { return }                                    // case 1
        if body.count == 1 {                                          // case 2 short
            le = body[0] == 0 ? 256 : Int(body[0])
            return
        }
        if body[0] != 0 {                                             // case 3/4 short
            let lc = Int(body[0])
            if body.count == 1 + lc { data = Array(body[1...]); return }
            if body.count == 2 + lc {
                data = Array(body[1...lc])
                le = body[lc + 1] == 0 ? 256 : Int(body[lc + 1])
                return
            }
            throw APDUError(.malformedCommand, "Lc says \(lc) data bytes but \(body.count - 1) bytes follow it")
        }
        // Extended form: 00 then two bytes.
        guard body.count >= 3 else {
            throw APDUError(.malformedCommand, "extended length field is truncated (\(body.count) bytes after the header)")
        }
        let n = Int(body[1]) << 8 | Int(body[2])
        if body.count == 3 {                                          // case 2 extended
            le = n == 0 ? 65536 : n
            return
        }
        guard n > 0 else {
            throw APDUError(.malformedCommand, "extended Lc of 0 followed by more bytes")
        }
        if body.count == 3 + n { data = Array(body[3...]); return }   // case 3 extended
        if body.count == 5 + n {                                      // case 4 extended
            data = Array(body[3..<(3 + n)])
            let l = Int(body[3 + n]) << 8 | Int(body[4 + n])
            le = l == 0 ? 65536 : l
            return
        }
        throw APDUError(.malformedCommand, "extended Lc says \(n) data bytes but \(body.count - 3) bytes follow it")
    }

    /// `"00 CB 3F FF Lc=5 Le=256"` — header, lengths, never the data (it may hold a secret).
    public var description: String {
        var s = Hex.encode([cla, ins, p1, p2]).uppercased()
        if !data.isEmpty { s += " Lc=\(data.count)" }
        if let le { s += " Le=\(le)" }
        return s
    }
}
