import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Vocabulary

/// The routes of the local API (docs/openapi.yaml): input validation, then one call of ``GatewayService`` with the
/// caller the kernel identified.
public struct GatewayRoutes: Sendable {
    /// The gateway the routes call.
    public let gateway: any GatewayService
    /// Largest request body accepted, in bytes.
    public let maximumBodyBytes: Int
    /// Where request lines go.
    public let logger: Logger

    /// Every route: method and path pattern (`:id` is one path segment). A path that matches with another method is
    /// answered 405 with `Allow`.
    public static let table = RouteTable([
        ("GET", "/v1/status"), ("GET", "/v1/terminals/:id"), ("POST", "/v1/terminals/:id/pin"),
        ("POST", "/v1/terminals/:id/operations"), ("POST", "/v1/terminals/:id/lock"), ("POST", "/v1/doors/:id/pin"),
        ("GET", "/v1/rooms/:id/occupancy"), ("POST", "/v1/emergency/lock-all"), ("GET", "/v1/events"),
        ("GET", "/v1/doors/:id"), ("POST", "/v1/doors/:id/contact"), ("POST", "/v1/doors/:id/rex"),
        ("POST", "/v1/doors/:id/visitor"), ("POST", "/v1/doors/:id/override"), ("GET", "/v1/alarms"),
        ("POST", "/v1/alarms/:id/acknowledge"), ("POST", "/v1/emergency/release-doors"), ("POST", "/v1/emergency/restore-doors"),
    ])

    /// Creates the routes.
    public init(gateway: any GatewayService, maximumBodyBytes: Int = 4096, logger: Logger) {
        self.gateway = gateway
        self.maximumBodyBytes = maximumBodyBytes
        self.logger = logger
    }

