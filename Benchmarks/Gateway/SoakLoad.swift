import Foundation
import GatewayAPI
import Synchronization
import Vocabulary

/// The background load of the soak: the load terminals' operators sign in with their PIN (one scrypt hash each
/// time), record operations at a steady pace and lock again; an API reader polls status, terminal, door, room and
/// alarm views as a supervisor's screen would. Every operation the daemon acknowledged is kept with its history
/// sequence number, so that the soak can look each one up in the history afterwards.
final class SoakLoad: Sendable {
    struct Tally: Sendable {
        /// The history sequence numbers of the acknowledged operations.
        var operations: [Int64] = []
        var signIns = 0
        var reads = 0
        var errors: [String: Int] = [:]
        var stopped = false
    }

    private let tally = Mutex(Tally())
    private let client: GatewayClient
    private let terminals: [String]
    /// Pause between two operations of one operator.
    private let operationPause: Duration

    init(client: GatewayClient, terminals: [String], operationPause: Duration = .milliseconds(300)) {
        self.client = client
        self.terminals = terminals
        self.operationPause = operationPause
    }

    /// Starts one worker per load terminal and the API reader.
    func start() {
        for terminal in terminals {
            Task.detached { [self] in await work(terminal) }
        }
        Task.detached { [self] in await read() }
    }

    /// What was done so far.
    var snapshot: Tally { tally.withLock { $0 } }

    /// Stops the workers and returns the tally (each worker finishes the request it has in flight).
    func stop() async -> Tally {
        tally.withLock { $0.stopped = true }
        try? await Task.sleep(for: .seconds(2))
        return snapshot
    }

    private var stopped: Bool { tally.withLock { $0.stopped } }

    private func failed(_ error: any Error) {
        let code = (error as? GatewayError)?.code.rawValue ?? "\(type(of: error))"
        tally.withLock { $0.errors[code, default: 0] += 1 }
    }

    private func work(_ terminal: String) async {
        let pin = PIN(BenchInstallation.pin)
        var record = 0
        while !stopped {
            do {
                let view = try await client.submitTerminalPIN(terminal, pin: pin)
                guard view.state == .unlocked else {
                    _ = try? await client.lockTerminal(terminal)
                    continue
                }
                tally.withLock { $0.signIns += 1 }
                for _ in 0..<10 where !stopped {
                    record += 1
                    let receipt = try await client.recordOperation(terminal: terminal, action: "resident.view",
                                                                   target: "resident:" + String(format: "%012d", record))
                    if let sequence = receipt.historySequence { tally.withLock { $0.operations.append(sequence) } }
                    try? await Task.sleep(for: operationPause)
                }
                _ = try await client.lockTerminal(terminal)
            } catch {
                failed(error)
                _ = try? await client.lockTerminal(terminal)
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    private func read() async {
        while !stopped {
            do {
                _ = try await client.status()
                _ = try await client.terminal(BenchInstallation.measured.id)
                _ = try await client.door(BenchInstallation.door)
                _ = try await client.occupancy(room: BenchInstallation.doorRoom)
                _ = try await client.alarms()
                tally.withLock { $0.reads += 5 }
            } catch {
                failed(error)
            }
            try? await Task.sleep(for: .milliseconds(250))
        }
    }
}
