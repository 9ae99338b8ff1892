import Synchronization
import VirtualCard

/// A virtual card that notes when each command APDU reached it and when its answer left (CLOCK_MONOTONIC), so that
/// the time from insertion to decision can be split into: reaching the card, talking to it, and what follows.
final class TimedCard: CardEmulator {
    /// One command: arrival, answer, and the card's own computing time in between.
    struct Exchange: Sendable {
        var received: UInt64
        var answered: UInt64
    }

    private let card: PIVCardEmulator
    private let exchanges = Mutex<[Exchange]>([])

    init(_ card: PIVCardEmulator) { self.card = card }

    var atr: [UInt8] { card.atr }

    func reset() { card.reset() }

    func process(_ command: [UInt8]) -> [UInt8]? {
        let received = monotonicNanoseconds()
        let answer = card.process(command)
        let answered = monotonicNanoseconds()
        exchanges.withLock { $0.append(Exchange(received: received, answered: answered)) }
        return answer
    }

    /// The commands seen so far.
    var all: [Exchange] { exchanges.withLock { $0 } }
}
