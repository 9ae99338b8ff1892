import Foundation
import VirtualCard

#if canImport(Glibc)
import Glibc
#endif

/// A minimal card side of vpcd's protocol (2-byte big-endian length, then the payload; one-byte payloads are power
/// off / on / reset without reply and get-ATR answered with the ATR; longer ones are APDUs answered with the response)
/// that asks the kernel to acknowledge every segment at once (TCP_QUICKACK, re-armed after each read).
///
/// Only for the benchmark's `--quickack` run: it shows how much of the insertion time is the virtual rig's TCP
/// transport (a delayed acknowledgement stalls each command vpcd sends) rather than the daemon. The tests and the
/// normal run use `VPCDLink`.
final class QuickAckLink: @unchecked Sendable {
    // @unchecked Sendable: `fd` is set once before the serving thread starts; close() only shuts the socket down.
    private var fd: Int32 = -1
    private let card: any CardEmulator
    private let port: UInt16
    private let done = DispatchSemaphore(value: 0)

    init(port: UInt16, card: any CardEmulator) {
        self.port = port
        self.card = card
    }

    /// Connects (inserts the card) and serves it on a thread of its own.
    func connect() throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket(): errno \(errno)") }
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw BenchError("cannot connect to vpcd on port \(port): errno \(errno)") }
        let thread = Thread { [self] in
            serve()
            done.signal()
        }
        thread.name = "bench.quickack-\(port)"
        thread.start()
    }

    /// Removes the card.
    func close() {
        _ = shutdown(fd, Int32(SHUT_RDWR))
        done.wait()
        done.signal()
        _ = Glibc.close(fd)
    }

    private func serve() {
        while let frame = receive() {
            var answer: [UInt8]?
            if frame.count == 1 {
                switch frame[0] {
                case 0x04: answer = card.atr
                case 0x02: card.reset()
                default: break
                }
            } else {
                answer = card.process(frame)
            }
            if let answer, !send(answer) { return }
        }
    }

    private func receive() -> [UInt8]? {
        guard let head = read(2) else { return nil }
        let length = Int(head[0]) << 8 | Int(head[1])
        return length == 0 ? [] : read(length)
    }

    private func read(_ count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = bytes.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, count - got, 0) }
            if n <= 0 { return nil }
            got += n
            var one: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_QUICKACK, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        return bytes
    }

    private func send(_ payload: [UInt8]) -> Bool {
        let frame = [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)] + payload
        return frame.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == frame.count
    }
}
