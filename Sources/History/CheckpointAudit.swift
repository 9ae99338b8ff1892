/// One checkpoint as stored (database or archive), with where it came from.
struct CheckpointRow: Sendable {
    let number: Int64
    let size: Int64
    let year: Int
    let time: Int64
    let root: [UInt8]
    let note: String
    let source: String
}

/// The checks after the walk: the chain of checkpoints (numbers, links, signatures under the key schedule, roots
/// against the recomputed tree), the seals' checkpoints, the witness files, and the stored tree nodes.
struct CheckpointAudit {
    let schedule: CheckpointKeySchedule
    let origin: String
    /// The tree at every marked size (checkpoint, witnessed and year-end sizes).
    let marks: [Int64: TreeMark]
    /// The root of the tree at every marked size (folded once, on all cores).
    let roots: [Int64: Hash32]
    /// The last sequence number of the chain.
    let chainEnd: Int64
    /// Marks at and after this sequence are unknown (the walk stopped there); `Int64.max` when it went to the end.
    let knownBelow: Int64
    var walkedToEnd: Bool { knownBelow == .max }
    /// Sequence ranges of purged years (their events, tree leaves and checkpoints are gone).
    let purged: [ClosedRange<Int64>]
    /// The last checkpoint of each purged year, from its seal, by number.
    let resumePoints: [Int64: Checkpoint]

    var checkpointsChecked = 0
    /// Checkpoint notes of the chain whose signatures were verified (the others: see ``checkChain(_:witnessed:witnessNotes:everySignature:)``).
    var signaturesVerified = 0
    /// Checkpoint notes of the chain whose signatures were not verified (held alike by the witness, authenticated by the chain).
    var signaturesTrusted = 0
    /// The size of the last checkpoint whose root the events reproduce.
    var lastGoodSize: Int64 = 0
    /// The size of the last checkpoint of the chain.
    var lastCheckpointSize: Int64 = 0
    /// Checkpoints by number, for the witness comparison.
    var byNumber: [Int64: Checkpoint] = [:]
    var witnessedSize: Int64?
    var witnessLinesChecked = 0
    /// Witness mismatches an administrator acknowledged.
    var incidents: [VerifyFailure] = []

    init(schedule: CheckpointKeySchedule, origin: String, marks: [Int64: TreeMark], chainEnd: Int64, knownBelow: Int64,
         purged: [ClosedRange<Int64>], resumePoints: [Int64: Checkpoint]) {
        self.schedule = schedule
        self.origin = origin
        self.marks = marks
        let sizes = Array(marks.keys)
        roots = Dictionary(uniqueKeysWithValues: zip(sizes, parallelMap(sizes.count) { marks[sizes[$0]]!.range.folded }))
        self.chainEnd = chainEnd
        self.knownBelow = knownBelow
        self.purged = purged
        self.resumePoints = resumePoints
    }

    func isPurged(_ seq: Int64) -> Bool { purged.contains { $0.contains(seq) } }

    /// The chain of checkpoints, in number order.
    ///
    /// With `witnessNotes` (the notes the witness files hold) and not `everySignature`, a checkpoint's signature is
    /// verified only where it authenticates something: the newest checkpoint (each `previous` names the hash of the
    /// text before, so one verified signature at the end authenticates every text along the chain), the last one
    /// before each purged year's gap, and every note whose exact bytes no witness holds (a note changed in the
    /// database alone is caught by its own signature, as before). The others must still carry a signature line by
    /// the key valid at their time; what goes unchecked is only the signature bytes of a note the witness holds
    /// byte for byte, whose text the chain authenticates. On any failure the chain is checked again verifying every
    /// signature, so a damaged history is reported exactly as by a check of every signature.
    mutating func checkChain(_ rows: [CheckpointRow], witnessed: [Int64: Int64], witnessNotes: [NoteBytes: Checkpoint] = [:],
                             everySignature: Bool = true) throws(VerifyFailure) {
        guard !everySignature else { return try checkChain(rows, witnessed: witnessed, trusting: nil) }
        let start = self
        do {
            try checkChain(rows, witnessed: witnessed, trusting: witnessNotes)
        } catch {
            self = start
            try checkChain(rows, witnessed: witnessed, trusting: nil)
        }
    }

