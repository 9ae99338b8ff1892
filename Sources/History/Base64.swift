/// Standard base64 (RFC 4648 §4) with strict decoding, for notes, witness lines and proof files.
///
/// Decoding accepts canonical standard base64 only: padding required, no whitespace, no URL alphabet, and the
/// unused low bits of the last symbol zero — exactly the texts that `encode` produces, so one value has one
/// spelling. Works on the UTF-8 bytes directly (verification decodes a hundred thousand notes and witness lines).
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let pad = UInt8(ascii: "=")
    /// The value of each byte as a symbol, 0xFF for a byte that is none.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
        return table
    }()

    static func encode(_ bytes: [UInt8]) -> String {
        let count = (bytes.count + 2) / 3 * 4
        // Written in place: an array literal per group would allocate once per three bytes.
        let out = [UInt8](unsafeUninitializedCapacity: count) { out, written in
            let table = alphabet
            var i = 0, o = 0
            while i + 3 <= bytes.count {
                let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
                out[o] = table[Int(n >> 18)]
                out[o + 1] = table[Int(n >> 12 & 63)]
                out[o + 2] = table[Int(n >> 6 & 63)]
                out[o + 3] = table[Int(n & 63)]
                i += 3
                o += 4
            }
            let rest = bytes.count - i
            if rest > 0 {
                let n = UInt32(bytes[i]) << 16 | (rest == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
                out[o] = table[Int(n >> 18)]
                out[o + 1] = table[Int(n >> 12 & 63)]
                out[o + 2] = rest == 2 ? table[Int(n >> 6 & 63)] : pad
                out[o + 3] = pad
                o += 4
            }
            written = o
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of canonical base64 `text`, or nil when it is anything else.
    static func decode(_ text: some StringProtocol) -> [UInt8]? { decode(utf8: text.utf8) }

    /// ``decode(_:)`` of text given as its UTF-8 bytes.
    static func decode<Bytes: Collection<UInt8>>(utf8 text: Bytes) -> [UInt8]? {
        if let done = text.withContiguousStorageIfAvailable({ decode(buffer: $0) }) { return done }
        return Array(text).withUnsafeBufferPointer { decode(buffer: $0) }
    }

    private static func decode(buffer s: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard s.count % 4 == 0 else { return nil }
        guard !s.isEmpty else { return [] }
        let padding = s[s.count - 1] != pad ? 0 : s[s.count - 2] != pad ? 1 : 2
        var valid = true
        // Written in place: an array literal per group would allocate once per four symbols.
        let out = [UInt8](unsafeUninitializedCapacity: s.count / 4 * 3) { out, written in
            let table = values
            var i = 0, o = 0
            // Every group but the last: four symbols, no padding.
            while i + 4 < s.count {
                let a = table[Int(s[i])], b = table[Int(s[i + 1])], c = table[Int(s[i + 2])], d = table[Int(s[i + 3])]
                guard (a | b | c | d) & 0xC0 == 0 else { valid = false; return }   // 0xFF: not a symbol (also `=` inside)
                let n = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                out[o] = UInt8(n >> 16)
                out[o + 1] = UInt8(n >> 8 & 0xFF)
                out[o + 2] = UInt8(n & 0xFF)
                i += 4
                o += 3
            }
            let a = table[Int(s[i])], b = table[Int(s[i + 1])]
            let c = padding >= 2 ? 0 : table[Int(s[i + 2])], d = padding >= 1 ? 0 : table[Int(s[i + 3])]
            guard (a | b | c | d) & 0xC0 == 0 else { valid = false; return }
            // The unused bits of the last symbol must be zero.
            guard padding == 0 || (padding == 1 && c & 0x03 == 0) || (padding == 2 && b & 0x0F == 0) else { valid = false; return }
            let n = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
            out[o] = UInt8(n >> 16)
            if padding < 2 { out[o + 1] = UInt8(n >> 8 & 0xFF) }
            if padding < 1 { out[o + 2] = UInt8(n & 0xFF) }
            written = o + 3 - padding
        }
        return valid ? out : nil
    }
}
