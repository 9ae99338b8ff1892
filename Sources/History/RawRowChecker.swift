import Foundation
import Crypto
import GRDB
import GRDBSQLite

/// The fields of one stored event as pointers into SQLite's row (valid until the next step).
struct RawEvent {
    var sequence: Int64 = 0
    var year: Int64 = 0
    var time: Int64 = 0
    var kind = UnsafeRawBufferPointer(start: nil, count: 0)
    var result = UnsafeRawBufferPointer(start: nil, count: 0)
    var actor: UnsafeRawBufferPointer?
    var card: UnsafeRawBufferPointer?
    var place: UnsafeRawBufferPointer?
    var details = UnsafeRawBufferPointer(start: nil, count: 0)
    var previous = UnsafeRawBufferPointer(start: nil, count: 0)
    var hash = UnsafeRawBufferPointer(start: nil, count: 0)

    /// Reads the columns of `ChainVerifier.columns` from the current row.
    init(_ s: OpaquePointer) {
        // One sqlite3_column_value per column (each takes the connection's mutex); the sqlite3_value_* reads do not.
        func value(_ i: Int32) -> OpaquePointer { sqlite3_column_value(s, i) }
        func text(_ v: OpaquePointer) -> UnsafeRawBufferPointer {
            let p = sqlite3_value_text(v)
            return UnsafeRawBufferPointer(start: p.map(UnsafeRawPointer.init), count: Int(sqlite3_value_bytes(v)))
        }
        func optionalText(_ v: OpaquePointer) -> UnsafeRawBufferPointer? {
            // NULL gives a null pointer; an empty text gives a pointer to "" (never stored, but told apart).
            guard let p = sqlite3_value_text(v) else { return nil }
            return UnsafeRawBufferPointer(start: UnsafeRawPointer(p), count: Int(sqlite3_value_bytes(v)))
        }
        func blob(_ v: OpaquePointer) -> UnsafeRawBufferPointer {
            let p = sqlite3_value_blob(v)
            return UnsafeRawBufferPointer(start: p, count: Int(sqlite3_value_bytes(v)))
        }
        sequence = sqlite3_value_int64(value(0))
        year = sqlite3_value_int64(value(1))
        time = sqlite3_value_int64(value(2))
        kind = text(value(3))
        result = text(value(4))
        actor = optionalText(value(5))
        card = optionalText(value(6))
        place = optionalText(value(7))
        details = blob(value(8))
        previous = blob(value(9))
        hash = blob(value(10))
    }

    /// Largest encoding the verify loop accepts; anything larger cannot have been written by `append`.
    static let maximumEncodingSize = 4096

    /// Writes the canonical encoding (see `EventEncoding`) into `out` and returns its length, or nil if a field
    /// is larger than `append` ever writes.
    func encode(into out: UnsafeMutableRawBufferPointer) -> Int? {
        let sizes = kind.count + result.count + (actor?.count ?? 0) + (card?.count ?? 0) + (place?.count ?? 0) + details.count
        guard sizes + 40 <= out.count, sizes + 40 <= Self.maximumEncodingSize else { return nil }
        var o = 0
        out[o] = EventEncoding.version; o += 1
        out.storeBytes(of: UInt64(bitPattern: sequence).bigEndian, toByteOffset: o, as: UInt64.self); o += 8
        out.storeBytes(of: UInt64(bitPattern: time).bigEndian, toByteOffset: o, as: UInt64.self); o += 8
        func field(_ f: UnsafeRawBufferPointer) {
            out[o] = UInt8(truncatingIfNeeded: f.count >> 8)
            out[o + 1] = UInt8(truncatingIfNeeded: f.count)
            o += 2
            if let base = f.baseAddress, f.count > 0 {
                (out.baseAddress! + o).copyMemory(from: base, byteCount: f.count)
                o += f.count
            }
        }
        func optional(_ f: UnsafeRawBufferPointer?) {
            if let f { out[o] = 1; o += 1; field(f) } else { out[o] = 0; o += 1 }
        }
        field(kind)
        field(result)
        optional(actor)
        optional(card)
        optional(place)
        field(details)
        return o
    }

