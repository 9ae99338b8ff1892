import Foundation
import GatewayAPI
import Logging
import ServiceLifecycle
import Testing
import Vocabulary

#if canImport(Glibc)
import Glibc
#endif

/// The socket file, the event stream and the service lifecycle.
@Suite("API socket, events and lifecycle")
struct GatewayServerSocketTests {
    @Test func socketFileIsMode0660AndOwnedByTheConfiguredGroup() async throws {
        try await withServer { _, _, socket, _ in
            #expect(UnixSocketFile.mode(socket) == 0o660)
            var info = stat()
            #expect(lstat(socket, &info) == 0)
            #expect(info.st_gid == getgid())
            #expect((info.st_mode & S_IFMT) == S_IFSOCK)
        }
    }

    @Test func socketFileIsRemovedAtShutdown() async throws {
        var path = ""
        try await withServer { client, _, socket, _ in
            path = socket
            _ = try await client.status()
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func staleSocketFileIsReplaced() async throws {
        try await withTemporaryDirectory { directory in
            let socket = directory + "/api.sock"
            let fd = try boundSocket(socket, listening: false)
            close(fd)  // the file stays, nobody listens: stale
            #expect(FileManager.default.fileExists(atPath: socket))
            #expect(try UnixSocketFile.isListening(socket) == false)
            let logs = LogLines()
            try await runServer(socket: socket, logs: logs) { client throws in
                #expect(try await client.status().version == "0.1.0")
                #expect(try UnixSocketFile.isListening(socket))  // a new socket (inode numbers may be reused)
            }
            #expect(logs.all.contains { $0.contains("removed a stale socket") })
        }
    }

    @Test func liveSocketIsNotTakenOver() async throws {
        try await withTemporaryDirectory { directory in
            let socket = directory + "/api.sock"
            let fd = try boundSocket(socket, listening: true)
            defer { close(fd) }
            let server = GatewayServer.make(gateway: TestGateway(), configuration: SocketServerConfiguration(socketPath: socket), logger: quietLogger)
            let error = await #expect(throws: GatewayServerError.self) { try await server.run() }
            #expect(error?.code == .alreadyListening)
            #expect(try UnixSocketFile.isListening(socket))
        }
    }

    @Test func regularFileAtTheSocketPathIsRefused() async throws {
        try await withTemporaryDirectory { directory in
            let socket = directory + "/api.sock"
            _ = FileManager.default.createFile(atPath: socket, contents: Data("keep me".utf8))
            let server = GatewayServer.make(gateway: TestGateway(), configuration: SocketServerConfiguration(socketPath: socket), logger: quietLogger)
            let error = await #expect(throws: GatewayServerError.self) { try await server.run() }
            #expect(error?.code == .notASocket)
            #expect(FileManager.default.contents(atPath: socket) == Data("keep me".utf8))
        }
    }

    @Test func unknownSocketGroupIsAClearError() async throws {
        try await withTemporaryDirectory { directory in
            let server = GatewayServer.make(gateway: TestGateway(), configuration: SocketServerConfiguration(socketPath: directory + "/api.sock", socketGroup: "no-such-group-cg"),
                logger: quietLogger)
            let error = await #expect(throws: GatewayServerError.self) { try await server.run() }
            #expect(error?.code == .unknownGroup)
            #expect(error?.message.contains("\"no-such-group-cg\" does not exist") == true)
            #expect(!FileManager.default.fileExists(atPath: directory + "/api.sock"))
        }
    }

    @Test func missingSocketFolderIsAClearError() async throws {
        let server = GatewayServer.make(gateway: TestGateway(), configuration: SocketServerConfiguration(socketPath: "/tmp/cg-no-such-dir-\(getpid())/api.sock"),
            logger: quietLogger)
        let error = await #expect(throws: GatewayServerError.self) { try await server.run() }
        #expect(error?.code == .missingDirectory)
    }

    @Test func eventStreamSendsTheCurrentViewThenChanges() async throws {
        try await withServer { client, gateway, _, _ in
            let stream = try await client.events(terminal: "T01")
            var events = stream.makeAsyncIterator()
            #expect(try await events.next() == .terminal(.locked("T01")))
            await gateway.insertCard("T02")  // another terminal: filtered out
            await gateway.insertCard("T01")
            #expect(try await events.next() == .terminal(TerminalView(id: "T01", state: .awaitingPIN)))
            _ = try await client.submitTerminalPIN("T01", pin: PIN(TestGateway.operatorPIN))
            let unlocked = try await events.next()
            guard case .terminal(let view) = unlocked else { Issue.record("expected a terminal event"); return }
            #expect(view.state == .unlocked && view.operator == TestGateway.yamada)
            await gateway.removeCard("T01")
            #expect(try await events.next() == .terminal(.locked("T01", reason: .cardRemoved)))
            _ = try await client.lockTerminal("T01")
            #expect(try await events.next() == .terminal(.locked("T01", reason: .manual)))
        }
    }

    @Test func unfilteredEventStreamCarriesDoorsAndEmergencies() async throws {
        try await withServer { client, _, _, _ in
            let stream = try await client.events()
            var events = stream.makeAsyncIterator()
            _ = try await client.submitDoorPIN(door: "D01", pin: PIN(TestGateway.operatorPIN))
            guard case .door(let door) = try await events.next() else { Issue.record("expected a door event"); return }
            #expect(door.outcome == .opened && door.door == "D01")
            _ = try await client.emergencyLockAll(reason: "lightning")
            var kinds: [String] = []
            while let event = try await events.next() {
                kinds.append(event.kind)
                if event.kind == "emergency" { break }
            }
            #expect(kinds == ["terminal", "terminal", "terminal", "emergency"])
        }
    }

    @Test func eventStreamForAnUnknownTerminalIs404() async throws {
        try await withServer { client, _, _, _ in
            await #expect(throws: GatewayError.unknownTerminal("T77")) { _ = try await client.events(terminal: "T77") }
        }
    }

    @Test func gracefulShutdownEndsOpenEventStreams() async throws {
        try await withTemporaryDirectory { directory in
            let socket = directory + "/api.sock"
            let gateway = TestGateway()
            let (ready, readyContinuation) = AsyncStream<Void>.makeStream()
            let server = GatewayServer.make(gateway: gateway, configuration: SocketServerConfiguration(socketPath: socket), logger: quietLogger,
                onReady: { readyContinuation.yield() })
            let group = ServiceGroup(configuration: .init(services: [server], logger: quietLogger))
            let running = Task { try await group.run() }
            var iterator = ready.makeAsyncIterator()
            _ = await iterator.next()
            let stream = try await GatewayClient(socketPath: socket).events(terminal: "T01")
            var events = stream.makeAsyncIterator()
            _ = try await events.next()
            #expect(gateway.broadcaster.subscriberCount == 1)
            let started = ContinuousClock.now
            await group.triggerGracefulShutdown()
            try await running.value
            #expect(ContinuousClock.now - started < .seconds(5))
            #expect(try await events.next() == nil)
            #expect(!FileManager.default.fileExists(atPath: socket))
        }
    }

    @Test func clientReportsAnUnreachableGateway() async throws {
        try await withTemporaryDirectory { directory in
            let client = GatewayClient(socketPath: directory + "/absent.sock", timeout: .seconds(2))
            let error = await #expect(throws: GatewayClientError.self) { try await client.status() }
            #expect(error?.code == .unreachable)
        }
    }
}

/// Runs a server on `socket` with `logs`, calls `body`, stops it.
private func runServer(socket: String, logs: LogLines, body: (GatewayClient) async throws -> Void) async throws {
    let logger = Logger(label: "cardgate.api") { JournalLogHandler(label: $0, level: .debug, write: { logs.append($0) }) }
    let (ready, readyContinuation) = AsyncStream<Void>.makeStream()
    let server = GatewayServer.make(gateway: TestGateway(), configuration: SocketServerConfiguration(socketPath: socket), logger: logger,
        onReady: { readyContinuation.yield() })
    let group = ServiceGroup(configuration: .init(services: [server], logger: logger))
    let running = Task { try await group.run() }
    var iterator = ready.makeAsyncIterator()
    _ = await iterator.next()
    do {
        try await body(GatewayClient(socketPath: socket))
    } catch {
        await group.triggerGracefulShutdown()
        _ = try? await running.value
        throw error
    }
    await group.triggerGracefulShutdown()
    try await running.value
}

/// A Unix socket bound at `path`, listening or not.
private func boundSocket(_ path: String, listening: Bool) throws -> Int32 {
    let fd = try unixSocket(path, failure: .EADDRINUSE) { bind($0, $1, $2) }
    if listening { listen(fd, 1) }
    return fd
}

/// A logger that drops everything.
private let quietLogger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
