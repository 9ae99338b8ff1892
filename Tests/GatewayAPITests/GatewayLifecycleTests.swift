import Foundation
import GatewayAPI
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// A core that, like the real one, waits for graceful shutdown and then "locks everything"; it records
/// whether the API socket was already gone by then.
private final class RecordingCore: Service, Sendable {
    let socket: String
    let apiGoneAtShutdown = Mutex<Bool?>(nil)
    let failWith: (any Error & Sendable)?

    init(socket: String, failWith: (any Error & Sendable)? = nil) {
        self.socket = socket
        self.failWith = failWith
    }

    func run() async throws {
        if let failWith { throw failWith }
        try? await gracefulShutdown()
        apiGoneAtShutdown.withLock { $0 = !FileManager.default.fileExists(atPath: socket) }
    }
}

private struct CoreFailure: Error, Equatable {}

@Suite("Service lifecycle")
struct GatewayLifecycleTests {
    let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    @Test func shutdownStopsTheAPIFirstThenTheCore() async throws {
        try await withTemporaryDirectory { directory in
            let socket = directory + "/api.sock"
            let core = RecordingCore(socket: socket)
            let (ready, readyContinuation) = AsyncStream<Void>.makeStream()
            let server = GatewayServer.make(
                gateway: TestGateway(), configuration: SocketServerConfiguration(socketPath: socket), logger: logger,
                onReady: { readyContinuation.yield() })
            let group = GatewayLifecycle.serviceGroup(core: core, servers: [server], logger: logger, handleSignals: false)
            let running = Task { try await group.run() }
            var iterator = ready.makeAsyncIterator()
            await iterator.next()
            #expect(try await GatewayClient(socketPath: socket).status().version == "0.1.0")
            #expect(core.apiGoneAtShutdown.withLock { $0 } == nil)
            await group.triggerGracefulShutdown()
            try await running.value
            #expect(core.apiGoneAtShutdown.withLock { $0 } == true)
        }
    }

    @Test func aServerThatCannotStartStopsTheCoreGracefullyAndTheErrorSurfaces() async throws {
        try await withTemporaryDirectory { directory in
            let core = RecordingCore(socket: directory + "/api.sock")
            let server = GatewayServer.make(
                gateway: TestGateway(),
                configuration: SocketServerConfiguration(socketPath: directory + "/api.sock", socketGroup: "no-such-group-cg"),
                logger: logger)
            let group = GatewayLifecycle.serviceGroup(core: core, servers: [server], logger: logger, handleSignals: false)
            let error = await #expect(throws: GatewayServerError.self) { try await group.run() }
            #expect(error?.code == .unknownGroup)
            #expect(core.apiGoneAtShutdown.withLock { $0 } == true)
        }
    }

    @Test func aFailingCoreStopsTheAPI() async throws {
        try await withTemporaryDirectory { directory in
            let socket = directory + "/api.sock"
            let core = RecordingCore(socket: socket, failWith: CoreFailure())
            let server = GatewayServer.make(gateway: TestGateway(), configuration: SocketServerConfiguration(socketPath: socket), logger: logger)
            let group = GatewayLifecycle.serviceGroup(core: core, servers: [server], logger: logger, handleSignals: false)
            await #expect(throws: CoreFailure.self) { try await group.run() }
            #expect(!FileManager.default.fileExists(atPath: socket))
        }
    }
}
