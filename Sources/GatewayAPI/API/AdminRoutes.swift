import Vocabulary
import Hummingbird
import Logging

/// The routes of the administration socket: `POST /v1/admin/{noun}/{verb}` (see ``AdminRequest``).
public struct AdminRoutes: Sendable {
    /// The service the routes call.
    public let service: any AdminService
    /// Where request lines go.
    public let logger: Logger

    /// Every route, for 405 answers.
    public static let table = RouteTable(AdminRequest.routes.map { ("POST", "/v1/admin/" + $0) })

    /// Creates the routes.
    public init(service: any AdminService, logger: Logger) {
        self.service = service
        self.logger = logger
    }

    /// A router with the administrative route and the JSON error middleware.
    public func router() -> Router<CallerContext> {
        let router = Router(context: CallerContext.self)
        router.add(middleware: JSONErrorMiddleware(logger: logger, routes: Self.table))
        let service = self.service
        let body = RequestBodyReader(maximumBytes: 16 * 1024)
        router.post("/v1/admin/:noun/:verb") { request, context in
            let route = "\(context.parameters.get("noun") ?? "")/\(context.parameters.get("verb") ?? "")"
            guard AdminRequest.routes.contains(route) else { throw GatewayError(.notFound, "no administrative act \(route.prefix(40))") }
            let decoded = try AdminRequest.decode(route: route, body: try await body.bytes(request))
            return try APIResponses.json(try await service.perform(decoded, caller: context.caller))
        }
        return router
    }
}

/// The administration socket's server: ``AdminRoutes`` on a ``SocketServer``.
public enum AdminServer {
    /// The administration server for `service`.
    public static func make(
        service: any AdminService, configuration: SocketServerConfiguration, logger: Logger,
        admits: @escaping @Sendable (Peer) -> Bool, refused: @escaping @Sendable (Peer?, String) -> Void = { _, _ in },
        onReady: @escaping @Sendable () async -> Void = {}
    ) -> SocketServer {
        let responder = AdminRoutes(service: service, logger: logger).router().buildResponder()
        return SocketServer(
            name: "admin", configuration: configuration, logger: logger,
            responder: { request, context in try await responder.respond(to: request, context: context) },
            admits: admits, refused: refused, onReady: onReady)
    }
}
