import Foundation
import GRDB

/// What one verification reads before it walks: the checkpoints (database and archives), the seals and their
/// last checkpoints, the stored tree nodes and the witness lines. The walk and the audit share it.
struct VerificationInputs {
    var schedule: CheckpointKeySchedule
    var origin: String
    var rows: [CheckpointRow] = []
    var seals: [YearSeal] = []
    /// The note of each sealed year's last checkpoint (kept with the seal), by year.
    var sealNotes: [Int: String] = [:]
    /// Years whose events were purged.
    var purgedYears: Set<Int> = []
    /// Stored subtree hashes at the stored levels, and the small ones that end sealed years.
    var stored: [NodeID: Hash32] = [:]
    var small: [NodeID: Hash32] = [:]
    /// Witness files and their lines of this log; nil lines for a file that is missing.
    var witness: [(path: String, lines: [WitnessFile.Line]?)] = []
    /// Whether a witness is configured at all (else the report warns and the tail counts as unwitnessed).
    var witnessConfigured: Bool
    /// False for an export: witnesses are not part of it, and nothing counts as unwitnessed.
    var witnessApplies = true
    /// Verify the signature of every checkpoint, also of those the witness holds byte for byte and the chain of
    /// checkpoints authenticates (see ``CheckpointAudit/checkChain(_:witnessed:witnessNotes:everySignature:)``).
    var everySignature = false
    var warnings: [String] = []

    init(schedule: CheckpointKeySchedule, origin: String, witnessConfigured: Bool) {
        self.schedule = schedule
        self.origin = origin
        self.witnessConfigured = witnessConfigured
    }

    /// The sizes at which the walk must keep the tree.
    var marks: [Int64] {
        var m = Set(rows.map(\.size))
        m.formUnion(seals.map(\.lastSequence))
        for (_, lines) in witness { for l in lines ?? [] { if case .success(let cp) = l.checkpoint { m.insert(cp.size) } } }
        return Array(m)
    }

    /// Reads the tables every history file has (live database, archive, export).
    mutating func load(_ db: Database, source: String) throws {
        seals = try HistoryStore.seals(db)
        for row in try Row.fetchAll(db, sql: "SELECT year, last_checkpoint_note FROM seals") {
            sealNotes[try row.decode(Int.self, atIndex: 0)] = try row.decode(String.self, atIndex: 1)
        }
        try loadCheckpoints(db, source: source)
        for row in try Row.fetchAll(db, sql: "SELECT level, idx, hash FROM tree_nodes") {
            // Decoded so that a NULL or a wrong type is an error, not a trap (files are outside input).
            let level = try row.decode(Int.self, atIndex: 0)
            let index = try row.decode(Int64.self, atIndex: 1)
            let data = try row.decode(Data.self, atIndex: 2)
            guard level >= 0, level < 64, index >= 0, let h = Hash32(checking: data) else {
                throw VerifyFailure(sequence: nil, problem: .treeNode, message: "a stored tree node (level \(level), index \(index)) is malformed")
            }
            let node = NodeID(level: level, index: UInt64(index))
            if level >= HistoryTree.storedLevel { stored[node] = h } else { small[node] = h }
        }
    }

    mutating func loadCheckpoints(_ db: Database, source: String) throws {
        rows += try Self.checkpointRows(db, source: source)
    }

    /// The checkpoints of one history file, in number order.
    static func checkpointRows(_ db: Database, source: String) throws -> [CheckpointRow] {
        try Row.fetchAll(db, sql: "SELECT number, size, year, time, root, note FROM checkpoints ORDER BY number").map { r in
            CheckpointRow(number: try r.decode(Int64.self, atIndex: 0), size: try r.decode(Int64.self, atIndex: 1),
                          year: try r.decode(Int.self, atIndex: 2), time: try r.decode(Int64.self, atIndex: 3),
                          root: [UInt8](try r.decode(Data.self, atIndex: 4)), note: try r.decode(String.self, atIndex: 5), source: source)
        }
    }

    /// The origin a reader without one configured uses: that of the database's newest checkpoint (a forged one
    /// could not carry a valid signature), else the one derived from the first key.
    static func origin(configured: String?, db: Database, schedule: CheckpointKeySchedule) -> String {
        if let configured { return configured }
        let note = (try? String.fetchOne(db, sql: "SELECT note FROM checkpoints ORDER BY number DESC LIMIT 1"))
            ?? (try? String.fetchOne(db, sql: "SELECT last_checkpoint_note FROM seals ORDER BY year DESC LIMIT 1"))
        if let note = note ?? nil, let cp = try? Checkpoint(parsing: note) { return cp.origin }
        return HistoryStore.derivedOrigin(schedule.entries[0].publicKey)
    }

    /// Reads the configured witness files.
    mutating func loadWitness(files: [String]) throws(VerifyFailure) {
        for path in files {
            guard FileManager.default.fileExists(atPath: path) else { witness.append((path, nil)); continue }
            do { witness.append((path, try WitnessFile.read(path, origin: origin))) } catch {
                throw VerifyFailure(sequence: nil, problem: .unverifiable, message: error.description)
            }
        }
    }

