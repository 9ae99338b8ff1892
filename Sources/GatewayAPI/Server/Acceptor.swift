#if canImport(Glibc)
import Glibc
#endif
import CLinux
import Foundation
import Vocabulary

/// The listening side of one Unix socket, on a thread of its own (`accept` is a blocking C edge): binds, accepts,
/// reads each caller's credentials from the kernel and decides admission before anything else sees the connection.
/// A refused connection gets a short JSON answer and is closed at once, so a flood never holds descriptors.
final class Acceptor: Sendable {
    /// What the accepting thread decided about one connection.
    enum Admission: Sendable {
        /// Serve it; give the ticket back to the gate when it closes.
        case serve(fd: Int32, peer: Peer)
    }

    let listenFD: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32

    /// Binds and listens on `path` (which ``UnixSocketFile/prepare(_:)`` has made free).
    init(path: String, backlog: Int32 = 256) throws(GatewayServerError) {
        #if canImport(Glibc)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw GatewayServerError(.system, "socket(): \(UnixSocketFile.errorText(errno))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < UnixSocketFile.maximumPathLength else {
            Glibc.close(fd)
            throw GatewayServerError(.badSocketPath, "the socket path \(path) is too long")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(fd, backlog) == 0 else {
            let error = errno
            Glibc.close(fd)
            throw GatewayServerError(.system, "cannot listen on \(path): \(UnixSocketFile.errorText(error))")
        }
        var pipeFDs: [Int32] = [0, 0]
        guard cg_pipe_cloexec(&pipeFDs) == 0 else {
            Glibc.close(fd)
            throw GatewayServerError(.system, "pipe2(): \(UnixSocketFile.errorText(errno))")
        }
        listenFD = fd
        wakeRead = pipeFDs[0]
        wakeWrite = pipeFDs[1]
    }

    /// Accepts until ``stop()``. For each connection: the kernel's credentials (refused without them), `admits`
    /// (refused with 403 for a caller that may use nothing here), then the gate's limits (refused with 503). Admitted
    /// connections go to `serve`. Blocks the calling thread.
    func run(gate: ConnectionGate, admits: @Sendable (Peer) -> Bool, refused: @Sendable (Peer?, String) -> Void,
             serve: (Admission) -> Void) {
        var lingering = Lingering()
        defer { lingering.closeAll() }
        while true {
            var fds = [pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
                + lingering.pollFDs
            let ready = poll(&fds, nfds_t(fds.count), lingering.timeoutMilliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            lingering.serve(Array(fds.dropFirst(2)))
            if fds[1].revents != 0 { return }
            guard fds[0].revents & Int16(POLLIN) != 0 else {
                if fds[0].revents != 0 { return }
                continue
            }
            let connection = cg_accept_nonblocking(listenFD)
            guard connection >= 0 else {
                // EMFILE/ENFILE: out of descriptors; pause briefly instead of spinning.
                if errno == EMFILE || errno == ENFILE { usleep(50_000) }
                continue
            }
            guard let peer = PeerCredentials.read(connection) else {
                refused(nil, "no-credentials")
                answer(connection, status: "403 Forbidden", GatewayError(.forbidden, "the caller's credentials could not be read"), lingering: &lingering)
                continue
            }
            guard admits(peer) else {
                refused(peer, "forbidden")
                answer(connection, status: "403 Forbidden", .forbidden("use this socket"), lingering: &lingering)
                continue
            }
            if let refusal = gate.admit(peer) {
                refused(peer, refusal == .socketFull ? "socket-full" : "client-full")
                answer(connection, status: "503 Service Unavailable",
                       GatewayError(.tooManyConnections, refusal == .socketFull
                                    ? "the socket holds as many connections as it may; try again in a moment"
                                    : "this client holds as many connections as it may; close some first"),
                       lingering: &lingering)
                continue
            }
            serve(.serve(fd: connection, peer: peer))
        }
    }

    /// Wakes the accepting thread so that ``run(gate:admits:refused:serve:)`` returns.
    func stop() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    /// Closes the listening socket and the wake pipe (after ``run(gate:admits:refused:serve:)`` returned).
    func close() {
        _ = Glibc.close(listenFD)
        _ = Glibc.close(wakeRead)
        _ = Glibc.close(wakeWrite)
    }

    /// Writes a one-shot JSON error response and ends the connection (never blocks: the socket buffer of a fresh
    /// connection takes it whole). The connection lingers a moment, reading and dropping what the client sends, so that
    /// a client still writing its request is not cut off before it reads the answer.
    private func answer(_ fd: Int32, status: String, _ error: GatewayError, lingering: inout Lingering) {
        let body = (try? APIJSON.encoder().encode(ErrorBody(error: error.code.rawValue, message: error.message))) ?? Data()
        var bytes = Array("HTTP/1.1 \(status)\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\nContent-Length: \(body.count)\r\n\r\n".utf8)
        bytes += body
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        shutdown(fd, Int32(SHUT_WR))
        lingering.add(fd)
    }
}