    /// A router with every route, the JSON error middleware and 405 answers.
    public func router() -> Router<CallerContext> {
        let router = Router(context: CallerContext.self)
        router.add(middleware: JSONErrorMiddleware(logger: logger, routes: Self.table))
        let gateway = self.gateway
        let body = RequestBodyReader(maximumBytes: maximumBodyBytes)

        router.get("/v1/status") { _, context in
            try APIResponses.json(try await gateway.status(caller: context.caller))
        }
        router.get("/v1/terminals/:id") { _, context in
            let id = try Self.pathID(context, field: "terminal id")
            return try APIResponses.json(try await gateway.terminal(id: id, caller: context.caller))
        }
        router.post("/v1/terminals/:id/pin") { request, context in
            let id = try Self.pathID(context, field: "terminal id")
            let fields = try await body.object(request, allowed: ["pin"], required: ["pin"])
            let pin = try InputRules.pin(fields.fields["pin"] ?? "")
            return try APIResponses.json(try await gateway.submitTerminalPIN(terminal: id, pin: pin, caller: context.caller))
        }
        router.post("/v1/terminals/:id/operations") { request, context in
            let id = try Self.pathID(context, field: "terminal id")
            let fields = try await body.object(request, allowed: ["action", "target"], required: ["action", "target"])
            let action = try InputRules.action(fields.fields["action"] ?? "")
            let target = try InputRules.target(fields.fields["target"] ?? "")
            let receipt = try await gateway.recordOperation(terminal: id, action: action, target: target, caller: context.caller)
            return try APIResponses.json(receipt, status: .created)
        }
        router.post("/v1/terminals/:id/lock") { request, context in
            let id = try Self.pathID(context, field: "terminal id")
            _ = try await body.object(request, allowed: [], required: [])
            return try APIResponses.json(try await gateway.lockTerminal(id: id, caller: context.caller))
        }
        router.post("/v1/doors/:id/pin") { request, context in
            let id = try Self.pathID(context, field: "door id")
            let fields = try await body.object(request, allowed: ["pin"], required: ["pin"])
            let pin = try InputRules.pin(fields.fields["pin"] ?? "")
            return try APIResponses.json(try await gateway.submitDoorPIN(door: id, pin: pin, caller: context.caller))
        }
        router.get("/v1/doors/:id") { _, context in
            let id = try Self.pathID(context, field: "door id")
            return try APIResponses.json(try await gateway.door(id: id, caller: context.caller))
        }
        router.post("/v1/doors/:id/contact") { request, context in
            let id = try Self.pathID(context, field: "door id")
            let fields = try await body.object(request, allowed: ["state"], required: ["state"])
            let open: Bool
            switch fields.fields["state"] {
            case "open": open = true
            case "closed": open = false
            default: throw GatewayError(.invalidField, "state must be \"open\" or \"closed\"")
            }
            return try APIResponses.json(try await gateway.reportDoorContact(door: id, open: open, caller: context.caller))
        }
        router.post("/v1/doors/:id/rex") { request, context in
            let id = try Self.pathID(context, field: "door id")
            _ = try await body.object(request, allowed: [], required: [])
            return try APIResponses.json(try await gateway.requestToExit(door: id, caller: context.caller))
        }
        router.post("/v1/doors/:id/visitor") { request, context in
            let id = try Self.pathID(context, field: "door id")
            let fields = try await body.object(request, allowed: ["name", "organisation"], required: ["name", "organisation"])
            guard let visitor = Visitor(name: fields.fields["name"] ?? "", organisation: fields.fields["organisation"] ?? "") else {
                throw GatewayError(.invalidField, "name and organisation must each be 1–\(Visitor.maximumLength) characters (at most \(Visitor.maximumBytes) UTF-8 bytes) without control characters")
            }
            return try APIResponses.json(try await gateway.announceVisitor(door: id, visitor: visitor, caller: context.caller))
        }
        router.post("/v1/doors/:id/override") { request, context in
            let id = try Self.pathID(context, field: "door id")
            _ = try await body.object(request, allowed: [], required: [])
            return try APIResponses.json(try await gateway.overrideTwoPerson(door: id, caller: context.caller))
        }
        router.get("/v1/alarms") { _, context in
            try APIResponses.json(try await gateway.alarms(caller: context.caller))
        }
        router.post("/v1/alarms/:id/acknowledge") { request, context in
            let raw = context.parameters.get("id") ?? ""
            guard raw.utf8.count <= 9, raw.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), let id = Int(raw), id > 0 else {
                throw GatewayError(.invalidID, "alarm id must be a number from GET /v1/alarms")
            }
            _ = try await body.object(request, allowed: [], required: [])
            return try APIResponses.json(try await gateway.acknowledgeAlarm(id: id, caller: context.caller))
        }
        router.post("/v1/emergency/release-doors") { request, context in
            let fields = try await body.object(request, allowed: ["reason"], required: [])
            let reason = try fields.fields["reason"].map { raw throws(GatewayError) in try InputRules.reason(raw) }
            return try APIResponses.json(try await gateway.releaseDoors(reason: reason, caller: context.caller))
        }
        router.post("/v1/emergency/restore-doors") { request, context in
            _ = try await body.object(request, allowed: [], required: [])
            return try APIResponses.json(try await gateway.restoreDoors(caller: context.caller))
        }
        router.get("/v1/rooms/:id/occupancy") { _, context in
            let id = try Self.pathID(context, field: "room id")
            return try APIResponses.json(try await gateway.occupancy(room: id, caller: context.caller))
        }
        router.post("/v1/emergency/lock-all") { request, context in
            let fields = try await body.object(request, allowed: ["reason"], required: [])
            let reason = try fields.fields["reason"].map { raw throws(GatewayError) in try InputRules.reason(raw) }
            return try APIResponses.json(try await gateway.emergencyLockAll(reason: reason, caller: context.caller))
        }
        router.get("/v1/events") { request, context in
            try await self.events(request, caller: context.caller, closed: context.connectionClosed)
        }
        return router
    }

    /// `GET /v1/events[?terminal=ID]`: subscribe first, then send the terminal's current view (so that no change
    /// falls between the two), then every change the caller may see until it leaves or the server stops.
    private func events(_ request: Request, caller: Peer, closed: EventLoopFuture<Void>) async throws -> Response {
        var requested: String?
        for (key, value) in request.uri.queryParameters {
            guard key == "terminal", requested == nil else {
                throw GatewayError(.invalidField, "the only query parameter is terminal, once")
            }
            requested = try InputRules.id(String(value), field: "terminal")
        }
        let filter = requested
        let initial: TerminalView? = if let filter { try await gateway.terminal(id: filter, caller: caller) } else { nil }
        let stream = try await gateway.events(terminal: filter, caller: caller)
        let logger = self.logger
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
            body: ResponseBody { writer in
                logger.debug("event stream opened", metadata: ["terminal": "\(filter ?? "*")", "peer": "\(caller)"])
                try await writer.write(ByteBuffer(string: ServerSentEvents.openingComment))
                if let initial {
                    try await writer.write(ByteBuffer(string: try ServerSentEvents.encode(.terminal(initial))))
                }
                // Ends when the client hangs up too, not only at the next event: Hummingbird does not cancel a response
                // whose connection closed, so an idle stream would keep its place (and its connection) for ever.
                let (relay, relayed) = AsyncStream<GatewayEvent>.makeStream(bufferingPolicy: .bufferingNewest(64))
                let forwarder = Task {
                    for await event in stream { relayed.yield(event) }
                    relayed.finish()
                }
                closed.whenComplete { _ in relayed.finish() }
                defer { forwarder.cancel() }  // ends the gateway's subscription
                // At a graceful shutdown the server closes the request's inbound side: that cancellation ends the
                // stream with its closing chunk before the connection goes.
                try await request.body.consumeWithCancellationOnInboundClose { _ in
                    for await event in relay.cancelOnGracefulShutdown() {
                        try await writer.write(ByteBuffer(string: try ServerSentEvents.encode(event)))
                    }
                }
                logger.debug("event stream closed", metadata: ["terminal": "\(filter ?? "*")"])
                try await writer.finish(nil)
            }
        )
    }

    static func pathID(_ context: CallerContext, field: String) throws(GatewayError) -> String {
        try InputRules.id(context.parameters.get("id") ?? "", field: field)
    }
}
