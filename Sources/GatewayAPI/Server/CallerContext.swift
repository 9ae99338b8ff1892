import Hummingbird
import NIOCore
import Vocabulary

/// The request context of CardGate's sockets: Hummingbird's core context plus the caller the kernel identified for
/// the connection (`SO_PEERCRED`). Routes read ``caller``; nothing in the request can change it.
public struct CallerContext: RequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// Who is calling; set by ``SocketServer`` for every request before any route runs.
    public var caller = Peer(uid: UInt32.max, gid: UInt32.max, pid: 0, groups: [])

    /// Completed when the request's connection is closed (the client left, or the server closed it); event streams end
    /// then rather than at their next event.
    public let connectionClosed: EventLoopFuture<Void>

    /// Creates the context for a request on `source`'s channel.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        connectionClosed = source.channel.closeFuture
    }
}
