import Foundation
import GatewayAPI
import Logging
import ServiceLifecycle
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// An event stream whose client hangs up ends at once, not at the next event: its subscription (one of the caller's
/// `max-event-streams-per-client`) and its connection are given back. Found by `make api-fuzz`: streams of a client
/// that had left stayed open until something happened, so on a quiet gateway the fifth stream of a client got 429 (and
/// every connection of an idle stream stayed counted).
@Suite("Event stream hang-up", .serialized)
struct EventStreamHangUpTests {
    @Test func aStreamWhoseClientHangsUpEndsWithoutWaitingForAnEvent() async throws {
        let gateway = TestGateway()
        // Three connections per client: six streams one after the other need each one's place back.
        try await withSocketServer(gateway, configure: { SocketServerConfiguration(socketPath: $0, maximumConnectionsPerClient: 3) }) { socket in
            for round in 1...6 {
                let fd = try connectUnix(socket)
                let request = Array("GET /v1/events HTTP/1.1\r\nHost: cardgate\r\n\r\n".utf8)
                _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                let head = readUntil(fd, marker: ServerSentEvents.openingComment, timeout: 3)
                #expect(head.hasPrefix("HTTP/1.1 200"), "round \(round): \(head)")
                #expect(head.contains(ServerSentEvents.openingComment), "round \(round): \(head)")
                #expect(gateway.broadcaster.subscriberCount == 1, "round \(round)")
                close(fd)
                // No event is published: the hang-up alone must end the stream.
                for _ in 0..<60 where gateway.broadcaster.subscriberCount > 0 {
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(gateway.broadcaster.subscriberCount == 0, "round \(round): the stream still holds its subscription")
            }
        }
    }
}


/// What the peer sends until `marker` arrived, it closes, or `timeout` seconds pass.
private func readUntil(_ fd: Int32, marker: String, timeout: Double) -> String {
    var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    var data = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: 4096)
    while !String(decoding: data, as: UTF8.self).contains(marker) {
        let n = recv(fd, &buffer, buffer.count, 0)
        if n <= 0 { break }
        data += buffer[0..<n]
    }
    return String(decoding: data, as: UTF8.self)
}
