import Foundation

/// Maps `0..<count` through `transform` on several threads at once, in contiguous chunks, and returns the
/// results in index order. Fewer than `minimum` items (or one core) are mapped on the calling thread.
///
/// Used by verification for the costly per-item work before the sequential checks: parsing checkpoint notes and
/// witness lines, verifying their signatures, folding the tree at checkpoint sizes.
func parallelMap<T: Sendable>(_ count: Int, minimum: Int = 256, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                              _ transform: @Sendable (Int) -> T) -> [T] {
    let cores = max(1, min(threads, 8))
    guard count >= max(2, minimum), cores > 1 else { return (0..<count).map(transform) }
    // Four chunks a core, handed out as threads come free: costly items bunched together (the signatures of a
    // purged year's witness lines, all at the start) do not leave one core with all the work.
    let chunks = min(cores * 4, count)
    let size = (count + chunks - 1) / chunks
    let results = Locked([[T]](repeating: [], count: chunks))
    DispatchQueue.concurrentPerform(iterations: chunks) { c in
        let part = ((c * size)..<min(count, (c + 1) * size)).map(transform)
        results.withLock { $0[c] = part }
    }
    return results.withLock { $0.flatMap { $0 } }
}
