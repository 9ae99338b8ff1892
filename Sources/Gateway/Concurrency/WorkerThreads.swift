import CLinux
import Foundation
import Vocabulary

/// A fixed set of threads of its own that run blocking or CPU-heavy work (SQLite writes, scrypt) off Swift's
/// cooperative pool, in arrival order. Callers `await` the result; nothing polls.
final class WorkerThreads: @unchecked Sendable {
    // @unchecked Sendable: `jobs` and `stopped` are touched only while holding `condition`; the threads only read them
    // under it.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var stopped = false

    /// Starts `count` threads named `name-1`, `name-2`, …; with `nice` above 0 they run at that lower priority
    /// (the scheduler then lets card checks, locks and history appends go first).
    init(name: String, count: Int, nice: Int32 = 0) {
        for index in 1...max(1, count) {
            let thread = Thread { [self] in
                if nice > 0 { _ = cg_set_thread_nice(nice) }  // best effort: a thread may always lower its own priority
                loop()
            }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    /// Runs `job` on one of the threads.
    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Runs `body` on one of the threads and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            submit { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Runs `body` on one of the threads and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            submit { continuation.resume(returning: body()) }
        }
    }

    /// Lets the threads end once the queued jobs are done.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopped { condition.wait() }
            if jobs.isEmpty && stopped {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}

/// A serial executor with a thread of its own, for an actor whose methods block (the history writer: every append
/// waits for its `fsync`). The cooperative pool never blocks on them.
final class ThreadExecutor: SerialExecutor {
    private let thread: WorkerThreads

    /// Starts the executor's thread.
    init(name: String) {
        thread = WorkerThreads(name: name, count: 1)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        thread.submit { unowned.runSynchronously(on: executor) }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }
}

/// Runs `body` on a new thread of its own and returns its result: for a call that may block for a long time or for
/// ever (a card that does not answer, a pcscd that is stopped), so that it holds up nothing else.
func onThreadOfItsOwn<T: Sendable>(name: String, _ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.name = name
        thread.start()
    }
}
