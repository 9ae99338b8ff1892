import Foundation
import GatewayAPI
import Synchronization
import Vocabulary

/// Keeps `workers` PIN checks going in the daemon: each worker sends the right PIN to a load terminal whose card
/// waits for it (one scrypt hash in the daemon), locks the terminal again through the API when it unlocked (the
/// card stays, so the PIN is asked again), and starts over. A sampler counts the PIN requests in flight and the
/// daemon's runnable threads, to show that the hashes really run at the same time.
final class PINLoad: Sendable {
    private struct Counters {
        var inFlight = 0
        var hashes = 0
        var errors: [String: Int] = [:]
        var inFlightSamples: [Int] = []
        var runnableSamples: [Int] = []
        var stopped = false
    }

    private let counters = Mutex(Counters())
    private let client: GatewayClient
    private let terminals: [String]
    private let workers: Int
    private let probe: ProcessProbe

    init(client: GatewayClient, terminals: [String], workers: Int, probe: ProcessProbe) {
        self.client = client
        self.terminals = terminals
        self.workers = workers
        self.probe = probe
    }

    /// Starts the workers and the sampler (every 50 ms).
    func start() {
        for index in 0..<workers {
            let terminal = terminals[index % terminals.count]
            Task.detached { [self] in await work(terminal) }
        }
        let thread = Thread { [self] in
            while !counters.withLock({ $0.stopped }) {
                let inFlight = counters.withLock { $0.inFlight }
                let runnable = probe.runnableThreads()
                counters.withLock {
                    $0.inFlightSamples.append(inFlight)
                    $0.runnableSamples.append(runnable)
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        thread.name = "bench.load-sampler"
        thread.start()
    }

    /// Stops the workers (each finishes its request in flight) and returns what they did.
    func stop() async -> (hashes: Int, errors: [String: Int], inFlight: [Int], runnable: [Int]) {
        counters.withLock { $0.stopped = true }
        while counters.withLock({ $0.inFlight }) > 0 { try? await Task.sleep(for: .milliseconds(20)) }
        return counters.withLock { ($0.hashes, $0.errors, $0.inFlightSamples, $0.runnableSamples) }
    }

    private func work(_ terminal: String) async {
        let pin = PIN(BenchInstallation.pin)
        while true {
            let go = counters.withLock { counters -> Bool in
                if counters.stopped { return false }
                counters.inFlight += 1
                return true
            }
            guard go else { return }
            do {
                let view = try await client.submitTerminalPIN(terminal, pin: pin)
                counters.withLock {
                    $0.inFlight -= 1
                    $0.hashes += 1
                }
                if view.state == .unlocked { _ = try? await client.lockTerminal(terminal) }
            } catch {
                let code = (error as? GatewayError)?.code.rawValue ?? "\(error)"
                counters.withLock {
                    $0.inFlight -= 1
                    $0.errors[code, default: 0] += 1
                }
                // Another worker unlocked this terminal meanwhile: lock it again so the PIN is asked.
                _ = try? await client.lockTerminal(terminal)
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
    }
}
