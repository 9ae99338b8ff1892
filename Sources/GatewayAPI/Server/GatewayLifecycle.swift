import Logging
import ServiceLifecycle

/// How `cardgate serve` runs: the gateway core and its socket servers (the API, the administration socket) in one
/// `ServiceGroup`.
///
/// SIGTERM and SIGINT start a graceful shutdown, in reverse order: first the servers (no new requests, event
/// streams end, sockets removed), then the core, which locks every terminal, records `system.stop` and returns. If either service ends or fails on its own, the other is shut down gracefully too (a gateway
/// without its sockets, or a socket without its core, must not go on), and `run()` throws the first error.
/// After `shutdownTimeout` a shutdown that hangs is escalated to cancellation (systemd's TimeoutStopSec is
/// longer).
public enum GatewayLifecycle {
    /// The service group of the daemon. Call `run()` on it from `cardgate serve`. `handleSignals: false` is
    /// for tests, which trigger the shutdown themselves.
    public static func serviceGroup(
        core: some Service,
        servers: [SocketServer],
        logger: Logger,
        handleSignals: Bool = true,
        shutdownTimeout: Duration = .seconds(15)
    ) -> ServiceGroup {
        var configuration = ServiceGroupConfiguration(
            services: [
                .init(
                    service: core, successTerminationBehavior: .gracefullyShutdownGroup,
                    failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: "gateway-core"),
            ] + servers.map {
                .init(
                    service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                    failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: $0.name)
            },
            gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [],
            logger: logger)
        configuration.maximumGracefulShutdownDuration = shutdownTimeout
        return ServiceGroup(configuration: configuration)
    }
}
