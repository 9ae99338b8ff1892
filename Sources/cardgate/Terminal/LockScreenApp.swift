import Dispatch
import Foundation
import GatewayAPI
import Vocabulary

/// The lock-screen program: one loop owns the model and the screen; the keyboard thread, the event stream,
/// the fallback poll and the countdown tick feed it through one stream of inputs.
struct LockScreenApp {
    let terminalID: String
    let client: GatewayClient
    let renderer: LockScreenRenderer

    /// How often the view is re-read while the event stream works (belt and braces).
    static let safetyPoll = Duration.seconds(30)
    /// How long to wait before reopening a dropped event stream (and re-reading the view meanwhile).
    static let reconnectDelay = Duration.seconds(2)

    private enum Input: Sendable {
        case model(LockScreenModel.Input)
        case tick
        case redraw
        case quit
    }

    func run() async throws {
        let terminal = try RawTerminal()
        defer { terminal.restore() }
        let (inputs, feed) = AsyncStream<Input>.makeStream()

        KeyboardReader.start(onKey: { feed.yield(.model(.key($0))) }, onEnd: { feed.yield(.quit) })
        let signals = Self.watchSignals(feed)
        defer { signals.forEach { $0.cancel() } }

        let watcher = Task { await watchEvents(feed) }
        let poller = Task { await pollSafety(feed) }
        defer {
            watcher.cancel()
            poller.cancel()
        }

        var model = LockScreenModel(terminalID: terminalID)
        var ticker: Task<Void, Never>?
        draw(model)
        loop: for await input in inputs {
            switch input {
            case .quit:
                break loop
            case .tick, .redraw:
                break
            case .model(let modelInput):
                if case .submitPIN(let pin) = model.handle(modelInput) {
                    submit(pin, feed)
                }
            }
            // Count down only while unlocked: no wake-ups while the screen waits for a card.
            if model.view?.state == .unlocked, model.connected {
                if ticker == nil { ticker = Self.tick(feed) }
            } else {
                ticker?.cancel()
                ticker = nil
            }
            draw(model)
        }
        ticker?.cancel()
    }

    private func draw(_ model: LockScreenModel) {
        let (columns, rows) = RawTerminal.size()
        RawTerminal.write(renderer.frame(for: model, now: Date(), columns: columns, rows: rows))
    }

    private func submit(_ pin: PIN, _ feed: AsyncStream<Input>.Continuation) {
        let client = self.client
        let id = terminalID
        Task {
            do {
                feed.yield(.model(.view(try await client.submitTerminalPIN(id, pin: pin))))
            } catch let error as GatewayError {
                feed.yield(.model(.pinRefused(error)))
            } catch {
                feed.yield(.model(.pinRefused(GatewayError(.internal, "the PIN could not be sent"))))
            }
        }
    }

    /// Follows `GET /v1/events?terminal=ID`; when it drops, shows the loss, re-reads the view every
    /// `reconnectDelay` and reopens the stream.
    private func watchEvents(_ feed: AsyncStream<Input>.Continuation) async {
        while !Task.isCancelled {
            do {
                let stream = try await client.events(terminal: terminalID)
                feed.yield(.model(.connectionRestored))
                for try await event in stream {
                    if case .terminal(let view) = event { feed.yield(.model(.view(view))) }
                }
            } catch is CancellationError {
                return
            } catch {}
            if Task.isCancelled { return }
            feed.yield(.model(.connectionLost))
            try? await Task.sleep(for: Self.reconnectDelay)
            if let view = try? await client.terminal(terminalID) {
                feed.yield(.model(.view(view)))
            }
        }
    }

    /// Re-reads the view now and then, in case an event was lost.
    private func pollSafety(_ feed: AsyncStream<Input>.Continuation) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.safetyPoll)
            if let view = try? await client.terminal(terminalID) {
                feed.yield(.model(.view(view)))
            }
        }
    }

    private static func tick(_ feed: AsyncStream<Input>.Continuation) -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                feed.yield(.tick)
            }
        }
    }

    /// SIGWINCH redraws; SIGINT, SIGTERM and SIGHUP quit (after restoring the terminal).
    private static func watchSignals(_ feed: AsyncStream<Input>.Continuation) -> [any DispatchSourceSignal] {
        var sources: [any DispatchSourceSignal] = []
        for (number, input) in [(SIGWINCH, Input.redraw), (SIGINT, .quit), (SIGTERM, .quit), (SIGHUP, .quit)] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { feed.yield(input) }
            source.resume()
            sources.append(source)
        }
        return sources
    }
}
