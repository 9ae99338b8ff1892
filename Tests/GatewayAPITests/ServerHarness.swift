import Foundation
import GatewayAPI
import Logging
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Collects log lines written by ``JournalLogHandler`` so that tests can search them.
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

/// A fresh folder under /tmp (short, for the 108-byte socket path limit), removed afterwards.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    var template = Array("/tmp/cg-api-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
    let path = String(cString: made)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// The name of this process's group, which it may give its socket to.
func currentGroupName() -> String {
    String(cString: getgrgid(getgid())!.pointee.gr_name)
}

/// Runs a real ``GatewayServer`` on a Unix socket in a temporary folder in a ServiceGroup, calls `body`
/// with a client once the socket is ready, then shuts the group down gracefully.
func withServer(
    _ gateway: TestGateway = TestGateway(),
    body: (GatewayClient, TestGateway, String, LogLines) async throws -> Void
) async throws {
    try await withTemporaryDirectory { directory in
        let socket = directory + "/api.sock"
        let logs = LogLines()
        let logger = Logger(label: "cardgate.api") { label in
            JournalLogHandler(label: label, level: .debug, write: { logs.append($0) })
        }
        let (ready, readyContinuation) = AsyncStream<Void>.makeStream()
        let server = GatewayServer.make(
            gateway: gateway,
            configuration: SocketServerConfiguration(socketPath: socket, socketGroup: currentGroupName()),
            logger: logger,
            onReady: { readyContinuation.yield() })
        let group = ServiceGroup(configuration: .init(services: [server], logger: logger))
        let running = Task { try await group.run() }
        var iterator = ready.makeAsyncIterator()
        _ = await iterator.next()
        do {
            try await body(GatewayClient(socketPath: socket), gateway, socket, logs)
        } catch {
            await group.triggerGracefulShutdown()
            _ = try? await running.value
            throw error
        }
        await group.triggerGracefulShutdown()
        try await running.value
    }
}

/// The body as text.
func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

/// The JSON object of an error body.
func errorCode(_ bytes: [UInt8]) -> String? {
    (try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])?["error"] as? String
}

/// Runs a quiet ``GatewayServer`` for `gateway` on a socket in a temporary folder, with the configuration `configure`
/// makes for that socket path; calls `body` with the path once the socket is ready, then shuts down gracefully.
func withSocketServer(
    _ gateway: TestGateway = TestGateway(), configure: (String) -> SocketServerConfiguration, body: (String) async throws -> Void
) async throws {
    try await withTemporaryDirectory { directory in
        let socket = directory + "/api.sock"
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let (ready, readyContinuation) = AsyncStream<Void>.makeStream()
        let server = GatewayServer.make(gateway: gateway, configuration: configure(socket), logger: logger, onReady: { readyContinuation.yield() })
        let group = ServiceGroup(configuration: .init(services: [server], logger: logger))
        let running = Task { try await group.run() }
        var iterator = ready.makeAsyncIterator()
        _ = await iterator.next()
        do {
            try await body(socket)
        } catch {
            await group.triggerGracefulShutdown()
            _ = try? await running.value
            throw error
        }
        await group.triggerGracefulShutdown()
        try await running.value
    }
}

/// A new Unix stream socket, and `call` (connect or bind) made on it with the address of `path`; closed and `failure`
/// thrown when the call fails.
func unixSocket(_ path: String, failure: POSIXErrorCode, _ call: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Int32) throws -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EIO) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        raw.copyBytes(from: bytes)
        raw[bytes.count] = 0
    }
    let rc = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { call(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard rc == 0 else { close(fd); throw POSIXError(failure) }
    return fd
}

/// A connected Unix socket to `path` (a raw client, for what an HTTP client would hide).
func connectUnix(_ path: String) throws -> Int32 {
    try unixSocket(path, failure: .ECONNREFUSED) { connect($0, $1, $2) }
}
