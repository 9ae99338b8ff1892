import Foundation
import GatewayAPI

#if canImport(Glibc)
import Glibc
import Vocabulary
#endif

/// The daemon's `GET /v1/events?terminal=ID` (or unfiltered `GET /v1/events`) stream read on a plain Unix socket by a
/// thread of its own, each event time-stamped (CLOCK_MONOTONIC) the moment its bytes came out of `read`: the time a
/// lock screen or a door controller learns the decision. No HTTP library in between, so the client adds as little as
/// possible to the measure.
final class EventTap: @unchecked Sendable {
    // @unchecked Sendable: `events` and `failure` are touched only under `condition`'s lock; `fd` is owned by the thread.

    /// One terminal view as published.
    struct Published: Sendable {
        var view: TerminalView
        var at: UInt64
    }

    /// One door event as published.
    struct PublishedDoor: Sendable {
        var notice: DoorNotice
        var at: UInt64
    }

    private let condition = NSCondition()
    private var events: [Published] = []
    private var doorEvents: [PublishedDoor] = []
    private var failure: String?
    private let fd: Int32

    /// Connects to the API socket and subscribes to the events of `terminal`, or to every event (a supervisor's
    /// stream) when `terminal` is nil.
    init(socket path: String, terminal: String?) throws {
        fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket(): errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw BenchError("socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw BenchError("cannot connect to \(path): errno \(errno)") }
        let query = terminal.map { "?terminal=\($0)" } ?? ""
        let request = "GET /v1/events\(query) HTTP/1.1\r\nHost: cardgate\r\nAccept: text/event-stream\r\n\r\n"
        let sent = Array(request.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard sent == request.utf8.count else { throw BenchError("cannot send the events request") }
        let thread = Thread { [self] in read() }
        thread.name = "bench.event-tap"
        thread.start()
    }

    /// The first published view of the terminal after `after` (monotonic ns) whose state is in `states`, waiting
    /// at most `timeout` seconds.
    func wait(for states: Set<TerminalState>, after: UInt64, timeout: Double) -> Published? {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let hit = events.first(where: { $0.at > after && states.contains($0.view.state) }) { return hit }
            if failure != nil || !condition.wait(until: deadline) { return nil }
        }
    }

    /// The first door event after `after` (monotonic ns) at `door`, waiting at most `timeout` seconds.
    func door(_ door: String, after: UInt64, timeout: Double) -> PublishedDoor? {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let hit = doorEvents.first(where: { $0.at > after && $0.notice.door == door }) { return hit }
            if failure != nil || !condition.wait(until: deadline) { return nil }
        }
    }

    /// The first published view after `after` that decides about a new card: not the `locked (card-removed)` view of a
    /// card pulled earlier, which the terminal may publish again once its lock command has finished.
    func decision(after: UInt64, timeout: Double) -> Published? {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let hit = events.first(where: { $0.at > after && !($0.view.state == .locked && $0.view.lockReason == .cardRemoved) }) {
                return hit
            }
            if failure != nil || !condition.wait(until: deadline) { return nil }
        }
    }

    /// The first published view after `after`, whatever its state.
    func first(after: UInt64, timeout: Double) -> Published? {
        wait(for: Set(TerminalState.allCases), after: after, timeout: timeout)
    }

    /// Why the stream ended, if it did.
    var problem: String? {
        condition.lock()
        defer { condition.unlock() }
        return failure
    }

    func close() { shutdown(fd, Int32(SHUT_RDWR)) }

    // MARK: - Reading (HTTP/1.1 response head, chunked body, server-sent events)

    private func read() {
        var raw: [UInt8] = []
        var headDone = false
        var chunked = false
        var text: [UInt8] = []  // the de-chunked body
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            let at = monotonicNanoseconds()
            if count <= 0 {
                finish("the event stream ended (read returned \(count), errno \(errno))")
                return
            }
            raw += buffer[0..<count]
            if !headDone {
                guard let end = find(raw, [13, 10, 13, 10]) else { continue }
                let head = String(decoding: raw[0..<end], as: UTF8.self)
                guard head.hasPrefix("HTTP/1.1 200") else {
                    finish("the events request was refused: \(head)")
                    return
                }
                chunked = head.lowercased().contains("transfer-encoding: chunked")
                raw.removeFirst(end + 4)
                headDone = true
            }
            if chunked {
                // Size line, data, CRLF; keep incomplete chunks for the next read.
                while let lineEnd = find(raw, [13, 10]) {
                    let sizeText = String(decoding: raw[0..<lineEnd], as: UTF8.self).split(separator: ";").first.map(String.init) ?? ""
                    guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                        finish("bad chunk size line \(sizeText)")
                        return
                    }
                    guard raw.count >= lineEnd + 2 + size + 2 else { break }
                    text += raw[(lineEnd + 2)..<(lineEnd + 2 + size)]
                    raw.removeFirst(lineEnd + 2 + size + 2)
                    if size == 0 {
                        finish("the event stream ended (last chunk)")
                        return
                    }
                }
            } else {
                text += raw
                raw.removeAll()
            }
            var published: [Published] = []
            var publishedDoors: [PublishedDoor] = []
            while let end = find(text, [10, 10]) {
                let block = String(decoding: text[0..<end], as: UTF8.self)
                text.removeFirst(end + 2)
                var kind = "", data = ""
                for line in block.split(separator: "\n") {
                    if line.hasPrefix("event:") { kind = line.dropFirst(6).trimmingCharacters(in: .whitespaces) }
                    if line.hasPrefix("data:") { data += line.dropFirst(5).trimmingCharacters(in: .whitespaces) }
                }
                switch try? ServerSentEvents.decode(kind: kind, data: data) {
                case .terminal(let view): published.append(Published(view: view, at: at))
                case .door(let notice): publishedDoors.append(PublishedDoor(notice: notice, at: at))
                default: break
                }
            }
            if !published.isEmpty || !publishedDoors.isEmpty {
                condition.lock()
                events += published
                doorEvents += publishedDoors
                condition.broadcast()
                condition.unlock()
            }
        }
    }

    private func finish(_ reason: String) {
        condition.lock()
        failure = reason
        condition.broadcast()
        condition.unlock()
    }

    private func find(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<(start + needle.count)]) == needle { return start }
        }
        return nil
    }
}
