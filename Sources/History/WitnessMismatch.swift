/// The witness shows something this database does not: the reason for an alarm.
struct WitnessMismatch: Error {
    /// What kind of mismatch.
    enum Kind: String {
        /// A witnessed checkpoint lies beyond the end of the database: its tail was cut off.
        case truncated = "witness-truncated"
        /// The database's tree does not extend a witnessed checkpoint: events were rewritten.
        case rewritten = "witness-rewritten"
        /// A witness line of this log does not carry a valid signature: the witness was changed.
        case invalidWitness = "witness-invalid"
    }

    let kind: Kind
    let path: String
    let witnessed: Checkpoint?
    let databaseSize: Int64

    var message: String {
        switch kind {
        case .truncated:
            return "the witness \(path) holds checkpoint \(witnessed!.number) at \(witnessed!.size) events, but the database ends at \(databaseSize): events \(databaseSize + 1)…\(witnessed!.size) were cut off"
        case .rewritten:
            return "the database's tree does not extend checkpoint \(witnessed!.number) (\(witnessed!.size) events) held by the witness \(path): events up to \(witnessed!.size) were rewritten"
        case .invalidWitness:
            return "the newest checkpoint of this log in the witness \(path) is not validly signed: the witness was changed"
        }
    }
}

/// What the store remembers of its witness files between writes: the newest witnessed checkpoint of each file,
/// keyed by the file's identity and length, and which witnessed checkpoints matched this database.
struct WitnessCache: Sendable {
    struct File: Sendable {
        var stamp: WitnessFile.Stamp
        var latest: Checkpoint?
    }

    var files: [String: File] = [:]
    /// Text hashes of witnessed checkpoints whose root this database's tree reproduced.
    var matched: Set<[UInt8]> = []
}

/// The witnessed checkpoints that still count: those after the last one an administrator set aside.
enum WitnessLines {
    /// The lines after the last line set aside by a later acknowledgement (a checkpoint whose `supersedes` names
    /// it), or by `settingAside`. Lines set aside and those before them no longer count.
    static func current(_ lines: [Checkpoint], settingAside: Set<[UInt8]> = []) -> ArraySlice<Checkpoint> {
        var start = 0
        for (i, line) in lines.enumerated() where settingAside.contains(line.hash) { start = max(start, i + 1) }
        for (i, line) in lines.enumerated().reversed() where !line.supersedes.isEmpty {
            if let j = lines[..<i].lastIndex(where: { line.supersedes.contains($0.hash) }) { start = max(start, j + 1); break }
        }
        return lines[start...]
    }

    /// The witnessed checkpoint the database must extend: the largest that still counts.
    static func newest(_ lines: [Checkpoint], settingAside: Set<[UInt8]> = []) -> Checkpoint? {
        current(lines, settingAside: settingAside).max { ($0.size, $0.number) < ($1.size, $1.number) }
    }
}
