#if canImport(Glibc)
import Glibc
#endif

/// Where and how one of CardGate's sockets listens, and its limits.
public struct SocketServerConfiguration: Sendable, Equatable {
    /// The Unix socket path, for example `/run/cardgate/api.sock`.
    public var socketPath: String
    /// The group given the socket (its members may connect); nil keeps the service's own group. `gid:N` names a
    /// group by number.
    public var socketGroup: String?
    /// The socket's mode: 0660 (owner and group read/write, nobody else).
    public var socketMode: mode_t
    /// Largest request body accepted, in bytes.
    public var maximumBodyBytes: Int
    /// Connections open at once on the socket.
    public var maximumConnections: Int
    /// Connections open at once for one user id.
    public var maximumConnectionsPerClient: Int
    /// Time to read a request (headers and body) from its first byte.
    public var readTimeout: Duration
    /// Time a kept-alive connection may wait for its next request.
    public var idleTimeout: Duration

    /// Creates a configuration with the safe defaults.
    public init(
        socketPath: String, socketGroup: String? = nil, socketMode: mode_t = 0o660, maximumBodyBytes: Int = 4096,
        maximumConnections: Int = 64, maximumConnectionsPerClient: Int = 16, readTimeout: Duration = .seconds(5),
        idleTimeout: Duration = .seconds(30)
    ) {
        self.socketPath = socketPath
        self.socketGroup = socketGroup
        self.socketMode = socketMode
        self.maximumBodyBytes = maximumBodyBytes
        self.maximumConnections = maximumConnections
        self.maximumConnectionsPerClient = maximumConnectionsPerClient
        self.readTimeout = readTimeout
        self.idleTimeout = idleTimeout
    }
}
