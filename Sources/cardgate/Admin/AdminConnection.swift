import ArgumentParser
import CardGateConfig
import Foundation
import GatewayAPI
import Installation

/// The options every administrative command takes: where the daemon's administration socket is.
struct AdminOptions: ParsableArguments {
    @Option(help: "The configuration file, for the administration socket's path (default $CARDGATE_CONFIG, else /etc/cardgate/cardgate.toml).")
    var config: String?
    @Option(help: "The administration socket (default: the configuration's admin.socket, else $CARDGATE_ADMIN_SOCKET, else /run/cardgate/admin.sock).")
    var socket: String?

    /// The socket path: `--socket`, the configuration's, the environment's, or the default.
    func socketPath() -> String {
        if let socket { return socket }
        let environment = ProcessInfo.processInfo.environment
        if let path = environment[ConfigurationEnvironment.adminSocket.rawValue], !path.isEmpty { return path }
        let file = config ?? Installation.defaultConfigurationFile()
        if let installation = try? Installation(configurationFile: file) { return installation.configuration.admin.socket }
        return "/run/cardgate/admin.sock"
    }

    /// Sends `request` to the daemon and returns its reply; a refusal is printed and ends the command.
    func send(_ request: AdminRequest) async throws -> AdminReply {
        let client = AdminClient(socketPath: socketPath())
        do {
            return try await client.send(request)
        } catch let error as GatewayError {
            throw CommandFailure(error.message)
        } catch let error as GatewayClientError {
            throw CommandFailure("\(error.message) (administration socket \(client.socketPath); is cardgate serve running and are you in its administrators' group?)")
        }
    }

    /// Sends `request` and prints the reply: the JSON document with `json`, else the text.
    func run(_ request: AdminRequest, json: Bool = false) async throws {
        let reply = try await send(request)
        let output = json ? (reply.json ?? "null") : reply.text
        if !output.isEmpty { print(output) }
    }
}
