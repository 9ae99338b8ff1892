import ArgumentParser
import History

/// `cardgate history export`: one file for auditors, verifiable elsewhere with the public key.
struct HistoryExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write every kept event, checkpoint, seal and tree node, and the public keys, to one SQLite file for auditors.",
        discussion: "Example: cardgate history export --output history-2026.sqlite\nThe auditor runs: cardgate history verify --export history-2026.sqlite --public-key <hex>"
    )
    @OptionGroup var options: HistoryOptions
    @Option(help: "The new export file (created with mode 0600).") var output: String
    @Option(help: "The public key, when the configuration does not list the keys and the key file cannot be read.") var publicKey: String?

    func run() throws {
        let store = try options.openForReading()
        let path = output
        let given = try parsePublicKeys(publicKey.map { [$0] } ?? [])
        guard let keys = given.first.map(CheckpointKeySchedule.init(single:)) ?? store.keySchedule else {
            throw ValidationError("no public key is known: give --public-key")
        }
        let n = try orExit { () throws(HistoryError) in try HistoryExport.write(store, to: path, keys: keys) }
        printOut("exported \(n) events to \(path); key fingerprint(s) \(keys.entries.map(\.publicKey.fingerprint).joined(separator: ", "))\n")
    }
}
