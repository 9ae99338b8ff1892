import APDU
import Foundation
import Vocabulary

/// A fake card for unit tests: answers each command with the next scripted response, after checking that
/// the command is the one the script expects. Records what was sent.
// @unchecked Sendable: `steps` and `sent` are only touched with `lock` held.
public final class ScriptedChannel: APDUChannel, @unchecked Sendable {
    /// The command was not the one the script expected, or the script ran out.
    public struct Unexpected: Error, CustomStringConvertible { public let description: String }
    /// The scripted transport failure.
    public struct Broken: Error {}

    private let lock = NSLock()
    private var steps: [(expect: [UInt8]?, answer: [UInt8]?)]
    /// Every command sent so far.
    public var sent: [[UInt8]] { lock.withLock { sentCommands } }
    private var sentCommands: [[UInt8]] = []

    /// `answer` nil = the transport fails for that command; `expect` nil = accept any command.
    public init(_ steps: [(expect: [UInt8]?, answer: [UInt8]?)]) {
        self.steps = steps
    }

    /// Scripted answers not used yet.
    public var remaining: Int { lock.withLock { steps.count } }

    public func transmit(_ command: [UInt8]) throws -> [UInt8] {
        try lock.withLock {
            sentCommands.append(command)
            guard !steps.isEmpty else { throw Unexpected(description: "no more scripted answers for \(Hex.encode(command))") }
            let step = steps.removeFirst()
            if let expect = step.expect, expect != command {
                throw Unexpected(description: "expected \(Hex.encode(expect)), got \(Hex.encode(command))")
            }
            guard let answer = step.answer else { throw Broken() }
            return answer
        }
    }
}
