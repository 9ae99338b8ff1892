import Foundation
import GRDB

extension HistoryStore {
    /// Re-computes everything: every event's hash and link, fields, checkpoint signatures and positions
    /// (database and copy), year seals and their chain, archive files and their digests, purge records.
    ///
    /// - Parameters:
    ///   - publicKey: the key to check signatures with; by default the public half of the loaded signing key.
    ///   - checkpointCopy: the copy file to compare with; by default the configured one.
    ///   - threads: split chains of 100,000 events or more over this many threads; by default the number of
    ///     cores (at most 4). 1 verifies on the calling thread only.
    public func verify(publicKey: CheckpointPublicKey? = nil, checkpointCopy: String? = nil, threads: Int? = nil) -> VerificationReport {
        let policy = threads.map { WalkPolicy(minimumEvents: WalkPolicy.automatic.minimumEvents, maximumChunks: max(1, $0)) } ?? .automatic
        return verify(publicKey: publicKey, checkpointCopy: checkpointCopy, policy: policy)
    }

    /// `verify` with a chosen split over threads (tests force small chunks).
    func verify(publicKey: CheckpointPublicKey?, checkpointCopy: String?, policy: WalkPolicy) -> VerificationReport {
        guard let key = publicKey ?? signingKey?.publicKey else {
            return ChainVerifier.unverifiable("no public key: give the signing key file or --public-key")
        }
        let copyPath = checkpointCopy ?? configuration.checkpointCopyPath
        var copies: [Checkpoint] = []
        var copyMissing = false
        if let copyPath {
            if FileManager.default.fileExists(atPath: copyPath) {
                do { copies = try CheckpointCopy.read(copyPath) } catch {
                    return ChainVerifier.unverifiable(error.description)
                }
            } else {
                copyMissing = true
            }
        }
        let verifier = ChainVerifier(publicKey: key, copies: copies)
        do {
            try queue.read { db in
                if copyMissing, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM checkpoints") ?? 0 > 0 {
                    throw VerifyFailure(sequence: nil, problem: .checkpointMissing, message: "the checkpoint copy \(copyPath!) is missing although checkpoints were signed")
                }
                try self.verifyLive(db, verifier, policy)
            }
        } catch let failure as VerifyFailure {
            return verifier.report(failure)
        } catch {
            return verifier.report(VerifyFailure(sequence: nil, problem: .unverifiable, message: "the history database could not be read: \(error)"))
        }
        return verifier.report(nil)
    }

    private func verifyLive(_ db: Database, _ v: ChainVerifier, _ policy: WalkPolicy) throws {
        let path = configuration.databasePath
        let open: @Sendable () throws -> DatabaseQueue = { try DatabaseQueue(path: path, configuration: Self.databaseConfiguration(busyTimeout: 10, readonly: true)) }
        let seals = try Self.seals(db)
        var archives: [Int: (file: String, digest: [UInt8])] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT year, file, file_sha256 FROM archives") {
            archives[row[0]] = (row[1], [UInt8](row[2] as Data))
        }
        let purged = Set(try Int.fetchAll(db, sql: "SELECT year FROM purges"))
        var live = try ChainVerifier.loadCheckpoints(db)
        for seal in seals {
            try v.beginSealedYear(seal)
            if purged.contains(seal.year) {
                guard archives[seal.year] != nil else {
                    throw VerifyFailure(sequence: seal.firstSequence, problem: .archive, message: "year \(seal.year) is marked purged but was never archived")
                }
                v.skipSealedYear(seal)
            } else if let archive = archives[seal.year] {
                try verifyArchive(year: seal.year, seal: seal, file: archive.file, digest: archive.digest, v, policy)
                try v.endSealedYear(seal)
            } else {
                try v.walk(db, open: open, where: "WHERE seq BETWEEN ? AND ?", arguments: [seal.firstSequence, seal.lastSequence], year: seal.year, checkpoints: &live, policy: policy)
                try v.endSealedYear(seal)
            }
        }
        try v.walk(db, open: open, where: "WHERE seq > ?", arguments: [seals.last?.lastSequence ?? 0], year: nil, checkpoints: &live, policy: policy)
        try v.checkLeftovers(live, source: "checkpoint in the database")
        try v.checkLeftovers(v.copies, source: "copied checkpoint")
        let lastPurged = purged.max() ?? Int.min
        for (year, archive) in archives.sorted(by: { $0.key < $1.key }) {
            let seal = seals.first { $0.year == year }
            if let claim = v.archiveClaims[year] {
                guard constantTimeEqual(claim, archive.digest) else {
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

    private func verifyArchive(year: Int, seal: YearSeal, file: String, digest: [UInt8], _ v: ChainVerifier, _ policy: WalkPolicy) throws {
        let path = (configuration.archiveDirectory as NSString).appendingPathComponent(file)
        guard FileManager.default.fileExists(atPath: path) else {
            throw VerifyFailure(sequence: seal.firstSequence, problem: .archive, message: "the archive of \(year) (\(path)) is missing")
        }
        guard constantTimeEqual(try sha256(fileAt: path), digest) else {
            throw VerifyFailure(sequence: seal.firstSequence, problem: .archive, message: "the archive of \(year) (\(path)) does not match its recorded SHA-256")
        }
        let archive = try DatabaseQueue(path: path, configuration: Self.databaseConfiguration(busyTimeout: 1, readonly: true))
        try archive.read { adb in
            guard try Self.seals(adb) == [seal] else {
                throw VerifyFailure(sequence: seal.firstSequence, problem: .archive, message: "the archive of \(year) holds a seal that differs from the live one")
            }
            var cps = try ChainVerifier.loadCheckpoints(adb)
            let open: @Sendable () throws -> DatabaseQueue = { try DatabaseQueue(path: path, configuration: Self.databaseConfiguration(busyTimeout: 1, readonly: true)) }
            try v.walk(adb, open: open, where: "", arguments: [], year: year, checkpoints: &cps, policy: policy)
            try v.checkLeftovers(cps, source: "checkpoint in the archive of \(year)")
        }
    }
}

extension ChainVerifier {
    static func unverifiable(_ message: String) -> VerificationReport {
        VerificationReport(intact: false, firstBadSequence: nil, problem: .unverifiable, message: message, eventsChecked: 0,
                           checkpointsChecked: 0, sealedYears: [], lastSequence: 0, unsignedEvents: 0)
    }
}
