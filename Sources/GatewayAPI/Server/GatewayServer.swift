import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// The local API as a swift-service-lifecycle `Service`: Hummingbird 2 on a Unix socket.
///
/// At start it resolves the socket group (error if missing), removes a stale socket file (never a live one),
/// binds, then gives the socket to the group with mode 0660 before it is announced ready; a failure there
/// stops the server. On graceful shutdown open event streams end, and the socket file is removed.
///
/// ```swift
/// let server = GatewayServer(gateway: core, configuration: .init(socketPath: "/run/cardgate/api.sock",
///                            socketGroup: "cardgate-api"), logger: logger)
/// let group = ServiceGroup(configuration: .init(services: [core, server],
///                          gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
/// try await group.run()   // services stop in reverse order: the API first, then the core
/// ```
public struct GatewayServer: Service, CustomStringConvertible {
    /// The gateway the API calls.
    public let gateway: any GatewayService
    /// Where and how to listen.
    public let configuration: GatewayServerConfiguration
    /// Where log lines go.
    public let logger: Logger
    private let onReady: @Sendable () async -> Void

    /// Creates the server; `onReady` runs once the socket accepts connections with its final owner and mode.
    public init(
        gateway: any GatewayService,
        configuration: GatewayServerConfiguration,
        logger: Logger,
        onReady: @escaping @Sendable () async -> Void = {}
    ) {
        self.gateway = gateway
        self.configuration = configuration
        self.logger = logger
        self.onReady = onReady
    }

    /// `GatewayServer(/run/cardgate/api.sock)`, for the service group's log lines.
    public var description: String { "GatewayServer(\(configuration.socketPath))" }

    /// Runs until graceful shutdown or cancellation.
    public func run() async throws {
        let path = configuration.socketPath
        let group = try configuration.socketGroup.map { name throws(GatewayServerError) in try UnixSocketFile.groupID(named: name) }
        if try UnixSocketFile.prepare(path) {
            logger.warning("removed a stale API socket nobody listened on", metadata: ["socket": "\(path)"])
        }
        let mode = configuration.socketMode
        let (ready, readyContinuation) = AsyncStream<Result<UnixSocketFile.Identity?, GatewayServerError>>.makeStream()
        let routes = GatewayRoutes(gateway: gateway, maximumBodyBytes: configuration.maximumBodyBytes, logger: logger)
        var serverLogger = logger
        serverLogger.logLevel = max(logger.logLevel, .notice)  // Hummingbird's own lines are chatty at info
        // HummingbirdCore's server directly, not Hummingbird's Application: the Application adds a Date-header
        // cache that wakes every second, and the gateway must use no CPU while idle.
        let server = try HTTPServerBuilder.http1().buildServer(
            configuration: ServerConfiguration(address: .unixDomainSocket(path: path)),
            eventLoopGroup: EventLoopGroupProvider.singleton.eventLoopGroup,
            logger: serverLogger,
            responder: Self.responder(routes: routes, logger: logger),
            onServerRunning: { _ in
                do throws(GatewayServerError) {
                    try UnixSocketFile.applyPermissions(path, group: group, mode: mode)
                    readyContinuation.yield(.success(UnixSocketFile.identity(path)))
                } catch {
                    readyContinuation.yield(.failure(error))
                }
                readyContinuation.finish()
            }
        )

        var identity: UnixSocketFile.Identity?
        defer { UnixSocketFile.removeIfOurs(path, identity: identity) }
        try await withThrowingTaskGroup(of: StartOutcome.self) { tasks in
            tasks.addTask {
                try await server.run()
                return .stopped
            }
            tasks.addTask {
                for await result in ready {
                    return .ready(try result.get())
                }
                return .stopped
            }
            while let outcome = try await tasks.next() {
                switch outcome {
                case .ready(let socketIdentity):
                    identity = socketIdentity
                    logger.info(
                        "API listening",
                        metadata: ["socket": "\(path)", "group": "\(configuration.socketGroup ?? "-")", "mode": "\(String(mode, radix: 8))"])
                    await onReady()
                case .stopped:
                    tasks.cancelAll()
                }
            }
        }
        logger.info("API stopped", metadata: ["socket": "\(path)"])
    }

    private enum StartOutcome: Sendable {
        case ready(UnixSocketFile.Identity?)
        case stopped
    }
}
