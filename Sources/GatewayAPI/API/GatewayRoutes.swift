import Hummingbird
import Logging
import ServiceLifecycle

/// The routes of the local API (docs/openapi.yaml): input validation, then one call of ``GatewayService``.
public struct GatewayRoutes: Sendable {
    /// The gateway the routes call.
    public let gateway: any GatewayService
    /// Largest request body accepted, in bytes.
    public let maximumBodyBytes: Int
    /// Where request lines go.
    public let logger: Logger

    /// Creates the routes.
    public init(gateway: any GatewayService, maximumBodyBytes: Int = 4096, logger: Logger) {
        self.gateway = gateway
        self.maximumBodyBytes = maximumBodyBytes
        self.logger = logger
    }

    /// A router with every route and the JSON error middleware.
    public func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: JSONErrorMiddleware(logger: logger))
        let gateway = self.gateway

        router.get("/v1/status") { _, _ in
            try APIResponses.json(try await gateway.status())
        }
        router.get("/v1/terminals/:id") { _, context in
            let id = try Self.pathID(context, field: "terminal id")
            return try APIResponses.json(try await gateway.terminal(id: id))
        }
        router.post("/v1/terminals/:id/pin") { request, context in
            let id = try Self.pathID(context, field: "terminal id")
            let body = try await self.body(request, allowed: ["pin"], required: ["pin"])
            let pin = try InputRules.pin(body.fields["pin"] ?? "")
            return try APIResponses.json(try await gateway.submitTerminalPIN(terminal: id, pin: pin))
        }
        router.post("/v1/terminals/:id/operations") { request, context in
            let id = try Self.pathID(context, field: "terminal id")
            let body = try await self.body(request, allowed: ["action", "target"], required: ["action", "target"])
            let action = try InputRules.action(body.fields["action"] ?? "")
            let target = try InputRules.target(body.fields["target"] ?? "")
            let receipt = try await gateway.recordOperation(terminal: id, action: action, target: target)
            return try APIResponses.json(receipt, status: .created)
        }
        router.post("/v1/terminals/:id/lock") { request, context in
            let id = try Self.pathID(context, field: "terminal id")
            _ = try await self.body(request, allowed: [], required: [])
            return try APIResponses.json(try await gateway.lockTerminal(id: id))
        }
        router.post("/v1/doors/:id/pin") { request, context in
            let id = try Self.pathID(context, field: "door id")
            let body = try await self.body(request, allowed: ["pin"], required: ["pin"])
            let pin = try InputRules.pin(body.fields["pin"] ?? "")
            return try APIResponses.json(try await gateway.submitDoorPIN(door: id, pin: pin))
        }
        router.get("/v1/rooms/:id/occupancy") { _, context in
            let id = try Self.pathID(context, field: "room id")
            return try APIResponses.json(try await gateway.occupancy(room: id))
        }
        router.post("/v1/emergency/lock-all") { request, _ in
            let body = try await self.body(request, allowed: ["reason"], required: [])
            let reason = try body.fields["reason"].map { raw throws(GatewayError) in try InputRules.reason(raw) }
            return try APIResponses.json(try await gateway.emergencyLockAll(reason: reason))
        }
        router.get("/v1/events") { request, _ in
            try await self.events(request)
        }
        return router
    }

    /// `GET /v1/events[?terminal=ID]`: subscribe first, then send the terminal's current view (so that no
    /// change falls between the two), then every change until the client leaves or the server stops.
    private func events(_ request: Request) async throws -> Response {
        var requested: String?
        for (key, value) in request.uri.queryParameters {
            guard key == "terminal", requested == nil else {
                throw GatewayError(.invalidField, "the only query parameter is terminal, once")
            }
            requested = try InputRules.id(String(value), field: "terminal")
        }
        let filter = requested
        let stream = await gateway.events()
        let initial: TerminalView? = if let filter { try await gateway.terminal(id: filter) } else { nil }
        let logger = self.logger
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
            body: ResponseBody { writer in
                logger.debug("event stream opened", metadata: ["terminal": "\(filter ?? "*")"])
                try await writer.write(ByteBuffer(string: ServerSentEvents.openingComment))
                if let initial {
                    try await writer.write(ByteBuffer(string: try ServerSentEvents.encode(.terminal(initial))))
                }
                for await event in stream.cancelOnGracefulShutdown() {
                    if let filter {
                        switch event {
                        case .terminal(let view) where view.id == filter: break
                        case .emergency: break
                        default: continue
                        }
                    }
                    try await writer.write(ByteBuffer(string: try ServerSentEvents.encode(event)))
                }
                logger.debug("event stream closed", metadata: ["terminal": "\(filter ?? "*")"])
                try await writer.finish(nil)
            }
        )
    }

    private static func pathID(_ context: BasicRequestContext, field: String) throws(GatewayError) -> String {
        try InputRules.id(context.parameters.get("id") ?? "", field: field)
    }

    /// Reads a small JSON body: size limit first, then media type, then the strict object rules.
    private func body(_ request: Request, allowed: [String], required: Set<String>) async throws -> StrictJSONObject {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maximumBodyBytes {
            throw GatewayError(.bodyTooLarge, "the body is larger than \(maximumBodyBytes) bytes")
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maximumBodyBytes)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw GatewayError(.bodyTooLarge, "the body is larger than \(maximumBodyBytes) bytes")
        }
        let bytes = Array(buffer.readableBytesView)
        if !bytes.isEmpty {
            let type = request.headers[.contentType]?.lowercased() ?? ""
            guard type == "application/json" || type.hasPrefix("application/json;") else {
                throw GatewayError(.unsupportedMediaType, "send the body as application/json")
            }
        }
        return try StrictJSONObject(bytes: bytes, allowed: allowed, required: required)
    }
}
