import ArgumentParser
import Foundation
import GatewayAPI

/// `cardgate terminal --id T01`: the full-screen lock screen of one terminal.
struct TerminalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "terminal",
        abstract: "Show the full-screen lock screen of a terminal: insert card, PIN, who is signed in.",
        discussion: """
            Talks to cardgate serve over its API socket. The PIN is typed on the screen, never given on the \
            command line. Messages are Japanese when LC_ALL, LC_MESSAGES or LANG starts with "ja".

            Example: cardgate terminal --id T01 --socket /run/cardgate/api.sock
            """
    )

    @Option(name: .long, help: "The terminal id from the configuration, for example T01.")
    var id: String

    @Option(name: .long, help: "The API socket (default: $CARDGATE_SOCKET or /run/cardgate/api.sock).")
    var socket: String?

    func validate() throws {
        do {
            _ = try InputRules.id(id, field: "--id")
        } catch {
            throw ValidationError(error.message)
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let socketPath = socket ?? environment["CARDGATE_SOCKET"].flatMap { $0.isEmpty ? nil : $0 } ?? "/run/cardgate/api.sock"
        let app = LockScreenApp(
            terminalID: id,
            client: GatewayClient(socketPath: socketPath),
            renderer: LockScreenRenderer(language: ScreenLanguage.from(environment: environment)))
        try await app.run()
    }
}
