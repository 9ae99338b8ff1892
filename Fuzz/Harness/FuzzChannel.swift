import APDU
import Synchronization

/// A card that answers each command with the next of a list of fuzzer-made answers, and whose transport
/// fails once the list is used up. Records every command it was sent.
public final class FuzzChannel: APDUChannel {
    /// The transport failure after the last answer.
    public struct OutOfAnswers: Error {}

    private struct State {
        var answers: [[UInt8]]
        var next = 0
        var commands: [[UInt8]] = []
    }

    private let state: Mutex<State>

    /// Answers with `answers`, in order.
    public init(answers: [[UInt8]]) {
        state = Mutex(State(answers: answers))
    }

    /// The commands sent so far.
    public var commands: [[UInt8]] { state.withLock { $0.commands } }

    /// The answers given so far.
    public var givenAnswers: [[UInt8]] { state.withLock { Array($0.answers[..<$0.next]) } }

    /// Records `command` and returns the next answer; throws ``OutOfAnswers`` when there is none.
    public func transmit(_ command: [UInt8]) throws -> [UInt8] {
        try state.withLock { state in
            state.commands.append(command)
            guard state.next < state.answers.count else { throw OutOfAnswers() }
            state.next += 1
            return state.answers[state.next - 1]
        }
    }
}

/// A channel that records every command and answer of a real (virtual) card, for seeds.
public final class RecordingChannel: APDUChannel {
    private let inner: any APDUChannel
    private let recorded = Mutex<[(command: [UInt8], answer: [UInt8])]>([])

    /// Passes every command to `inner`.
    public init(_ inner: any APDUChannel) {
        self.inner = inner
    }

    /// Every command sent and the answer `inner` gave to it, in order.
    public var exchanges: [(command: [UInt8], answer: [UInt8])] { recorded.withLock { $0 } }

    /// Sends `command` to the inner channel and records it with its answer.
    public func transmit(_ command: [UInt8]) throws -> [UInt8] {
        let answer = try inner.transmit(command)
        recorded.withLock { $0.append((command, answer)) }
        return answer
    }
}
