import Dispatch

/// The SHA-256 of each archive file, computed on a background thread in year order while verification reads
/// the checkpoints and walks the years before: hashing seven archives is about two seconds of one core that would
/// otherwise wait. `sha256(fileAt:)` refuses anything but a regular file without blocking (a FIFO would).
final class ArchiveDigests: Sendable {
    private let results = Locked<[Int: Result<[UInt8], HistoryError>]>([:])
    private let ready: [Int: DispatchSemaphore]
    private let cancelled = Locked(false)

    /// Starts hashing `files` (year and path), in the given order.
    init(_ files: [(year: Int, path: String)]) {
        ready = Dictionary(uniqueKeysWithValues: files.map { ($0.year, DispatchSemaphore(value: 0)) })
        let results = self.results, ready = self.ready, cancelled = self.cancelled
        DispatchQueue.global(qos: .userInitiated).async {
            for (year, path) in files {
                let result: Result<[UInt8], HistoryError>
                if cancelled.withLock({ $0 }) {
                    result = .failure(HistoryError(.archive, "verification stopped before the archive of \(year) was hashed"))
                } else {
                    result = Result { () throws(HistoryError) in try sha256(fileAt: path) }
                }
                results.withLock { $0[year] = result }
                ready[year]?.signal()
            }
        }
    }

    /// The digest of `year`'s archive, waiting for it if it is not hashed yet; nil for a year not started.
    func digest(year: Int) throws(HistoryError) -> [UInt8]? {
        guard let semaphore = ready[year] else { return nil }
        semaphore.wait()
        semaphore.signal()   // a second caller does not wait
        return try results.withLock { $0[year] }?.get()
    }

    /// Hashes no further archive (the files not yet started report so).
    func cancel() { cancelled.withLock { $0 = true } }
}
