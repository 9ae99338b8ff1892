import Synchronization

/// A step run inside the next write transaction of the registry on this thread, after the change and before the
/// commit (see ``Registry/recording(_:_:)``): it runs once; if it throws, the transaction rolls back.
final class CommitHook: Sendable {
    /// The hook of the act running on this thread, if any.
    @TaskLocal static var current: CommitHook?

    private let step: @Sendable () throws -> Void
    private let ran = Mutex(false)

    init(_ step: @escaping @Sendable () throws -> Void) {
        self.step = step
    }

    /// Whether the step ran and succeeded.
    var didRun: Bool { ran.withLock { $0 } }

    /// Runs the step, unless it already ran.
    func run() throws {
        guard !ran.withLock({ $0 }) else { return }
        try step()
        ran.withLock { $0 = true }
    }
}