    /// The checks of ``checkChain(_:witnessed:witnessNotes:everySignature:)``; `trusting` nil verifies every signature.
    private mutating func checkChain(_ rows: [CheckpointRow], witnessed: [Int64: Int64], trusting witnessNotes: [NoteBytes: Checkpoint]?) throws(VerifyFailure) {
        var seen: [Int64: CheckpointRow] = [:]
        for row in rows {
            if let other = seen[row.number], !NoteBytes.sameBytes(other.note, row.note) {
                throw VerifyFailure(sequence: row.size, problem: .checkpointChain, message: "checkpoint \(row.number) differs between \(other.source) and \(row.source)")
            }
            seen[row.number] = row
        }
        var prevHash = EventEncoding.genesis, prevNumber: Int64 = 0, prevSize: Int64 = 0
        var prevKey: Int?
        let ordered = seen.values.sorted(by: { $0.number < $1.number })
        let notes = ordered.map(\.note)
        let prepared: PreparedCheckpoints
        if let witnessNotes {
            // The newest checkpoint, and the last one before each jump over a purged year, end a stretch of chain.
            let resumeNumbers = resumePoints.keys.sorted()
            var anchors: Set<Int> = ordered.isEmpty ? [] : [ordered.count - 1]
            for i in ordered.indices.dropLast() where resumeNumbers.contains(where: { $0 > ordered[i].number && $0 < ordered[i + 1].number }) {
                anchors.insert(i)
            }
            let fixed = anchors
            prepared = PreparedCheckpoints(notes, schedule: schedule, known: witnessNotes) { fixed.contains($0) || witnessNotes[NoteBytes(notes[$0])] == nil }
        } else {
            prepared = PreparedCheckpoints(notes, schedule: schedule)
        }
        signaturesVerified = prepared.verifiedCount
        signaturesTrusted = notes.count - prepared.verifiedCount
        let resumes = resumePoints.sorted { $0.key < $1.key }.map(\.value)
        for (index, row) in ordered.enumerated() {
            // Checkpoints of purged years are gone; the chain goes on from the one their seal names.
            if let resume = resumes.last(where: { $0.number > prevNumber && $0.number < row.number }) {
                prevHash = resume.hash
                prevNumber = resume.number
                prevSize = resume.size
                prevKey = schedule.entries.indices.last { resume.signatureCheck(by: schedule.entries[$0].publicKey) == true }
                lastGoodSize = max(lastGoodSize, resume.size)
            }
            let cp: Checkpoint
            switch prepared.notes[index].parsed {
            case .success(let parsed): cp = parsed
            case .failure(let error):
                throw VerifyFailure(sequence: row.size, problem: .checkpointSignature, message: "checkpoint \(row.number) in \(row.source) is not a valid checkpoint note: \(error.description)")
            }
            guard cp.origin == origin else {
                throw VerifyFailure(sequence: row.size, problem: .checkpointSignature, message: "checkpoint \(row.number) in \(row.source) belongs to another log (\(cp.origin), not \(origin))")
            }
            guard cp.number == row.number, cp.size == row.size, cp.timeMillis == row.time, cp.root == row.root else {
                throw VerifyFailure(sequence: min(cp.size, row.size), problem: .checkpointPlace,
                                    message: "the row of checkpoint \(row.number) in \(row.source) (size \(row.size)) does not match its signed note (checkpoint \(cp.number), size \(cp.size)): it was moved or changed")
            }
            guard cp.number == prevNumber + 1 else {
                let missing = prevNumber + 1 == cp.number - 1 ? "checkpoint \(prevNumber + 1) is" : "checkpoints \(prevNumber + 1)…\(cp.number - 1) are"
                throw VerifyFailure(sequence: witnessed[prevNumber + 1] ?? prevSize + 1, problem: .checkpointMissing,
                                    message: "\(missing) missing (between events \(prevSize) and \(cp.size)): deleted from the database")
            }
            guard constantTimeEqual(cp.previous, prevHash) else {
                throw VerifyFailure(sequence: cp.size, problem: .checkpointChain, message: "checkpoint \(cp.number) does not name checkpoint \(prevNumber) as the one before it")
            }
            guard cp.size > prevSize else {
                throw VerifyFailure(sequence: cp.size, problem: .checkpointPlace, message: "checkpoint \(cp.number) covers \(cp.size) events, not more than checkpoint \(prevNumber) (\(prevSize))")
            }
            switch schedule.check(cp, after: prevKey, checks: prepared.notes[index].checks) {
            case .success(let k): prevKey = k
            case .failure(let f): throw VerifyFailure(sequence: cp.size, problem: .checkpointSignature, message: f.message)
            }
            guard cp.size <= chainEnd || !walkedToEnd else {
                throw VerifyFailure(sequence: chainEnd + 1, problem: .truncated,
                                    message: "the history ends at event \(chainEnd) but checkpoint \(cp.number) signed \(cp.size) events: events \(chainEnd + 1)…\(cp.size) were cut off")
            }
            byNumber[cp.number] = cp
            prevHash = cp.hash
            prevNumber = cp.number
            prevSize = cp.size
            lastCheckpointSize = cp.size
            guard cp.size < knownBelow else { continue }
            guard let mark = marks[cp.size] else { continue }
            guard let root = roots[cp.size], constantTimeEqual(root.bytes, cp.root) else {
                throw VerifyFailure(sequence: lastGoodSize + 1, problem: .rewritten,
                                    message: "events \(lastGoodSize + 1)…\(cp.size) differ from what checkpoint \(cp.number) signed: the history was rewritten")
            }
            guard cp.timeMillis >= mark.time, row.year == mark.year else {
                throw VerifyFailure(sequence: cp.size, problem: .checkpointPlace, message: "checkpoint \(cp.number) is dated before its last event \(cp.size), or filed under another year")
            }
            lastGoodSize = cp.size
            checkpointsChecked += 1
        }
        if rows.isEmpty && resumePoints.isEmpty && chainEnd > 0 {
            throw VerifyFailure(sequence: witnessed[1] ?? 1, problem: .checkpointMissing, message: "the history has \(chainEnd) events but no checkpoint (every history signs its first event): the checkpoints were deleted")
        }
    }

