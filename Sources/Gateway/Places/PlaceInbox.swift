/// A reply to an API caller, resumed once with the outcome.
typealias Reply<T: Sendable> = CheckedContinuation<T, any Error>

/// The inbox of a place (a terminal or a door): messages go in without waiting and come out one at a time, in
/// order, for the place's own loop.
struct PlaceInbox<Message: Sendable>: Sendable {
    /// The messages, for the place's loop (which ends after ``finish()``).
    let messages: AsyncStream<Message>
    private let continuation: AsyncStream<Message>.Continuation

    init() {
        (messages, continuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
    }

    /// Puts `message` in the inbox; never waits.
    func send(_ message: Message) {
        continuation.yield(message)
    }

    /// Sends the message `make` builds around a reply, and waits for that reply.
    func ask<T: Sendable>(_ make: (Reply<T>) -> Message) async throws -> T {
        try await withCheckedThrowingContinuation { send(make($0)) }
    }

    /// Ends the loop once the messages already sent are handled.
    func finish() {
        continuation.finish()
    }
}