    /// The kind, if it is one of the vocabulary (compared only with the kinds of the same length).
    var knownKind: EventKind? {
        guard let base = kind.baseAddress, kind.count < RawEvent.kindsByLength.count else { return nil }
        for (bytes, k) in RawEvent.kindsByLength[kind.count] {
            if bytes.withUnsafeBytes({ memcmp($0.baseAddress!, base, kind.count) }) == 0 { return k }
        }
        return nil
    }

    var knownResult: Bool {
        guard let base = result.baseAddress else { return false }
        for r in RawEvent.results where r.count == result.count {
            if r.withUnsafeBytes({ memcmp($0.baseAddress!, base, result.count) }) == 0 { return true }
        }
        return false
    }

    /// The kinds' bytes, grouped by length (index = length).
    static let kindsByLength: [[([UInt8], EventKind)]] = {
        var out = [[([UInt8], EventKind)]](repeating: [], count: 65)
        for k in EventKind.allCases where k.rawValue.utf8.count < out.count { out[k.rawValue.utf8.count].append((Array(k.rawValue.utf8), k)) }
        return out
    }()
    static let results: [[UInt8]] = EventResult.allCases.map { Array($0.rawValue.utf8) }

    /// Whether the details are in canonical form, without decoding them (tags ascending and known, sizes right).
    var detailsLookCanonical: Bool {
        let d = details
        guard d.count <= EventDetails.maximumEncodedSize else { return false }
        var i = 0
        var last: UInt8 = 0
        while i < d.count {
            guard i + 3 <= d.count else { return false }
            let tag = d[i]
            let len = Int(d[i + 1]) << 8 | Int(d[i + 2])
            i += 3
            guard tag > last, let t = EventDetails.Tag(rawValue: tag), i + len <= d.count else { return false }
            last = tag
            switch t {
            case .retriesLeft, .year, .count: guard len == 8 else { return false }
            case .outsideGrantedHours: guard len == 1, d[i] <= 1 else { return false }
            case .digest: guard len == 32 else { return false }
            case .reason, .operation, .record, .session, .program, .door, .visitor, .organisation:
                guard len >= 1, len <= EventDetails.maximumTextBytes, Self.isCleanUTF8(UnsafeRawBufferPointer(rebasing: d[i..<(i + len)])) else { return false }
            }
            i += len
        }
        return true
    }
}

extension RawEvent {
    /// Whether a string has no control character (Unicode category Cc: U+0000…U+001F, U+007F…U+009F).
    static func isCleanText(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { isCleanUTF8(UnsafeRawBufferPointer($0)) }
    }

    /// Valid UTF-8 (no overlongs, no surrogates, at most U+10FFFF) without control characters (Cc).
    static func isCleanUTF8(_ b: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c < 0x80 {
                if c < 0x20 || c == 0x7F { return false }
                i += 1
                continue
            }
            let need: Int
            var scalar: UInt32
            switch c {
            case 0xC2...0xDF: need = 1; scalar = UInt32(c & 0x1F)
            case 0xE0...0xEF: need = 2; scalar = UInt32(c & 0x0F)
            case 0xF0...0xF4: need = 3; scalar = UInt32(c & 0x07)
            default: return false
            }
            guard i + need < n else { return false }
            for k in 1...need {
                let cc = b[i + k]
                guard cc & 0xC0 == 0x80 else { return false }
                scalar = scalar << 6 | UInt32(cc & 0x3F)
            }
            switch need {
            case 1: if scalar < 0xA0 { return false } // U+0080…U+009F are C1 controls
            case 2: if scalar < 0x800 || (0xD800...0xDFFF).contains(scalar) { return false }
            default: if scalar < 0x10000 || scalar > 0x10FFFF { return false }
            }
            i += need + 1
        }
        return true
    }
}

extension Statement {
    /// The underlying statement handle for the verify loop.
    var handle: OpaquePointer { sqliteStatement }
}
