#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Blocking TCP helpers for the vpcd wire format: a 2-byte big-endian length, then the payload.
enum VPCDSocket {
    #if os(Linux)
    private static let streamType = Int32(SOCK_STREAM.rawValue)
    private static let sendFlags = Int32(MSG_NOSIGNAL)
    #else
    private static let streamType = SOCK_STREAM
    private static let sendFlags: Int32 = 0
    #endif

    /// The addresses `host:port` resolves to (IPv4 first, as vpcd listens on IPv4).
    static func resolve(host: String, port: UInt16) -> [Address]? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = streamType
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else { return nil }
        defer { freeaddrinfo(first) }
        var v4: [Address] = [], v6: [Address] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let address = entry.pointee.ai_addr {
                let bytes = [UInt8](UnsafeRawBufferPointer(start: address, count: Int(entry.pointee.ai_addrlen)))
                let found = Address(family: entry.pointee.ai_family, bytes: bytes)
                if found.family == AF_INET { v4.append(found) } else if found.family == AF_INET6 { v6.append(found) }
            }
            cursor = entry.pointee.ai_next
        }
        let all = v4 + v6
        return all.isEmpty ? nil : all
    }

    /// A resolved socket address: its family and its `sockaddr` bytes.
    struct Address: Sendable {
        let family: Int32
        let bytes: [UInt8]
    }

    /// Creates a non-blocking socket for `address`. Returns the descriptor, or nil.
    static func open(_ address: Address) -> Int32? {
        let fd = socket(address.family, streamType, 0)
        guard fd >= 0 else { return nil }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        return fd
    }

    /// Outcome of one connection attempt.
    enum Attempt { case connected, refused, pending }

    /// Continues a non-blocking connect of `fd` to `address`, waiting at most `waitMilliseconds`.
    static func attempt(_ fd: Int32, to address: Address, waitMilliseconds: Int32) -> Attempt {
        let result = address.bytes.withUnsafeBytes { raw in
            connect(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
        if result != 0 && errno != EISCONN {
            guard errno == EINPROGRESS || errno == EALREADY || errno == EINTR else { return .refused }
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            guard poll(&pfd, 1, waitMilliseconds) > 0 else { return .pending }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0, error == 0 else { return .refused }
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return .connected
    }

    /// Closes a descriptor this file opened.
    static func closeDescriptor(_ fd: Int32) {
        _ = close(fd)
    }

    /// Reads exactly `count` bytes; nil on end of stream or error.
    static func read(_ fd: Int32, count: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            #if os(Linux)
            // Acknowledge vpcd's segments at once: vpcd sends a frame's length and payload in separate writes, and
            // a delayed acknowledgement (40 ms on Linux) would otherwise hold back every command (see
            // Benchmarks/README.md). The kernel clears the flag again, so it is set before every read.
            var one: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), Int32(TCP_QUICKACK), &one, socklen_t(MemoryLayout<Int32>.size))
            #endif
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + filled, count - filled, 0) }
            if n > 0 { filled += n } else if n < 0 && errno == EINTR { continue } else { return nil }
        }
        return buffer
    }

    /// Reads one frame; nil when the peer closed the connection or the socket failed.
    static func readFrame(_ fd: Int32) -> [UInt8]? {
        guard let header = read(fd, count: 2) else { return nil }
        let length = VPCDFrame.payloadLength(header: header)
        return length == 0 ? [] : read(fd, count: length)
    }

    /// Writes one frame (the payload must be at most 65535 bytes); false if the socket failed.
    static func writeFrame(_ fd: Int32, _ payload: [UInt8]) -> Bool {
        let frame = VPCDFrame.encode(payload)
        var sent = 0
        while sent < frame.count {
            let n = frame.withUnsafeBytes { send(fd, $0.baseAddress! + sent, frame.count - sent, sendFlags) }
            if n > 0 { sent += n } else if n < 0 && errno == EINTR { continue } else { return false }
        }
        return true
    }
}
