import Foundation
import GatewayAPI
import Logging
import ServiceLifecycle
import Testing
import Vocabulary

#if canImport(Glibc)
import Glibc
#endif

/// The socket server's own rules: 405 with `Allow`, the caller the kernel reports, the connection limits and the
/// read and idle time-outs.
@Suite("Socket limits", .serialized)
struct SocketLimitsTests {
    @Test func theRouteTableTellsAWrongMethodFromAnUnknownPath() {
        let table = GatewayRoutes.table
        #expect(table.methods(for: "/v1/terminals/T01") == ["GET"])
        #expect(table.methods(for: "/v1/terminals/T01/pin") == ["POST"])
        #expect(table.methods(for: "/v1/nothing") == [])
        #expect(table.methods(for: "/v1/terminals//pin") == [], "an empty id matches no route")
    }

    @Test func aKnownPathWithAnotherMethodIs405WithAllow() async throws {
        try await withServer { client, _, _, _ in
            let answer = try await client.raw(method: "DELETE", path: "/v1/terminals/T01")
            #expect(answer.status == 405)
            #expect(errorCode(answer.body) == "method-not-allowed")
            let unknown = try await client.raw(method: "GET", path: "/v1/nowhere")
            #expect(unknown.status == 404)
        }
    }

    @Test func theGatewayHearsTheCallerTheKernelReports() async throws {
        try await withServer { client, gateway, _, _ in
            _ = try await client.status()
            let caller = try #require(await gateway.callers.last)
            #expect(caller.uid == getuid() && caller.gid == getgid())
            #expect(caller.pid == getpid(), "the client runs in this process")
        }
    }

    @Test func aClientBeyondItsConnectionLimitIsAnswered503AndTheOthersStillWork() async throws {
        try await withSocketServer(configure: { SocketServerConfiguration(socketPath: $0, maximumConnections: 8, maximumConnectionsPerClient: 3, readTimeout: .seconds(5), idleTimeout: .seconds(30)) }) { socket in
            let held = try (0..<3).map { _ in try connectUnix(socket) }
            defer { held.forEach { close($0) } }
            try await Task.sleep(for: .milliseconds(200))
            let refused = try connectUnix(socket)
            defer { close(refused) }
            let answer = readAll(refused, timeout: 3)
            #expect(answer.hasPrefix("HTTP/1.1 503"), "\(answer)")
            #expect(answer.contains("too-many-connections"))
        }
    }

    @Test func aSlowSenderIsCutOffAtTheReadTimeoutAndAnIdleConnectionAtTheIdleTimeout() async throws {
        try await withSocketServer(configure: { SocketServerConfiguration(socketPath: $0, maximumConnections: 8, maximumConnectionsPerClient: 8, readTimeout: .seconds(1), idleTimeout: .seconds(2)) }) { socket in
            let slow = try connectUnix(socket)
            defer { close(slow) }
            let idle = try connectUnix(socket)
            defer { close(idle) }
            let started = Date()
            // One header byte every 300 ms: never a whole request within the 1 s read time-out.
            var closedAfter: TimeInterval?
            for byte in Array("GET /v1/status HTTP/1.1\r\nHost: x\r\n".utf8) {
                var b = byte
                if send(slow, &b, 1, Int32(MSG_NOSIGNAL)) < 0 { closedAfter = Date().timeIntervalSince(started); break }
                usleep(300_000)
                if Date().timeIntervalSince(started) > 4 { break }
            }
            #expect(closedAfter.map { $0 >= 0.9 && $0 < 2.5 } == true, "the slow sender was closed after \(String(describing: closedAfter)) s")
            let idleAnswer = readAll(idle, timeout: 4)
            #expect(idleAnswer.isEmpty, "the idle connection got no answer, just the close")
            #expect(Date().timeIntervalSince(started) < 5.5)
        }
    }
}


/// Everything the peer sends until it closes, or until `timeout` seconds pass.
private func readAll(_ fd: Int32, timeout: Double) -> String {
    var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    var data = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = recv(fd, &buffer, buffer.count, 0)
        if n <= 0 { break }
        data += buffer[0..<n]
    }
    return String(decoding: data, as: UTF8.self)
}
