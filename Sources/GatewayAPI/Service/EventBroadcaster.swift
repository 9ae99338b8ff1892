import Synchronization

/// Fans events out to any number of subscribers, each with its own bounded buffer.
///
/// A slow subscriber loses its oldest events beyond `bufferSize` instead of holding the publisher up;
/// a lock screen re-reads the terminal when it reconnects, so losing old events is safe.
public final class EventBroadcaster: Sendable {
    private struct Subscribers: ~Copyable {
        var continuations: [Int: AsyncStream<GatewayEvent>.Continuation] = [:]
        var nextID = 0
    }

    private let subscribers = Mutex(Subscribers())
    private let bufferSize: Int

    /// Creates a broadcaster keeping up to `bufferSize` unread events per subscriber.
    public init(bufferSize: Int = 64) {
        self.bufferSize = bufferSize
    }

    /// A new subscription; it is removed when its consumer stops iterating or is cancelled.
    public func subscribe() -> AsyncStream<GatewayEvent> {
        let (stream, continuation) = AsyncStream<GatewayEvent>.makeStream(bufferingPolicy: .bufferingNewest(bufferSize))
        let id = subscribers.withLock { state in
            state.nextID += 1
            state.continuations[state.nextID] = continuation
            return state.nextID
        }
        continuation.onTermination = { [weak self] _ in
            self?.remove(id)
        }
        return stream
    }

    /// Sends `event` to every current subscriber.
    public func publish(_ event: GatewayEvent) {
        let targets = subscribers.withLock { Array($0.continuations.values) }
        for continuation in targets {
            continuation.yield(event)
        }
    }

    /// Ends every subscription (at shutdown).
    public func finishAll() {
        let targets = subscribers.withLock { state in
            defer { state.continuations.removeAll() }
            return Array(state.continuations.values)
        }
        for continuation in targets {
            continuation.finish()
        }
    }

    /// How many subscriptions are open.
    public var subscriberCount: Int {
        subscribers.withLock { $0.continuations.count }
    }

    private func remove(_ id: Int) {
        _ = subscribers.withLock { $0.continuations.removeValue(forKey: id) }
    }
}
