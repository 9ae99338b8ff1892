import Logging
import Vocabulary

/// The local API's socket: ``GatewayRoutes`` on a ``SocketServer``.
///
/// ```swift
/// let api = GatewayServer.make(gateway: core, configuration: .init(socketPath: "/run/cardgate/api.sock",
///                              socketGroup: "cardgate-api"), logger: logger, admits: core.mayConnect)
/// let group = ServiceGroup(configuration: .init(services: [core, api], gracefulShutdownSignals: [.sigterm],
///                          logger: logger))
/// try await group.run()   // services stop in reverse order: the API first, then the core
/// ```
public enum GatewayServer {
    /// The API server for `gateway`.
    public static func make(
        gateway: any GatewayService, configuration: SocketServerConfiguration, logger: Logger,
        admits: @escaping @Sendable (Peer) -> Bool = { _ in true },
        refused: @escaping @Sendable (Peer?, String) -> Void = { _, _ in },
        onReady: @escaping @Sendable () async -> Void = {}
    ) -> SocketServer {
        let responder = GatewayRoutes(gateway: gateway, maximumBodyBytes: configuration.maximumBodyBytes, logger: logger)
            .router().buildResponder()
        return SocketServer(
            name: "API", configuration: configuration, logger: logger,
            responder: { request, context in try await responder.respond(to: request, context: context) },
            admits: admits, refused: refused, onReady: onReady)
    }
}
