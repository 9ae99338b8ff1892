import Vocabulary

/// One BER-TLV data object (ISO/IEC 7816-4 §5.2, as PIV uses it): a tag of 1 to 3 bytes, a length in
/// 1 to 3 bytes (`xx`, `81 xx`, `82 xx xx`) and the value.
///
/// Tags are kept as their bytes packed big-endian into a `UInt32`: `0x53`, `0x7F49`, `0x5FC102`.
public struct TLV: Equatable, Sendable {
    /// The tag bytes, big-endian: `5F C1 02` is `0x5FC102`.
    public var tag: UInt32
    /// The value bytes.
    public var value: [UInt8]

    /// Makes a data object.
    public init(tag: UInt32, value: [UInt8]) {
        self.tag = tag
        self.value = value
    }

    /// Makes a constructed data object whose value is the encoding of `children`.
    public init(tag: UInt32, children: [TLV]) {
        self.tag = tag
        self.value = children.flatMap { $0.encoded() }
    }

    /// The tag as bytes (1 to 4).
    public var tagBytes: [UInt8] {
        var bytes: [UInt8] = []
        var t = tag
        repeat {
            bytes.insert(UInt8(t & 0xFF), at: 0)
            t >>= 8
        } while t != 0
        return bytes
    }

    /// True when the tag marks a constructed object (bit 6 of its first byte).
    public var isConstructed: Bool { tagBytes[0] & 0x20 != 0 }

    /// The BER length field for `count` bytes: `xx` below 128, `81 xx` below 256, `82 xx xx` below 65536,
    /// `83 xx xx xx` above.
    public static func encodeLength(_ count: Int) -> [UInt8] {
        precondition(count >= 0 && count <= 0xFF_FFFF, "TLV length out of range")
        switch count {
        case 0..<0x80: return [UInt8(count)]
        case 0x80...0xFF: return [0x81, UInt8(count)]
        case 0x100...0xFFFF: return [0x82, UInt8(count >> 8), UInt8(count & 0xFF)]
        default: return [0x83, UInt8(count >> 16), UInt8((count >> 8) & 0xFF), UInt8(count & 0xFF)]
        }
    }

    /// Tag ‖ length ‖ value.
    public func encoded() -> [UInt8] {
        tagBytes + Self.encodeLength(value.count) + value
    }

    /// Decodes one data object at the start of `bytes` and returns it with the number of bytes it used.
    public static func decodeFirst(_ bytes: ArraySlice<UInt8>) throws(APDUError) -> (tlv: TLV, consumed: Int) {
        var i = bytes.startIndex
        let offset = { (at: Int) in at - bytes.startIndex }
        guard i < bytes.endIndex else {
            throw APDUError(.truncatedTLV, "TLV is empty: a tag was expected")
        }
        // Tag: a first byte with low five bits 11111 continues while the next bytes have bit 8 set.
        var tag = UInt32(bytes[i])
        var tagLength = 1
        if bytes[i] & 0x1F == 0x1F {
            repeat {
                i += 1
                guard i < bytes.endIndex else {
                    throw APDUError(.truncatedTLV, "TLV multi-byte tag is cut off at offset \(offset(i))")
                }
                tagLength += 1
                guard tagLength <= 3 else {
                    throw APDUError(.tagTooLong, "TLV tag at offset 0 is longer than 3 bytes")
                }
                tag = tag << 8 | UInt32(bytes[i])
            } while bytes[i] & 0x80 != 0
        }
        i += 1
        guard i < bytes.endIndex else {
            throw APDUError(.truncatedTLV, "TLV with tag \(Hex.encode(TLV(tag: tag, value: []).tagBytes)) has no length byte")
        }
        let first = bytes[i]
        i += 1
        var length = 0
        if first < 0x80 {
            length = Int(first)
        } else if first == 0x81 || first == 0x82 || first == 0x83 {
            let n = Int(first & 0x7F)
            guard bytes.endIndex - i >= n else {
                throw APDUError(.truncatedTLV, "TLV length field \(Hex.encode([first])) needs \(n) more byte(s) but \(bytes.endIndex - i) remain")
            }
            for _ in 0..<n {
                length = length << 8 | Int(bytes[i])
                i += 1
            }
        } else {
            throw APDUError(.unsupportedLength, "TLV length byte \(Hex.encode([first])) is not a definite length of 1 to 3 bytes")
        }
        guard bytes.endIndex - i >= length else {
            throw APDUError(.lengthOverflow, "TLV with tag \(Hex.encode(TLV(tag: tag, value: []).tagBytes)) claims \(length) bytes but only \(bytes.endIndex - i) remain")
        }
        let value = Array(bytes[i..<(i + length)])
        return (TLV(tag: tag, value: value), offset(i) + length)
    }

    /// Decodes a sequence of data objects that fills `bytes` exactly.
    public static func decodeAll(_ bytes: [UInt8]) throws(APDUError) -> [TLV] {
        var out: [TLV] = []
        var rest = bytes[...]
        while !rest.isEmpty {
            let (tlv, used) = try decodeFirst(rest)
            out.append(tlv)
            rest = rest.dropFirst(used)
        }
        return out
    }

    /// Decodes exactly one data object that fills `bytes` (no trailing bytes).
    public static func decodeSingle(_ bytes: [UInt8]) throws(APDUError) -> TLV {
        let (tlv, used) = try decodeFirst(bytes[...])
        guard used == bytes.count else {
            throw APDUError(.lengthOverflow, "\(bytes.count - used) unexpected byte(s) after the TLV with tag \(Hex.encode(tlv.tagBytes))")
        }
        return tlv
    }

    /// The children of this object's value, decoded as a sequence of TLVs.
    public func children() throws(APDUError) -> [TLV] {
        try Self.decodeAll(value)
    }
}

extension Array where Element == TLV {
    /// The first data object with `tag`, if any.
    public func first(tag: UInt32) -> TLV? {
        first { $0.tag == tag }
    }
}
