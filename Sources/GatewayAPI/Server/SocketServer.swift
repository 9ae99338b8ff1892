#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Vocabulary

/// One of CardGate's local sockets (the API or the administration socket) as a swift-service-lifecycle `Service`:
/// Hummingbird's HTTP/1 channel on connections that the gateway accepted itself.
///
/// Accepting itself is what lets the gateway know each caller from the kernel (`SO_PEERCRED`, `SO_PEERGROUPS`) and
/// enforce the socket's limits before NIO sees a connection. At start it resolves the socket group, removes a stale
/// socket file (never a live one), binds, gives the socket to the group with its mode, then announces ready. On
/// graceful shutdown it stops accepting, ends open connections and removes the socket file.
public struct SocketServer: Service, CustomStringConvertible {
    /// What the server calls for each request, with the caller.
    public typealias Responder = @Sendable (Request, CallerContext) async throws -> Response

    /// A short name for log lines: `API` or `admin`.
    public let name: String
    /// Where and how to listen.
    public let configuration: SocketServerConfiguration
    /// Where log lines go.
    public let logger: Logger
    private let responder: Responder
    private let admits: @Sendable (Peer) -> Bool
    private let refused: @Sendable (Peer?, String) -> Void
    private let onReady: @Sendable () async -> Void

    /// Creates a server. `admits` tells whether a caller may use this socket at all (others are answered 403 at once);
    /// `refused` hears of every connection turned away (for the log and the rate-limited record).
    public init(
        name: String, configuration: SocketServerConfiguration, logger: Logger, responder: @escaping Responder,
        admits: @escaping @Sendable (Peer) -> Bool = { _ in true },
        refused: @escaping @Sendable (Peer?, String) -> Void = { _, _ in },
        onReady: @escaping @Sendable () async -> Void = {}
    ) {
        self.name = name
        self.configuration = configuration
        self.logger = logger
        self.responder = responder
        self.admits = admits
        self.refused = refused
        self.onReady = onReady
    }

    /// `SocketServer(API, /run/cardgate/api.sock)`, for the service group's log lines.
    public var description: String { "SocketServer(\(name), \(configuration.socketPath))" }

    /// How long open connections may take to finish after a graceful shutdown began.
    static let shutdownGrace: Duration = .seconds(3)

    /// Runs until graceful shutdown or cancellation.
    public func run() async throws {
        let path = configuration.socketPath
        let group = try configuration.socketGroup.map { name throws(GatewayServerError) in try UnixSocketFile.groupID(named: name) }
        if try UnixSocketFile.prepare(path) {
            logger.warning("removed a stale socket nobody listened on", metadata: ["socket": "\(path)"])
        }
        let acceptor = try Acceptor(path: path)
        let identity: UnixSocketFile.Identity?
        do {
            try UnixSocketFile.applyPermissions(path, group: group, mode: configuration.socketMode)
            identity = UnixSocketFile.identity(path)
        } catch {
            acceptor.close()
            unlink(path)
            throw error
        }
        defer { UnixSocketFile.removeIfOurs(path, identity: identity) }
        logger.info("\(name) listening", metadata: [
            "socket": "\(path)", "group": "\(configuration.socketGroup ?? "-")", "mode": "\(String(configuration.socketMode, radix: 8))",
        ])
        await onReady()

        let gate = ConnectionGate(maximum: configuration.maximumConnections, maximumPerClient: configuration.maximumConnectionsPerClient)
        let (connections, continuation) = AsyncStream<Acceptor.Admission>.makeStream()
        let (admits, refused, logger) = (self.admits, self.refused, self.logger)
        let thread = Thread {
            acceptor.run(gate: gate, admits: admits, refused: { peer, reason in
                logger.notice("connection refused", metadata: ["peer": "\(peer.map(\.description) ?? "unknown")", "reason": "\(reason)"])
                refused(peer, reason)
            }, serve: { continuation.yield($0) })
            continuation.finish()
        }
        thread.name = "cardgate.accept.\(name)"
        thread.start()

        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { connectionTasks in
                for await admission in connections.cancelOnGracefulShutdown() {
                    guard case .serve(let fd, let peer) = admission else { continue }
                    connectionTasks.addTask {
                        await serve(fd: fd, peer: peer)
                        gate.release(peer)
                    }
                }
                // Open connections finish their request (an event stream ends with its closing chunk at the
                // shutdown); whatever is still open after the grace period is cut off.
                let deadline = ContinuousClock.now + Self.shutdownGrace
                while gate.open > 0, ContinuousClock.now < deadline, !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(20))
                }
                connectionTasks.cancelAll()
            }
        } onGracefulShutdown: {
            acceptor.stop()
        }
        acceptor.stop()
        // The accepting thread ends at once after stop(); wait for it before closing its descriptors.
        for await _ in connections {}
        acceptor.close()
        logger.info("\(name) stopped", metadata: ["socket": "\(path)"])
    }

    /// Serves one admitted connection to its end.
    private func serve(fd: Int32, peer: Peer) async {
        let responder = self.responder
        let logger = self.logger
        let readTimeout = TimeAmount(configuration.readTimeout)
        let idleTimeout = TimeAmount(configuration.idleTimeout)
        let channel = HTTP1Channel(
            responder: { request, writer, channel in
                var context = CallerContext(source: ApplicationRequestContextSource(channel: channel, logger: logger))
                context.caller = peer
                let response: Response
                do {
                    response = try await responder(request, context)
                } catch let error as HTTPParserError {
                    throw error  // the channel answers 400 and closes the connection
                } catch {
                    logger.error("request failed", metadata: ["error.type": "\(type(of: error))"])
                    response = APIResponses.error(GatewayError(.internal, "internal error of the gateway; see its log"))
                }
                try await writer.write(response: response.head, body: response.body)
            },
            configuration: HTTP1Channel.Configuration(
                additionalChannelHandlers: [RequestTimer(readTimeout: readTimeout, idleTimeout: idleTimeout)]))
        do {
            let value = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).withConnectedSocket(fd) { nioChannel in
                nioChannel.eventLoop.makeCompletedFuture {
                    try nioChannel.pipeline.syncOperations.addHandler(RawByteWatcher())
                }.flatMap { channel.setup(channel: nioChannel, logger: logger) }
            }
            await channel.handle(value: value, logger: logger)
        } catch {
            logger.debug("connection could not be served", metadata: ["error.type": "\(type(of: error))"])
        }
    }
}

extension TimeAmount {
    /// The same length of time.
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
