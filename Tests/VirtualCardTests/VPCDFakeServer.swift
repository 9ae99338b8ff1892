import Foundation
import Synchronization
import VirtualCard

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A stand-in for vpcd: listens on 127.0.0.1, accepts the card's connection and speaks vpcd's framing.
final class FakeVPCD: Sendable {
    let port: UInt16
    private let listener: Int32
    private let client = Mutex<Int32>(-1)

    /// Listens on `port` (0 = any free port).
    init(port: UInt16 = 0) throws {
        #if os(Linux)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw FakeVPCDError("socket failed") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 1) == 0 else { close(fd); throw FakeVPCDError("bind/listen on \(port) failed: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = UInt16(bigEndian: address.sin_port)
        self.listener = fd
    }

    /// A port on which nothing listens right now.
    static func freePort() throws -> UInt16 {
        let server = try FakeVPCD()
        let port = server.port
        server.shutdownAll()
        return port
    }

    /// Waits up to `timeout` seconds for the card to connect.
    func accept(timeout: Double = 3) throws {
        var pfd = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, Int32(timeout * 1000)) > 0 else { throw FakeVPCDError("no card connected within \(timeout) s") }
        let fd = Glibc.accept(listener, nil, nil)
        guard fd >= 0 else { throw FakeVPCDError("accept failed") }
        client.withLock { $0 = fd }
    }

    /// Sends one frame to the card.
    func send(_ payload: [UInt8]) throws {
        let fd = client.withLock { $0 }
        let frame = [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)] + payload
        let sent = frame.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == frame.count else { throw FakeVPCDError("send failed") }
    }

    /// Receives one frame from the card; nil when the card closed the connection; throws on timeout.
    func receive(timeout: Double = 3) throws -> [UInt8]? {
        guard let header = try read(2, timeout: timeout) else { return nil }
        let length = Int(header[0]) << 8 | Int(header[1])
        return length == 0 ? [] : try read(length, timeout: timeout)
    }

    /// Sends a request and returns the card's reply.
    func request(_ payload: [UInt8]) throws -> [UInt8]? {
        try send(payload)
        return try receive()
    }

    /// Closes the connection to the card (vpcd going away), keeping the listener.
    func dropClient() {
        client.withLock {
            if $0 >= 0 { close($0) }
            $0 = -1
        }
    }

    /// Closes everything.
    func shutdownAll() {
        dropClient()
        close(listener)
    }

    private func read(_ count: Int, timeout: Double) throws -> [UInt8]? {
        let fd = client.withLock { $0 }
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, Int32(timeout * 1000)) > 0 else { throw FakeVPCDError("no frame from the card within \(timeout) s") }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + filled, count - filled, 0) }
            if n <= 0 { return nil }
            filled += n
        }
        return buffer
    }
}

struct FakeVPCDError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A tiny card: a fixed ATR, counts resets, answers every APDU with a fixed status or stays mute.
final class RecordingCard: CardEmulator {
    let atr: [UInt8]
    let answer: [UInt8]?
    private let log = Mutex<(resets: Int, commands: [[UInt8]])>((0, []))

    init(atr: [UInt8] = [0x3B, 0x80, 0x80, 0x01, 0x01], answer: [UInt8]? = [0x6D, 0x00]) {
        self.atr = atr
        self.answer = answer
    }

    var resets: Int { log.withLock { $0.resets } }
    var commands: [[UInt8]] { log.withLock { $0.commands } }

    func reset() { log.withLock { $0.resets += 1 } }

    func process(_ command: [UInt8]) -> [UInt8]? {
        log.withLock { $0.commands.append(command) }
        return answer.map { command + $0 }
    }
}
