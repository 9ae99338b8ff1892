import ArgumentParser

/// `vcard`: the CardGate virtual PIV card — make card images and put them into a vpcd virtual reader.
@main
struct VCard: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vcard",
        abstract: "A virtual PIV card for CardGate's tests and demos, inserted into pcscd through vpcd.",
        discussion: """
            Example:
              vcard create --out card.json
              vcard insert --card card.json --port 35975
            """,
        subcommands: [Create.self, Insert.self, Show.self]
    )
}

/// Prints one line to standard error.
func printError(_ message: String) {
    FileHandleOutput.writeStderr(message + "\n")
}
