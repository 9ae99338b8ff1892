import APDU
import Foundation

/// A fake card for unit tests: answers each command with the next scripted response, after checking that
/// the command is the one the script expects. Records what was sent.
// @unchecked Sendable: `steps` and `sent` are only touched with `lock` held.
final class ScriptedChannel: APDUChannel, @unchecked Sendable {
    struct Unexpected: Error, CustomStringConvertible { let description: String }
    struct Broken: Error {}

    private let lock = NSLock()
    private var steps: [(expect: [UInt8]?, answer: [UInt8]?)]
    private(set) var sent: [[UInt8]] = []

    /// `answer` nil = the transport fails for that command; `expect` nil = accept any command.
    init(_ steps: [(expect: [UInt8]?, answer: [UInt8]?)]) {
        self.steps = steps
    }

    var remaining: Int { lock.withLock { steps.count } }

    func transmit(_ command: [UInt8]) throws -> [UInt8] {
        try lock.withLock {
            sent.append(command)
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
