import ArgumentParser
import Foundation
import GatewayAPI

/// `cardgate pin …`: the card holder's own PIN.
struct PINCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pin", abstract: "The card holder's own PIN.", subcommands: [PINChangeCommand.self])
}

/// `cardgate pin change`: the holder, with their card at the admin station and their current PIN, sets a new PIN.
struct PINChangeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "change",
        abstract: "Change your PIN with your card and current PIN (new PIN asked twice).",
        discussion: """
            The daemon reads your card in the admin station's reader. With --pin-stdin, standard input gives two
            lines: the current PIN, then the new one. A wrong current PIN counts towards the block. A PIN set by the
            PIN administrator (at issue or by a reset) must be changed this way before the card can be used.

            Example: cardgate pin change --reader "CardGate Admin 00 01"
            """
    )

    @OptionGroup var options: AdminOptions
    @Option(help: "The admin station reader holding your card (default: the configured admin-subject reader).") var reader: String?
    @Flag(help: "Read the current and the new PIN as two lines from standard input.") var pinStdin = false

    func run() async throws {
        try PINEntry.requireSource(fromStdin: pinStdin)
        let current: SecretPIN
        let new: SecretPIN
        if pinStdin {
            let lines = try PINEntry.read(["current PIN", "new PIN"], fromStdin: true)
            (current, new) = (SecretPIN(lines[0]), SecretPIN(lines[1]))
        } else {
            current = SecretPIN(try PINEntry.read(["current PIN"], fromStdin: false)[0])
            new = SecretPIN(try PINEntry.readNew("new PIN", fromStdin: false))
        }
        try await options.run(.pinChange(AdminPINChange(reader: reader, current: current, new: new)))
    }
}
