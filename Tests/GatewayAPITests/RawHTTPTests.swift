import Foundation
import GatewayAPI
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Requests no well-behaved client sends, written byte by byte to the socket.
@Suite("Raw HTTP on the socket")
struct RawHTTPTests {
    @Test func oversizeChunkedBodyIs413() async throws {
        try await withServer { _, _, socket, _ in
            let chunk = String(repeating: "x", count: 3000)
            let request = "POST /v1/terminals/T02/pin HTTP/1.1\r\nHost: cardgate\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "bb8\r\n\(chunk)\r\nbb8\r\n\(chunk)\r\n0\r\n\r\n"
            let answer = try await exchange(socket, request)
            #expect(answer.hasPrefix("HTTP/1.1 413"))
            #expect(answer.contains(#""error":"body-too-large""#))
        }
    }

    @Test func malformedHTTPIs400AndTheConnectionCloses() async throws {
        try await withServer { client, _, socket, _ in
            let answer = try await exchange(socket, "THIS IS NOT HTTP\r\n\r\n")
            #expect(answer.hasPrefix("HTTP/1.1 400"))
            #expect(try await client.status().version == "0.1.0")  // the server goes on
        }
    }

    @Test func answersCarryNoCacheAndJSONHeaders() async throws {
        try await withServer { _, _, socket, _ in
            let answer = try await exchange(socket, "GET /v1/terminals/T01 HTTP/1.1\r\nHost: cardgate\r\nConnection: close\r\n\r\n")
            let head = answer.components(separatedBy: "\r\n\r\n")[0].lowercased()
            #expect(head.hasPrefix("http/1.1 200"))
            #expect(head.contains("content-type: application/json; charset=utf-8"))
            #expect(head.contains("cache-control: no-store"))
        }
    }
}

/// Sends `request` on a new connection and reads until the server closes it (5 s at most). The blocking
/// socket calls run on a thread of their own: on the task pool they could starve the server's handlers.
private func exchange(_ socketPath: String, _ request: String) async throws -> String {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try blockingExchange(socketPath, request) }) }.start()
    }
}

private func blockingExchange(_ socketPath: String, _ request: String) throws -> String {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EIO) }
    defer { close(fd) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let path = Array(socketPath.utf8)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        raw.copyBytes(from: path)
        raw[path.count] = 0
    }
    let rc = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard rc == 0 else { throw POSIXError(.ECONNREFUSED) }
    var timeout = timeval(tv_sec: 5, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    let bytes = Array(request.utf8)
    var sent = 0
    while sent < bytes.count {
        let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
        if n <= 0 { break }  // the server may answer and close before reading everything
        sent += n
    }
    var answer: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
        if n <= 0 { break }
        answer += buffer[0..<n]
    }
    return String(decoding: answer, as: UTF8.self)
}
