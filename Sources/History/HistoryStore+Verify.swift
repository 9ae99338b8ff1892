import Foundation
import GRDB

extension HistoryStore {
    /// Re-computes everything: every event's hash and link, its fields, the Merkle tree and its stored nodes,
    /// every checkpoint (signature under the key valid at its time, its place in the chain of checkpoints, its
    /// root), the witness files against the database, year seals and their chain, archive files and their
    /// digests, purge records.
    ///
    /// - Parameters:
    ///   - keys: the public keys to check signatures with; by default the configured ones (or the signing key's).
    ///   - witnessFiles: the witness files to compare with; by default the configured ones.
    ///   - threads: split chains of 100,000 events or more over this many threads; by default the number of
    ///     cores (at most 4). 1 verifies on the calling thread only.
    ///   - everySignature: verify the signature of every checkpoint. By default a checkpoint note that a witness file
    ///     holds byte for byte is not verified again when the chain of checkpoints links it to a verified one (its
    ///     text is then authenticated by that signature); every other note, the newest, and any damaged history are
    ///     checked signature by signature (see `CheckpointAudit.checkChain`).
    public func verify(keys: CheckpointKeySchedule? = nil, witnessFiles: [String]? = nil, threads: Int? = nil,
                       everySignature: Bool = false) -> VerificationReport {
        let policy = threads.map { WalkPolicy(minimumEvents: WalkPolicy.automatic.minimumEvents, maximumChunks: max(1, $0)) } ?? .automatic
        return verify(keys: keys, witnessFiles: witnessFiles, policy: policy, everySignature: everySignature)
    }

    /// `verify` with one public key, valid from the beginning (an auditor's `--public-key`).
    public func verify(publicKey: CheckpointPublicKey, witnessFiles: [String]? = nil, threads: Int? = nil) -> VerificationReport {
        verify(keys: CheckpointKeySchedule(single: publicKey), witnessFiles: witnessFiles, threads: threads)
    }

    /// `verify` with a chosen split over threads (tests force small chunks).
    func verify(keys: CheckpointKeySchedule?, witnessFiles: [String]?, policy: WalkPolicy, everySignature: Bool = false) -> VerificationReport {
        guard let schedule = keys ?? keySchedule else {
            return VerificationInputs.unverifiable("no public key: give the signing key file, the configured key list, or --public-key")
        }
        let files = witnessFiles ?? configuration.witness.files
        do {
            return try queue.read { db in
                var inputs = VerificationInputs(schedule: schedule, origin: VerificationInputs.origin(configured: configuration.origin, db: db, schedule: schedule),
                                                witnessConfigured: !files.isEmpty || !configuration.witness.commands.isEmpty)
                if files.isEmpty && !configuration.witness.commands.isEmpty {
                    inputs.warnings.append("only witness commands are configured; they cannot be read back, so the tail is not compared with a witness")
                    inputs.witnessConfigured = false
                }
                inputs.everySignature = everySignature
                if configuration.witness.explicitlyNone { inputs.warnings.append("the configuration says witness = \"none\"") }
                return try self.verifyLive(db, &inputs, files: files, policy: policy)
            }
        } catch let f as VerifyFailure {
            return VerificationInputs.unverifiable(f.message)
        } catch {
            return VerificationInputs.unverifiable("the history database could not be read: \(error)")
        }
    }

