import Foundation

/// A value shared by the threads that use one `HistoryStore` (the witness cache), guarded by a lock.
final class Locked<Value: Sendable>: @unchecked Sendable {
    // Safe: `value` is only read or written inside `withLock`, which holds `lock` for the whole access, and
    // `Value` is Sendable, so what leaves the closure may cross threads.
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
