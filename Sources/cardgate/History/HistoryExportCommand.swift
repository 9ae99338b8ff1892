import ArgumentParser
import History

/// `cardgate history export`: one file for auditors, verifiable elsewhere with the public key.
struct HistoryExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write every kept event, checkpoint and seal, and the public key, to one SQLite file for auditors.",
        discussion: "Example: cardgate history export --output history-2026.sqlite\nThe auditor runs: cardgate history verify --export history-2026.sqlite --public-key <hex>"
    )
    @OptionGroup var options: HistoryOptions
    @Option(help: "The new export file.") var output: String

    func run() throws {
        let store = try options.openForReading()
        let path = output
        let key = try orExit { () throws(HistoryError) in try CheckpointSigningKey.load(store.configuration.signingKeyPath).publicKey }
        let n = try orExit { () throws(HistoryError) in try HistoryExport.write(store, to: path, publicKey: key) }
        printOut("exported \(n) events to \(path); public key fingerprint \(key.fingerprint)\n")
    }
}