    /// A sealed year's seal against its last checkpoint.
    func checkSeal(_ seal: YearSeal) throws(VerifyFailure) {
        let cp = byNumber[seal.lastCheckpoint] ?? resumePoints[seal.lastCheckpoint]
        guard let cp, cp.size == seal.lastSequence, constantTimeEqual(cp.hash, seal.lastCheckpointHash), constantTimeEqual(cp.root, seal.treeRoot) else {
            throw VerifyFailure(sequence: seal.lastSequence, problem: .seal, message: "the seal of \(seal.year) names checkpoint \(seal.lastCheckpoint), which is not the checkpoint at its last event")
        }
    }

    /// One witness file's lines of this log, in file order.
    ///
    /// A line that is the very note of a checkpoint the chain check accepted needs no signature check of its own (the
    /// same bytes), nor does a line whose text the chain of `previous` hashes authenticates (see
    /// ``chainAuthenticated(_:)``: the lines of purged years, whose checkpoints are gone from the database), unless
    /// `everySignature`; such a line must still carry a signature line by a known key. Any other line's signature
    /// is verified, on all cores.
    mutating func checkWitness(path: String, lines: [WitnessFile.Line], everySignature: Bool = true) throws(VerifyFailure) {
        var valid: [(line: Int, cp: Checkpoint)] = []
        let chain = byNumber, schedule = self.schedule
        let chained = everySignature ? [Bool](repeating: false, count: lines.count) : chainAuthenticated(lines)
        let signed = parallelMap(lines.count) { i -> Bool in
            guard case .success(let cp) = lines[i].checkpoint else { return false }
            if chain[cp.number].map({ NoteBytes.sameBytes($0.note, cp.note) }) == true { return true }
            if chained[i] { return schedule.entries.contains { cp.hasSignatureLine(by: $0.publicKey) } }
            return schedule.isSignedByKnownKey(cp)
        }
        for (index, line) in lines.enumerated() {
            switch line.checkpoint {
            case .failure(let e):
                throw VerifyFailure(sequence: nil, problem: .witness, message: "the witness file \(path): \(e.description)")
            case .success(let cp):
                guard signed[index] else {
                    throw VerifyFailure(sequence: cp.size, problem: .witness, message: "the witness file \(path) line \(line.number) (checkpoint \(cp.number)) is not validly signed: the line was changed")
                }
                valid.append((line.number, cp))
            }
        }
        // An acknowledgement (a checkpoint with `supersedes`) sets aside the line it names and all before it.
        var setAsideUpTo = -1
        var acknowledgedBy: [Int: Checkpoint] = [:]
        for (i, entry) in valid.enumerated() where !entry.cp.supersedes.isEmpty {
            if let j = valid[..<i].lastIndex(where: { entry.cp.supersedes.contains($0.cp.hash) }), j > setAsideUpTo {
                for k in (setAsideUpTo + 1)...j { acknowledgedBy[k] = entry.cp }
                setAsideUpTo = j
            }
        }
        var lastConsistent: Int64 = 0
        for (i, (lineNumber, cp)) in valid.enumerated() {
            witnessLinesChecked += 1
            if isPurged(cp.size) { continue }
            let beyond = cp.size > chainEnd && walkedToEnd
            if !beyond && cp.size >= knownBelow { continue }
            let consistent = !beyond && roots[cp.size].map { constantTimeEqual($0.bytes, cp.root) } == true
            if consistent {
                lastConsistent = max(lastConsistent, cp.size)
                witnessedSize = max(witnessedSize ?? 0, cp.size)
                if let db = byNumber[cp.number] {
                    guard NoteBytes.sameBytes(db.note, cp.note) else {
                        throw VerifyFailure(sequence: cp.size, problem: .checkpointChain, message: "checkpoint \(cp.number) in the database differs from the one in the witness file \(path) line \(lineNumber)")
                    }
                } else if resumePoints[cp.number] == nil, cp.number > (resumePoints.keys.max() ?? 0) {
                    throw VerifyFailure(sequence: cp.size, problem: .checkpointMissing, message: "checkpoint \(cp.number) (\(cp.size) events), held by the witness file \(path) line \(lineNumber), is missing from the database")
                }
                continue
            }
            let what = beyond ? "lies beyond the end of the history (\(chainEnd) events): events \(chainEnd + 1)…\(cp.size) were cut off"
                              : "is not extended by the database's tree: events up to \(cp.size) were rewritten"
            if let ack = acknowledgedBy[i] {
                incidents.append(VerifyFailure(sequence: beyond ? chainEnd + 1 : min(lastConsistent, lastGoodSize) + 1, problem: beyond ? .truncated : .rewritten,
                                               message: "acknowledged incident: the witnessed checkpoint \(cp.number) (\(path) line \(lineNumber)) \(what); an administrator set it aside in checkpoint \(ack.number)"))
                continue
            }
            throw VerifyFailure(sequence: beyond ? chainEnd + 1 : min(lastConsistent, lastGoodSize) + 1, problem: beyond ? .truncated : .rewritten,
                                message: "the witnessed checkpoint \(cp.number) (\(path) line \(lineNumber)) \(what)")
        }
    }

