import Dispatch
import Foundation
import GatewayAPI
import HummingbirdCore
import Logging
import NIOCore
import NIOEmbedded
import Synchronization
import Vocabulary

/// Whole requests as a client writes them on the API socket: NIO's HTTP/1 decoder, Hummingbird's HTTP/1
/// channel, the socket server's per-connection responder (`SocketServer.channelResponder`) and the API's router
/// (`GatewayServer.responder`), in process on an `NIOAsyncTestingChannel` instead of a socket, with a fixed caller
/// and a gateway that answers everything (``FuzzGateway``). The socket's accept loop, caller check and read/idle
/// timers are not part of it.
///
/// Contract: whatever the bytes, the server writes only well-formed HTTP/1.1 responses and never a 5xx (an event
/// stream may end after any whole chunk: the harness closes its input at once, which is the client hanging up, and
/// the server then ends the stream and the connection);
/// every error answer is the JSON error body whose code has that status (but the decoder's bare 400, which
/// ends the connection); JSON answers are not cached; a PIN sent in a body is never written back.
public enum HTTPTarget: FuzzTarget {
    public static let name = "http"

    static let logger = Logger(label: "cardgate.fuzz") { _ in SwiftLogNoOpLogHandler() }
    /// The caller every request comes from: an ordinary local user (the gateway under fuzzing refuses no one).
    static let caller = Peer(uid: 1001, gid: 1001, pid: 4242, groups: [])
    static let channel = HTTP1Channel(
        responder: SocketServer.channelResponder(
            GatewayServer.responder(gateway: FuzzGateway(), maximumBodyBytes: 4096, logger: logger), caller: caller, logger: logger))

    public static func run(_ input: [UInt8]) throws(ContractViolation) {
        let done = DispatchSemaphore(value: 0)
        let outcome = Outcome()
        Task {
            do throws(ContractViolation) {
                try await check(input)
                outcome.set(.success(()))
            } catch {
                outcome.set(.failure(error))
            }
            done.signal()
        }
        done.wait()
        try outcome.get()
    }

    public static func check(_ input: [UInt8]) async throws(ContractViolation) {
        let written: [UInt8]
        do {
            written = try await exchange(input)
        } catch {
            throw ContractViolation("the in-process channel failed: \(error)")
        }
        try checkAnswers(written, request: input)
    }

    /// Writes `input` into a new server channel, closes its input, waits until the server has answered
    /// everything and closed, and returns what it wrote.
    static func exchange(_ input: [UInt8]) async throws -> [UInt8] {
        let testing = NIOAsyncTestingChannel()
        let value = try await testing.eventLoop.flatSubmit { () -> EventLoopFuture<HTTP1Channel.Value> in
            do {
                try testing.pipeline.syncOperations.addHandler(FullCloseOnOutputClose())
            } catch {
                return testing.eventLoop.makeFailedFuture(error)
            }
            return channel.setup(channel: testing, logger: logger)
        }.get()
        async let served: Void = channel.handle(value: value, logger: logger)
        do {
            try await testing.writeInbound(ByteBuffer(bytes: input))
        } catch {
            // A decoder error also reaches the HTTP channel, which answers 400.
        }
        testing.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        await served
        var written: [UInt8] = []
        while let buffer = try await testing.readOutbound(as: ByteBuffer.self) {
            written += buffer.readableBytesView
        }
        return written
    }

    static func checkAnswers(_ written: [UInt8], request: [UInt8]) throws(ContractViolation) {
        let answers = try HTTPWire.responses(in: written)
        for (index, answer) in answers.enumerated() {
            try require(answer.status < 500, "answer \(index) is \(answer.status): \(HTTPWire.text(answer.body[...]))")
            if answer.body.isEmpty {
                // Only the decoder's own 400 has no body, and it ends the connection.
                try require(answer.status == 400 && answer.header("connection") == "close" && index == answers.count - 1,
                            "answer \(index) (\(answer.status)) has no body")
                continue
            }
            if answer.header("content-type") == "text/event-stream" {
                try require(answer.status == 200, "an event stream with status \(answer.status)")
                continue
            }
            try require(answer.complete, "answer \(index) (\(answer.status)) is cut off in the middle of its body")
            try require(answer.header("content-type") == "application/json; charset=utf-8" && answer.header("cache-control") == "no-store",
                        "answer \(index) headers \(answer.headers.map { "\($0.name): \($0.value)" })")
            let object = (try? JSONSerialization.jsonObject(with: Data(answer.body))) as? [String: Any]
            try require(object != nil, "answer \(index) body is not a JSON object")
            if answer.status >= 400 {
                let code = (object?["error"] as? String).flatMap(GatewayError.Code.init(rawValue:))
                try require(code?.httpStatus == answer.status, "error body \(HTTPWire.text(answer.body[...])) with status \(answer.status)")
            }
        }
        for pin in pins(in: request) {
            try require(HTTPWire.find(Array(pin.utf8), in: written[...]) == nil, "the server wrote back the PIN \(pin)")
        }
    }

