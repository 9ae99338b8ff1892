import ArgumentParser
import Foundation
import GatewayAPI

/// `cardgate admin …`: the administrator's own session, kept by the daemon.
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Open, show or end an administrative session (card + PIN at the admin reader).",
        subcommands: [AdminLoginCommand.self, AdminStatusCommand.self, AdminLogoutCommand.self]
    )
}

/// `cardgate admin login`: the daemon reads the card in the admin reader, challenges it, checks the role and the PIN.
struct AdminLoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Prove card and PIN at the admin reader and open an administrative session.",
        discussion: """
            The daemon reads your card in the admin reader and keeps the session itself, bound to your user and to
            the card staying in the reader: pulling the card ends the session at once, as does the idle time-out.
            Wrong PINs count towards the block.

            Example: cardgate admin login --reader "CardGate Admin 00 00"
            """
    )

    @OptionGroup var options: AdminOptions
    @Option(help: "The admin reader holding your card (default: the configured one).") var reader: String?
    @Flag(help: "Read the PIN as one line from standard input instead of the terminal.") var pinStdin = false

    func run() async throws {
        try PINEntry.requireSource(fromStdin: pinStdin)
        let pin = try PINEntry.read(["PIN"], fromStdin: pinStdin)[0]
        try await options.run(.login(AdminLogin(reader: reader, pin: SecretPIN(pin))))
    }
}

/// `cardgate admin status`: who is logged in at the admin station, until when.
struct AdminStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show your administrative session.", discussion: "Example: cardgate admin status --json")
    @OptionGroup var options: AdminOptions
    @Flag(help: "Print one JSON object.") var json = false

    func run() async throws {
        try await options.run(.session, json: json)
    }
}

/// `cardgate admin logout`: ends the session.
struct AdminLogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout", abstract: "End the administrative session (pulling the card does too).", discussion: "Example: cardgate admin logout")
    @OptionGroup var options: AdminOptions

    func run() async throws {
        try await options.run(.logout)
    }
}
