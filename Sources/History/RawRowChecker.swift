import Crypto
import GRDB
import GRDBSQLite

/// A SHA-256 value held inline (no heap allocation per event in the verify loop).
struct Hash32: Equatable {
    var a: UInt64 = 0, b: UInt64 = 0, c: UInt64 = 0, d: UInt64 = 0

    init(_ p: UnsafeRawPointer) {
        a = p.loadUnaligned(as: UInt64.self)
        b = p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        c = p.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
        d = p.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
    }

    init(_ bytes: [UInt8]) {
        precondition(bytes.count == 32)
        self = bytes.withUnsafeBytes { Hash32($0.baseAddress!) }
    }

    init(_ digest: SHA256.Digest) {
        self = digest.withUnsafeBytes { Hash32($0.baseAddress!) }
    }

    var bytes: [UInt8] {
        var copy = self
        return withUnsafeBytes(of: &copy) { Array($0) }
    }
}

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
        func text(_ i: Int32) -> UnsafeRawBufferPointer {
            let p = sqlite3_column_text(s, i)
            return UnsafeRawBufferPointer(start: p.map(UnsafeRawPointer.init), count: Int(sqlite3_column_bytes(s, i)))
        }
        func optionalText(_ i: Int32) -> UnsafeRawBufferPointer? {
            sqlite3_column_type(s, i) == SQLITE_NULL ? nil : text(i)
        }
        func blob(_ i: Int32) -> UnsafeRawBufferPointer {
            let p = sqlite3_column_blob(s, i)
            return UnsafeRawBufferPointer(start: p, count: Int(sqlite3_column_bytes(s, i)))
        }
        sequence = sqlite3_column_int64(s, 0)
        year = sqlite3_column_int64(s, 1)
        time = sqlite3_column_int64(s, 2)
        kind = text(3)
        result = text(4)
        actor = optionalText(5)
        card = optionalText(6)
        place = optionalText(7)
        details = blob(8)
        previous = blob(9)
        hash = blob(10)
    }

    /// Writes the canonical encoding (see `EventEncoding`) into `out`, reusing its storage.
    func encode(into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        out.append(EventEncoding.version)
        appendU64(UInt64(bitPattern: sequence), &out)
        appendU64(UInt64(bitPattern: time), &out)
        appendField(kind, &out)
        appendField(result, &out)
        for f in [actor, card, place] {
            if let f { out.append(1); appendField(f, &out) } else { out.append(0) }
        }
        appendField(details, &out)
    }

    private func appendU64(_ v: UInt64, _ out: inout [UInt8]) {
        withUnsafeBytes(of: v.bigEndian) { out.append(contentsOf: $0) }
    }

    private func appendField(_ f: UnsafeRawBufferPointer, _ out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: f.count >> 8))
        out.append(UInt8(truncatingIfNeeded: f.count))
        if f.count > 0 { out.append(contentsOf: f) }
    }

    /// The kind, if it is one of the vocabulary.
    var knownKind: EventKind? {
        for (bytes, k) in RawEvent.kinds where bytes.count == kind.count {
            if bytes.withUnsafeBytes({ $0.elementsEqual(kind) }) { return k }
        }
        return nil
    }

    var knownResult: Bool {
        RawEvent.results.contains { r in r.count == result.count && r.withUnsafeBytes { $0.elementsEqual(result) } }
    }

    static let kinds: [([UInt8], EventKind)] = EventKind.allCases.map { (Array($0.rawValue.utf8), $0) }
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
            case .reason, .operation, .record, .session, .program:
                guard len >= 1, len <= EventDetails.maximumTextBytes,
                      String(validating: UnsafeRawBufferPointer(rebasing: d[i..<(i + len)]), as: UTF8.self) != nil else { return false }
                for j in i..<(i + len) where d[j] < 0x20 || d[j] == 0x7F || (d[j] == 0xC2 && j + 1 < i + len && (0x80...0x9F).contains(d[j + 1])) {
                    return false
                }
            }
            i += len
        }
        return true
    }
}

extension Statement {
    /// The underlying statement handle for the verify loop.
    var handle: OpaquePointer { sqliteStatement }
}