    /// Which witness lines' texts the chain of checkpoints authenticates: each checkpoint the chain check accepted
    /// names the SHA-256 of the text before it (`previous`), so a line with that text is authentic, and so on back
    /// through the witness lines, newest first. This reaches the lines of purged years, whose checkpoints left the
    /// database with their events; a line changed in its text no longer has a named hash and is verified by its
    /// signature instead.
    func chainAuthenticated(_ lines: [WitnessFile.Line]) -> [Bool] {
        let parsed = parallelMap(lines.count) { i -> (number: Int64, hash: Hash32, previous: Hash32)? in
            guard case .success(let cp) = lines[i].checkpoint else { return nil }
            return (cp.number, Hash32(cp.hash), Hash32(cp.previous))
        }
        var named = Set(byNumber.values.map { Hash32($0.previous) })
        var out = [Bool](repeating: false, count: lines.count)
        let newestFirst = lines.indices.compactMap { i in parsed[i].map { (i, $0) } }.sorted { ($0.1.number, $0.0) > ($1.1.number, $1.0) }
        for (i, line) in newestFirst where named.contains(line.hash) {
            out[i] = true
            named.insert(line.previous)
        }
        return out
    }

    /// The stored subtree hashes: none beyond the end, and every one inside the walked events recomputed; the
    /// small nodes that end sealed years match the tree there.
    func checkStoredNodes(stored: [NodeID: Hash32], met: Int, small: [NodeID: Hash32], seals: [YearSeal]) throws(VerifyFailure) {
        guard walkedToEnd else { return }
        // Every choice of "the first" below is by position (the lowest node first), never by a dictionary's order,
        // which differs from one dictionary to the next: the same history always gets the same report.
        if let beyond = stored.keys.filter({ Int64($0.end) > chainEnd }).min(by: { ($0.end, $0.level) < ($1.end, $1.level) }) {
            throw VerifyFailure(sequence: chainEnd + 1, problem: .truncated,
                                message: "the tree holds a node over events \(beyond.begin + 1)…\(beyond.end) but the history ends at \(chainEnd): its tail was cut off")
        }
        let inside = stored.keys.filter { node in !purged.contains { $0.contains(Int64(node.begin) + 1) && $0.contains(Int64(node.end)) } }.count
        guard inside == met else {
            throw VerifyFailure(sequence: nil, problem: .treeNode, message: "\(inside - met) stored tree nodes do not belong to the tree of the history's events")
        }
        var expected: [NodeID: Hash32] = [:]
        for seal in seals {
            let nodes = CompactRange.decomposition(0, UInt64(seal.lastSequence))
            if let mark = marks[seal.lastSequence] {
                for (n, h) in zip(nodes, mark.range.hashes) where n.level < HistoryTree.storedLevel { expected[n] = h }
            } else {
                for n in nodes where n.level < HistoryTree.storedLevel { expected[n] = small[n] }
            }
        }
        let lowestFirst: (NodeID, NodeID) -> Bool = { ($0.begin, $0.level) < ($1.begin, $1.level) }
        if let node = small.filter({ expected[$0.key] != $0.value }).keys.min(by: lowestFirst) {
            throw VerifyFailure(sequence: Int64(node.begin) + 1, problem: .treeNode,
                                message: "the stored tree node at level \(node.level), index \(node.index) is not the tree's node at the end of a sealed year")
        }
        if let missing = expected.keys.filter({ small[$0] == nil }).min(by: lowestFirst) {
            throw VerifyFailure(sequence: Int64(missing.begin) + 1, problem: .treeNode, message: "the stored tree node that ends a sealed year at level \(missing.level), index \(missing.index) is missing")
        }
    }
}
