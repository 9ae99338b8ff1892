/// A client of the administration socket, used by the `cardgate` administrative commands: it sends one
/// ``AdminRequest`` and returns the daemon's ``AdminReply``. Refusals are thrown as ``GatewayError``; transport
/// trouble as ``GatewayClientError``.
public struct AdminClient: Sendable {
    private let client: GatewayClient

    /// A client of the administration socket at `socketPath`. Card reads and PIN hashes happen in the daemon, so the
    /// deadline is generous.
    public init(socketPath: String, timeout: Duration = .seconds(60)) {
        client = GatewayClient(socketPath: socketPath, timeout: timeout)
    }

    /// The socket path.
    public var socketPath: String { client.socketPath }

    /// Sends `request` and returns what to print.
    public func send(_ request: AdminRequest) async throws -> AdminReply {
        try await client.call("POST", "/v1/admin/" + request.route, body: request.body)
    }
}