    /// PINs of 6 or more digits sent as `"pin":"…"` whose digits appear nowhere else in the request (so that an
    /// id or a date that happens to hold the same digits is not taken for an echo).
    static func pins(in request: [UInt8]) -> [String] {
        let text = String(decoding: request, as: UTF8.self)
        return text.components(separatedBy: #""pin":""#).dropFirst().compactMap { after in
            let digits = String(after.prefix { $0.isASCII && $0.isNumber })
            guard digits.count >= 6, after.dropFirst(digits.count).first == "\"" else { return nil }
            return text.components(separatedBy: digits).count == 2 ? digits : nil
        }
    }

    public static func seeds() throws -> [Seed] {
        func post(_ path: String, _ body: String, extra: String = "") -> [UInt8] {
            Array("POST \(path) HTTP/1.1\r\nHost: cardgate\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\(extra)\r\n\(body)".utf8)
        }
        let get = { (path: String) in Array("GET \(path) HTTP/1.1\r\nHost: cardgate\r\n\r\n".utf8) }
        return [
            Seed("status", get("/v1/status")),
            Seed("terminal", get("/v1/terminals/T01")),
            Seed("terminal-pin", post("/v1/terminals/T02/pin", #"{"pin":"73910468"}"#)),
            Seed("door-pin", post("/v1/doors/D1/pin", #"{"pin":"739104"}"#, extra: "Connection: close\r\n")),
            Seed("operation", post("/v1/terminals/T03/operations", #"{"action":"resident.view","target":"resident:000123456789"}"#)),
            Seed("lock-then-occupancy", post("/v1/terminals/T01/lock", "") + get("/v1/rooms/R1/occupancy")),
            Seed("emergency", post("/v1/emergency/lock-all", #"{"reason":"earthquake"}"#)),
            Seed("events", get("/v1/events?terminal=T01")),
            Seed("door-contact-rex", post("/v1/doors/D1/contact", #"{"state":"open"}"#) + post("/v1/doors/D1/rex", "") + get("/v1/doors/D1")),
            Seed("visitor", post("/v1/doors/D1/visitor", #"{"name":"佐藤 花子","organisation":"保守業者"}"#)),
            Seed("override-alarms", post("/v1/doors/D1/override", "") + get("/v1/alarms") + post("/v1/alarms/1/acknowledge", "")),
            Seed("release-restore", post("/v1/emergency/release-doors", #"{"reason":"fire"}"#) + post("/v1/emergency/restore-doors", "{}")),
            Seed("chunked-body", Array("POST /v1/terminals/T02/pin HTTP/1.1\r\nHost: cardgate\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n{\"pin\":\"\r\na\r\n1234567\"}\r\n0\r\n\r\n".utf8)),
            Seed("not-http", Array("THIS IS NOT HTTP\r\n\r\n".utf8)),
            Seed("unknown-route", Array("DELETE /v1/status?x=%ZZ HTTP/1.0\r\n\r\n".utf8)),
        ]
    }
}

/// Turns the HTTP channel's "close the output" (the end of its work) into a full close, which
/// `NIOAsyncTestingChannel` needs before the HTTP channel's handler returns.
private final class FullCloseOnOutputClose: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = Any

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        context.close(mode: mode == .output ? .all : mode, promise: promise)
    }
}

/// The result of one input, handed from the task that checked it to libFuzzer's thread.
private final class Outcome: Sendable {
    private let result = Mutex<Result<Void, ContractViolation>?>(nil)

    func set(_ value: Result<Void, ContractViolation>) { result.withLock { $0 = value } }

    func get() throws(ContractViolation) { try result.withLock { $0 }!.get() }
}