    private func verifyLive(_ db: Database, _ inputs: inout VerificationInputs, files: [String], policy: WalkPolicy) throws -> VerificationReport {
        try inputs.load(db, source: "the database")
        var archives: [Int: [UInt8]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT year, file, file_sha256 FROM archives") {
            // Throwing accessors: a tampered row (a NULL, a wrong type) is a refusal, not a trap.
            let year = try row.decode(Int.self, atIndex: 0), file = try row.decode(String.self, atIndex: 1)
            guard file == HistoryConfiguration.archiveFileName(year: year) else {
                throw VerifyFailure(sequence: nil, problem: .archive, message: "the archive record of \(year) names the file \"\(file)\", not \(HistoryConfiguration.archiveFileName(year: year))")
            }
            archives[year] = [UInt8](try row.decode(Data.self, atIndex: 2))
        }
        inputs.purgedYears = Set(try Int.fetchAll(db, sql: "SELECT year FROM purges"))
        let kept = archives.keys.sorted().filter { !inputs.purgedYears.contains($0) }
        let digests = ArchiveDigests(kept.map { ($0, configuration.archivePath(year: $0)) })
        defer { digests.cancel() }
        // The archives' checkpoints, one archive a thread (each has thousands of notes).
        let paths = kept.map { configuration.archivePath(year: $0) }
        let archived = parallelMap(kept.count, minimum: 2) { i -> [CheckpointRow] in
            // Not a regular file (missing, or a FIFO whose open would wait forever): reported by the walk below.
            guard SecureFile.isRegularFile(paths[i]),
                  let archive = try? DatabaseQueue(path: paths[i], configuration: Self.databaseConfiguration(busyTimeout: 1, readonly: true)) else { return [] }
            defer { try? archive.close() }
            return (try? archive.read { try VerificationInputs.checkpointRows($0, source: "the archive of \(kept[i])") }) ?? []
        }
        for rows in archived { inputs.rows += rows }
        try inputs.loadWitness(files: files)
        let v = ChainVerifier(marks: inputs.marks, storedNodes: inputs.stored)
        let path = configuration.databasePath
        let open: @Sendable () throws -> DatabaseQueue = { try DatabaseQueue(path: path, configuration: Self.databaseConfiguration(busyTimeout: 10, readonly: true)) }
        var walkFailure: VerifyFailure?
        let purged = inputs.purgedYears
        let frontier = inputs.stored.merging(inputs.small) { a, _ in a }
        do {
            for seal in inputs.seals {
                try v.beginSealedYear(seal)
                if purged.contains(seal.year) {
                    guard archives[seal.year] != nil else {
                        throw VerifyFailure(sequence: seal.firstSequence, problem: .archive, message: "year \(seal.year) is marked purged but was never archived")
                    }
                    try v.skipPurgedYear(seal, frontier: frontier)
                } else if let digest = archives[seal.year] {
                    try verifyArchive(year: seal.year, seal: seal, digest: digest, digests: digests, v, policy)
                    try v.endSealedYear(seal)
                } else {
                    try v.walk(db, open: open, where: "WHERE seq BETWEEN ? AND ?", arguments: [seal.firstSequence, seal.lastSequence], year: seal.year, policy: policy)
                    try v.endSealedYear(seal)
                }
            }
            try v.walk(db, open: open, where: "WHERE seq > ?", arguments: [inputs.seals.last?.lastSequence ?? 0], year: nil, policy: policy)
        } catch let f as VerifyFailure {
            walkFailure = f
        }
        let seals = inputs.seals
        return inputs.report(v, walkFailure: walkFailure) { () throws(VerifyFailure) in
            try Self.checkArchiveRecords(v, seals: seals, archives: archives, purged: purged)
        }
    }

    /// The archive and purge records against the events that claim them.
    static func checkArchiveRecords(_ v: ChainVerifier, seals: [YearSeal], archives: [Int: [UInt8]], purged: Set<Int>) throws(VerifyFailure) {
        let lastPurged = purged.max() ?? Int.min
        for (year, digest) in archives.sorted(by: { $0.key < $1.key }) {
            let seal = seals.first { $0.year == year }
            if let claim = v.archiveClaims[year] {
                guard constantTimeEqual(claim, digest) else {
                    throw VerifyFailure(sequence: seal?.firstSequence, problem: .archive, message: "the archive record of \(year) does not match the digest its archive event recorded")
                }
            } else if lastPurged <= year {
                throw VerifyFailure(sequence: seal?.firstSequence, problem: .archive, message: "year \(year) is recorded as archived but no archive event says so")
            }
        }
        for year in purged.sorted() {
            guard let seal = seals.first(where: { $0.year == year }) else {
                throw VerifyFailure(sequence: nil, problem: .seal, message: "year \(year) was purged but has no seal")
            }
            guard let claim = v.purgeClaims[year] ?? (lastPurged > year ? seal.hash : nil), constantTimeEqual(claim, seal.hash) else {
                throw VerifyFailure(sequence: seal.firstSequence, problem: .archive, message: "year \(year) is marked purged but no purge event records it")
            }
        }
    }

    private func verifyArchive(year: Int, seal: YearSeal, digest: [UInt8], digests: ArchiveDigests, _ v: ChainVerifier, _ policy: WalkPolicy) throws {
        let path = configuration.archivePath(year: year)
        guard SecureFile.isRegularFile(path) else {
            throw VerifyFailure(sequence: seal.firstSequence, problem: .archive, message: "the archive of \(year) (\(path)) is missing or not a regular file")
        }
        guard constantTimeEqual(try digests.digest(year: year) ?? sha256(fileAt: path), digest) else {
            throw VerifyFailure(sequence: seal.firstSequence, problem: .archive, message: "the archive of \(year) (\(path)) does not match its recorded SHA-256: it was changed or replaced")
        }
        let archive = try DatabaseQueue(path: path, configuration: Self.databaseConfiguration(busyTimeout: 1, readonly: true))
        defer { try? archive.close() }
        try archive.read { adb in
            guard try Self.seals(adb) == [seal] else {
                throw VerifyFailure(sequence: seal.firstSequence, problem: .archive, message: "the archive of \(year) holds a seal that differs from the live one")
            }
            let open: @Sendable () throws -> DatabaseQueue = { try DatabaseQueue(path: path, configuration: Self.databaseConfiguration(busyTimeout: 1, readonly: true)) }
            try v.walk(adb, open: open, where: "", arguments: [], year: year, policy: policy)
        }
    }
}
