#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where and how the API listens.
public struct GatewayServerConfiguration: Sendable, Equatable {
    /// The Unix socket path, for example `/run/cardgate/api.sock`.
    public var socketPath: String
    /// The group given the socket (members may use the API); nil keeps the service's own group.
    public var socketGroup: String?
    /// The socket's mode: 0660 (owner and group read/write, nobody else).
    public var socketMode: mode_t
    /// Largest request body accepted, in bytes.
    public var maximumBodyBytes: Int

    /// Creates a configuration.
    public init(socketPath: String, socketGroup: String? = nil, socketMode: mode_t = 0o660, maximumBodyBytes: Int = 4096) {
        self.socketPath = socketPath
        self.socketGroup = socketGroup
        self.socketMode = socketMode
        self.maximumBodyBytes = maximumBodyBytes
    }
}