    /// After the walk: audits checkpoints, seals, witnesses and tree nodes, adds `extra` checks, and reports.
    func report(_ v: ChainVerifier, walkFailure: VerifyFailure?, extra: () throws(VerifyFailure) -> Void) -> VerificationReport {
        let chainEnd = v.expectedSequence - 1
        var failures: [VerifyFailure?] = [walkFailure]
        let purgedSeals = seals.filter { purgedYears.contains($0.year) }
        var resume: [Int64: Checkpoint] = [:]
        for seal in purgedSeals {
            guard let note = sealNotes[seal.year], let cp = try? Checkpoint(parsing: note), constantTimeEqual(cp.hash, seal.lastCheckpointHash) else {
                failures.append(VerifyFailure(sequence: seal.lastSequence, problem: .seal, message: "the seal of the purged year \(seal.year) does not keep its last checkpoint"))
                continue
            }
            resume[cp.number] = cp
        }
        var purgedRanges: [ClosedRange<Int64>] = []
        for s in purgedSeals.sorted(by: { $0.firstSequence < $1.firstSequence }) {
            if let last = purgedRanges.last, last.upperBound + 1 == s.firstSequence {
                purgedRanges[purgedRanges.count - 1] = last.lowerBound...s.lastSequence
            } else {
                purgedRanges.append(s.firstSequence...s.lastSequence)
            }
        }
        let knownBelow = walkFailure == nil ? Int64.max : (walkFailure?.sequence ?? 0)
        var audit = CheckpointAudit(schedule: schedule, origin: origin, marks: v.marked, chainEnd: chainEnd, knownBelow: knownBelow,
                                    purged: purgedRanges, resumePoints: resume)
        let lineCount = witness.reduce(0) { $0 + ($1.lines?.count ?? 0) }
        var witnessedNumbers: [Int64: Int64] = Dictionary(minimumCapacity: lineCount)
        var witnessNotes: [NoteBytes: Checkpoint] = Dictionary(minimumCapacity: lineCount)
        for (_, lines) in witness {
            for l in lines ?? [] {
                if case .success(let cp) = l.checkpoint {
                    witnessedNumbers[cp.number] = cp.size
                    witnessNotes[NoteBytes(cp.note)] = cp
                }
            }
        }
        do { try audit.checkChain(rows, witnessed: witnessedNumbers, witnessNotes: witnessNotes, everySignature: everySignature) } catch { failures.append(error) }
        for seal in seals where seal.lastSequence < knownBelow && !purgedYears.contains(seal.year) {
            do { try audit.checkSeal(seal) } catch { failures.append(error); break }
        }
        for (path, lines) in witness {
            guard let lines else {
                if !rows.isEmpty || !resume.isEmpty {
                    failures.append(VerifyFailure(sequence: nil, problem: .witness, message: "the witness file \(path) is missing although checkpoints were signed"))
                }
                continue
            }
            do { try audit.checkWitness(path: path, lines: lines, everySignature: everySignature) } catch { failures.append(error) }
        }
        do { try audit.checkStoredNodes(stored: stored, met: v.storedNodesMet, small: small, seals: seals) } catch { failures.append(error) }
        if walkFailure == nil { do { try extra() } catch { failures.append(error) } }

        var warnings = self.warnings
        if witnessApplies && !witnessConfigured {
            warnings.append("no witness is configured: a tail cut off together with its checkpoints cannot be detected (set [history] witness-file)")
        }
        let witnessedSize = witnessConfigured ? audit.witnessedSize : nil
        let unwitnessed = witnessApplies ? max(0, chainEnd - (witnessedSize ?? 0)) : 0
        var failure = VerifyFailure.first(failures)
        if failure == nil, let incident = audit.incidents.first { failure = incident }
        let outcome: VerificationReport.Outcome
        if let failure {
            outcome = failure.problem == .unverifiable ? .unverifiable : .damaged
        } else {
            outcome = unwitnessed > 0 ? .unwitnessed : .intact
        }
        let signatures = audit.signaturesTrusted > 0
            ? " (\(audit.signaturesVerified) signatures verified; the others are notes the witness holds byte for byte, authenticated by the chain of checkpoints)" : ""
        var message = "history intact: \(v.eventsChecked) events, \(audit.checkpointsChecked) checkpoints\(signatures), \(audit.witnessLinesChecked) witness lines, \(v.sealedYears.count) sealed years"
        if unwitnessed > 0 {
            message += "; \(unwitnessed) events after the last witnessed checkpoint are not witnessed (they could be cut off without trace)"
        }
        return VerificationReport(
            intact: failure == nil, firstBadSequence: failure?.sequence, problem: failure?.problem, message: failure?.message ?? message,
            eventsChecked: v.eventsChecked, checkpointsChecked: audit.checkpointsChecked, signaturesVerified: audit.signaturesVerified, sealedYears: v.sealedYears, lastSequence: chainEnd,
            unsignedEvents: max(0, chainEnd - audit.lastCheckpointSize), witnessedSize: witnessedSize, unwitnessedEvents: unwitnessed,
            witnessLinesChecked: audit.witnessLinesChecked, acknowledgedIncidents: audit.incidents.map(\.message), warnings: warnings, outcome: outcome)
    }

    /// A report for a check that could not run.
    static func unverifiable(_ message: String, warnings: [String] = []) -> VerificationReport {
        VerificationReport(intact: false, firstBadSequence: nil, problem: .unverifiable, message: message, eventsChecked: 0, checkpointsChecked: 0, signaturesVerified: 0,
                           sealedYears: [], lastSequence: 0, unsignedEvents: 0, witnessedSize: nil, unwitnessedEvents: 0, witnessLinesChecked: 0,
                           acknowledgedIncidents: [], warnings: warnings, outcome: .unverifiable)
    }
}
