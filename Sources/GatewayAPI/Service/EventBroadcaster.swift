import Foundation

/// Fans events out to any number of subscribers, each with its own bounded buffer.
///
/// A slow subscriber loses its oldest events beyond `bufferSize` instead of holding the publisher up;
/// a lock screen re-reads the terminal when it reconnects, so losing old events is safe.
public final class EventBroadcaster: @unchecked Sendable {
    // Safe: `subscribers` and `nextID` are only touched while holding `lock`.
    private let lock = NSLock()
    private var subscribers: [Int: AsyncStream<GatewayEvent>.Continuation] = [:]
    private var nextID = 0
    private let bufferSize: Int

    /// Creates a broadcaster keeping up to `bufferSize` unread events per subscriber.
    public init(bufferSize: Int = 64) {
        self.bufferSize = bufferSize
    }

    /// A new subscription; it is removed when its consumer stops iterating or is cancelled.
    public func subscribe() -> AsyncStream<GatewayEvent> {
        let (stream, continuation) = AsyncStream<GatewayEvent>.makeStream(
            bufferingPolicy: .bufferingNewest(bufferSize))
        let id = lock.withLock {
            nextID += 1
            subscribers[nextID] = continuation
            return nextID
        }
        continuation.onTermination = { [weak self] _ in
            self?.remove(id)
        }
        return stream
    }

    /// Sends `event` to every current subscriber.
    public func publish(_ event: GatewayEvent) {
        let targets = lock.withLock { Array(subscribers.values) }
        for continuation in targets {
            continuation.yield(event)
        }
    }

    /// Ends every subscription (at shutdown).
    public func finishAll() {
        let targets = lock.withLock {
            let all = Array(subscribers.values)
            subscribers.removeAll()
            return all
        }
        for continuation in targets {
            continuation.finish()
        }
    }

    /// How many subscriptions are open.
    public var subscriberCount: Int {
        lock.withLock { subscribers.count }
    }

    private func remove(_ id: Int) {
        _ = lock.withLock { subscribers.removeValue(forKey: id) }
    }
}
