import Foundation

/// A signed tree head of the history, in the C2SP `tlog-checkpoint` text format on a signed note:
///
/// ```
/// <origin>
/// <tree size>
/// <root hash, base64>
/// number <n>
/// time <milliseconds since 1970 UTC>
/// previous <base64 SHA-256 of the text of checkpoint n-1>
/// [supersedes <base64 SHA-256 of the text of a witnessed checkpoint an administrator set aside>]…
///
/// — <origin> <base64(key ID ‖ Ed25519 signature)>
/// ```
///
/// The tree size is the sequence number of the last event covered (events are numbered from 1 without gaps;
/// leaf `i` is event `i + 1`). Checkpoints are numbered 1, 2, 3 … and each names the hash of the one before
/// (checkpoint 1 names `EventEncoding.genesis`), so a removed checkpoint leaves a visible gap. Standard tooling
/// reads the first three lines and ignores the extension lines and signatures it does not know.
public struct Checkpoint: Sendable, Equatable {
    /// The log's name (also the signing key's name).
    public let origin: String
    /// The tree size: the sequence number of the last event covered.
    public let size: Int64
    /// The RFC 9162 root hash of the tree of `size` events.
    public let root: [UInt8]
    /// 1, 2, 3 … along the chain of checkpoints.
    public let number: Int64
    /// When it was signed, milliseconds since 1970 UTC (never before the event at `size`).
    public let timeMillis: Int64
    /// SHA-256 of the text of the checkpoint before (`EventEncoding.genesis` for number 1).
    public let previous: [UInt8]
    /// Text hashes of witnessed checkpoints that an administrator's acknowledgement set aside (usually none).
    public let supersedes: [[UInt8]]
    /// The whole signed note as stored, witnessed and handed to auditors.
    public let note: String

    /// The sequence number of the last event covered (the same as `size`).
    public var sequence: Int64 { size }
    /// SHA-256 of the note text: what the next checkpoint's `previous` names.
    public var hash: [UInt8] { sha256(Array(signedNote.text.utf8)) }
    /// The parsed note.
    let signedNote: SignedNote

    /// The note text of a checkpoint.
    static func text(origin: String, size: Int64, root: [UInt8], number: Int64, timeMillis: Int64, previous: [UInt8],
                     supersedes: [[UInt8]]) -> String {
        var lines = [origin, String(size), Base64.encode(root), "number \(number)", "time \(timeMillis)", "previous \(Base64.encode(previous))"]
        lines += supersedes.map { "supersedes \(Base64.encode($0))" }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Signs a new checkpoint with `keys` (the key valid now, and the key before it on a handover).
    static func sign(origin: String, size: Int64, root: [UInt8], number: Int64, timeMillis: Int64, previous: [UInt8],
                     supersedes: [[UInt8]] = [], keys: [CheckpointSigningKey]) throws(HistoryError) -> Checkpoint {
        var note = SignedNote(text: text(origin: origin, size: size, root: root, number: number, timeMillis: timeMillis,
                                         previous: previous, supersedes: supersedes))
        for key in keys { try note.sign(name: origin, key: key) }
        return try Checkpoint(parsing: note.serialized)
    }

    /// Parses a checkpoint note (from the database, a witness, an archive or a proof file); refuses anything that
    /// is not exactly the format above. Signatures are not checked here.
    public init(parsing note: String) throws(HistoryError) {
        let signed = try SignedNote(parsing: note)
        // On the UTF-8 bytes: a seven-year verification parses a hundred thousand notes.
        let text = Array(signed.text.utf8)
        let lines = text.dropLast().split(separator: 0x0A, omittingEmptySubsequences: false)
        func bad(_ what: String) -> HistoryError { HistoryError(.invalidCheckpoint, "checkpoint \(what)") }
        func string(_ line: ArraySlice<UInt8>) -> String { String(decoding: line, as: UTF8.self) }
        guard lines.count >= 6 else { throw bad("has \(lines.count) lines of text; origin, size, root, number, time and previous are required") }
        let origin = string(lines[0])
        guard SignedNote.isValidKeyName(origin) else { throw bad("origin \"\(origin)\" is empty or holds a space or +") }
        guard let size = Self.decimal(lines[1]) else { throw bad("size \"\(string(lines[1]))\" is not a decimal number without leading zeros") }
        guard let root = Base64.decode(utf8: lines[2]), root.count == 32 else { throw bad("root is not base64 of 32 bytes") }
        guard let number = Self.field(lines[3], "number").flatMap(Self.decimal), number >= 1 else { throw bad("line 4 is not \"number <n>\"") }
        guard let timeText = Self.field(lines[4], "time"), let time = Self.decimal(timeText) else { throw bad("line 5 is not \"time <milliseconds>\"") }
        guard let previous = Self.field(lines[5], "previous").flatMap({ Base64.decode(utf8: $0) }), previous.count == 32 else {
            throw bad("line 6 is not \"previous <base64 of 32 bytes>\"")
        }
        var supersedes: [[UInt8]] = []
        for line in lines.dropFirst(6) {
            guard let h = Self.field(line, "supersedes").flatMap({ Base64.decode(utf8: $0) }), h.count == 32 else {
                throw bad("has an unknown extension line \"\(string(line).prefix(40))\"")
            }
            supersedes.append(h)
        }
        guard NoteBytes.sameBytes(signed.text, Self.text(origin: origin, size: size, root: root, number: number, timeMillis: time, previous: previous, supersedes: supersedes)) else {
            throw bad("text is not in canonical form")
        }
        self.origin = origin
        self.size = size
        self.root = root
        self.number = number
        self.timeMillis = time
        self.previous = previous
        self.supersedes = supersedes
        self.note = note
        self.signedNote = signed
    }

    /// The rest of `line` after `name` and a space, or nil.
    private static func field(_ line: ArraySlice<UInt8>, _ name: String) -> ArraySlice<UInt8>? {
        guard line.starts(with: name.utf8), line.dropFirst(name.utf8.count).first == 0x20 else { return nil }
        return line.dropFirst(name.utf8.count + 1)
    }

    /// A non-negative decimal without sign or leading zeros that fits in 63 bits.
    private static func decimal(_ s: ArraySlice<UInt8>) -> Int64? {
        guard let first = s.first, s.count == 1 || first != 0x30 else { return nil }
        var value: Int64 = 0
        for c in s {
            guard c >= 0x30 && c <= 0x39 else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int64(c - 0x30))
            guard !o1, !o2 else { return nil }
            value = sum
        }
        return value
    }

    /// Whether `key` signed it validly: nil when no signature line names the key, false when one names it but
    /// does not verify.
    func signatureCheck(by key: CheckpointPublicKey) -> Bool? { signedNote.signatureCheck(name: origin, key: key) }

    /// Whether a signature line names `key` (its signature not verified).
    func hasSignatureLine(by key: CheckpointPublicKey) -> Bool { signedNote.hasSignatureLine(name: origin, key: key) }

    public static func == (a: Checkpoint, b: Checkpoint) -> Bool { NoteBytes.sameBytes(a.note, b.note) }
}
