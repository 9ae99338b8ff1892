import AsyncHTTPClient
import Foundation
@_spi(PINDigits) import Vocabulary

/// A client of the local API over its Unix socket (`http+unix://`), used by the terminal front end,
/// scripts and tests. Gateway refusals are thrown as ``GatewayError``; transport trouble as
/// ``GatewayClientError``.
public struct GatewayClient: Sendable {
    /// The API socket path.
    public let socketPath: String
    /// The deadline of one request (not of an event stream).
    public let timeout: Duration
    private let http: HTTPClient

    /// A client of the socket at `socketPath`, sharing one HTTP client per process.
    public init(socketPath: String, timeout: Duration = .seconds(10)) {
        self.socketPath = socketPath
        self.timeout = timeout
        self.http = Self.sharedHTTPClient
    }

    /// The HTTP client of every `GatewayClient` in the process. Unlike `HTTPClient.shared` (90 s read
    /// timeout) it has no read timeout, so that an event stream may stay quiet for hours; each request has its
    /// own deadline instead. Never shut down: it lives as long as the process.
    static let sharedHTTPClient = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup,
        configuration: HTTPClient.Configuration(timeout: .init(connect: .seconds(5), read: nil)))

    /// `GET /v1/status`.
    public func status() async throws -> GatewayStatus {
        try await call("GET", "/v1/status")
    }

    /// `GET /v1/terminals/{id}`.
    public func terminal(_ id: String) async throws -> TerminalView {
        try await call("GET", "/v1/terminals/\(try InputRules.id(id, field: "terminal id"))")
    }

    /// `POST /v1/terminals/{id}/pin`. The PIN travels only in the body.
    public func submitTerminalPIN(_ id: String, pin: PIN) async throws -> TerminalView {
        try await call("POST", "/v1/terminals/\(try InputRules.id(id, field: "terminal id"))/pin", body: ["pin": String(decoding: pin.digits, as: UTF8.self)])
    }

    /// `POST /v1/terminals/{id}/operations`.
    public func recordOperation(terminal id: String, action: String, target: String) async throws -> OperationReceipt {
        try await call(
            "POST", "/v1/terminals/\(try InputRules.id(id, field: "terminal id"))/operations",
            body: ["action": action, "target": target])
    }

    /// `POST /v1/terminals/{id}/lock`.
    public func lockTerminal(_ id: String) async throws -> TerminalView {
        try await call("POST", "/v1/terminals/\(try InputRules.id(id, field: "terminal id"))/lock")
    }

    /// `POST /v1/doors/{id}/pin`.
    public func submitDoorPIN(door id: String, pin: PIN) async throws -> DoorOpening {
        try await call("POST", "/v1/doors/\(try InputRules.id(id, field: "door id"))/pin", body: ["pin": String(decoding: pin.digits, as: UTF8.self)])
    }

    /// `GET /v1/rooms/{id}/occupancy`.
    public func occupancy(room id: String) async throws -> OccupancyView {
        try await call("GET", "/v1/rooms/\(try InputRules.id(id, field: "room id"))/occupancy")
    }

    /// `POST /v1/emergency/lock-all`.
    public func emergencyLockAll(reason: String? = nil) async throws -> EmergencyLockResult {
        try await call("POST", "/v1/emergency/lock-all", body: reason.map { ["reason": $0] })
    }

    /// `GET /v1/doors/{id}`.
    public func door(_ id: String) async throws -> DoorView {
        try await call("GET", "/v1/doors/\(try InputRules.id(id, field: "door id"))")
    }

    /// `POST /v1/doors/{id}/contact` (the door controller).
    public func reportDoorContact(door id: String, open: Bool) async throws -> DoorView {
        try await call("POST", "/v1/doors/\(try InputRules.id(id, field: "door id"))/contact", body: ["state": open ? "open" : "closed"])
    }

    /// `POST /v1/doors/{id}/rex` (the door controller's exit button).
    public func requestToExit(door id: String) async throws -> DoorView {
        try await call("POST", "/v1/doors/\(try InputRules.id(id, field: "door id"))/rex", body: [String: String]())
    }

    /// `POST /v1/doors/{id}/visitor`.
    public func announceVisitor(door id: String, name: String, organisation: String) async throws -> DoorView {
        try await call("POST", "/v1/doors/\(try InputRules.id(id, field: "door id"))/visitor", body: ["name": name, "organisation": organisation])
    }

    /// `POST /v1/doors/{id}/override` (a supervisor).
    public func overrideTwoPerson(door id: String) async throws -> DoorView {
        try await call("POST", "/v1/doors/\(try InputRules.id(id, field: "door id"))/override", body: [String: String]())
    }

    /// `GET /v1/alarms`.
    public func alarms() async throws -> AlarmList {
        try await call("GET", "/v1/alarms")
    }

    /// `POST /v1/alarms/{id}/acknowledge` (a supervisor).
    public func acknowledgeAlarm(_ id: Int) async throws -> AlarmView {
        try await call("POST", "/v1/alarms/\(id)/acknowledge", body: [String: String]())
    }

    /// `POST /v1/emergency/release-doors` (a supervisor or the fire panel).
    public func releaseDoors(reason: String? = nil) async throws -> DoorReleaseResult {
        try await call("POST", "/v1/emergency/release-doors", body: reason.map { ["reason": $0] } ?? [String: String]())
    }

    /// `POST /v1/emergency/restore-doors` (a supervisor or the fire panel).
    public func restoreDoors() async throws -> DoorReleaseResult {
        try await call("POST", "/v1/emergency/restore-doors", body: [String: String]())
    }

    /// `GET /v1/events[?terminal=ID]`: the stream of changes, until the gateway closes it or the task is
    /// cancelled. With a terminal, its current view comes first.
    public func events(terminal: String? = nil) async throws -> GatewayEventStream {
        var path = "/v1/events"
        if let terminal { path += "?terminal=\(try InputRules.id(terminal, field: "terminal id"))" }
        var request = HTTPClientRequest(url: try url(path))
        request.method = .init(rawValue: "GET")
        request.headers.add(name: "Accept", value: "text/event-stream")
        let response = try await execute(request)
        guard response.status.code == 200 else {
            let body = try await collect(response.body)
            throw Self.error(status: Int(response.status.code), body: body)
        }
        return GatewayEventStream(body: response.body)
    }

    /// Any request, answered raw: status and body bytes. For tests and diagnostics.
    public func raw(
        method: String, path: String, body: [UInt8]? = nil, contentType: String? = "application/json"
    ) async throws -> (status: Int, body: [UInt8]) {
        var request = HTTPClientRequest(url: try url(path))
        request.method = .init(rawValue: method)
        if let body {
            request.body = .bytes(body)
            if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        }
        let response = try await execute(request)
        return (Int(response.status.code), try await collect(response.body))
    }

    func call<T: Decodable>(_ method: String, _ path: String, body: (any Encodable)? = nil) async throws -> T {
        var request = HTTPClientRequest(url: try url(path))
        request.method = .init(rawValue: method)
        if let body {
            request.body = .bytes(Array(try JSONEncoder().encode(body)))
            request.headers.add(name: "Content-Type", value: "application/json")
        }
        let response = try await execute(request)
        let bytes = try await collect(response.body)
        guard (200..<300).contains(response.status.code) else {
            throw Self.error(status: Int(response.status.code), body: bytes)
        }
        do {
            return try APIJSON.decoder().decode(T.self, from: Data(bytes))
        } catch {
            throw GatewayClientError(.badResponse, "cannot read the answer to \(method) \(path) as \(T.self): \(error)")
        }
    }

    private func execute(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        do {
            return try await http.execute(request, timeout: .milliseconds(Self.milliseconds(timeout)))
        } catch let error as HTTPClientError {
            throw GatewayClientError(.unreachable, "cannot reach the gateway at \(socketPath): \(error); is cardgate serve running and are you in its API group?")
        } catch let error as CancellationError {
            throw error
        } catch {
            throw GatewayClientError(.unreachable, "cannot reach the gateway at \(socketPath): \(error)")
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    private func collect(_ body: HTTPClientResponse.Body) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in body {
            bytes += chunk.readableBytesView
            guard bytes.count <= 16 << 20 else {
                throw GatewayClientError(.badResponse, "the gateway's answer is larger than 16 MiB")
            }
        }
        return bytes
    }

    private func url(_ path: String) throws -> String {
        guard let url = URL(httpURLWithSocketPath: socketPath, uri: path) else {
            throw GatewayClientError(.unreachable, "cannot make a URL of the socket path \(socketPath)")
        }
        return url.absoluteString
    }

    /// The ``GatewayError`` of an error answer, or a ``GatewayClientError`` if it is not one.
    static func error(status: Int, body: [UInt8]) -> any Error {
        if let decoded = try? APIJSON.decoder().decode(ErrorBody.self, from: Data(body)),
            let code = GatewayError.Code(rawValue: decoded.error)
        {
            return GatewayError(code, decoded.message, attemptsLeft: decoded.attemptsLeft)
        }
        return GatewayClientError(.badResponse, "the gateway answered HTTP \(status) without a known error body")
    }
}
