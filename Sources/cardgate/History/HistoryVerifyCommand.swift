import ArgumentParser
import Foundation
import History

/// `cardgate history verify`: recomputes the whole history and names the first bad sequence number.
struct HistoryVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-compute the chain, checkpoints, seals and archives; exit 0 when intact, 1 when damaged, 3 when it cannot check.",
        discussion: """
            Example: cardgate history verify --json
            Auditors: cardgate history verify --export history-export.sqlite --public-key <64 hex digits>
            """
    )
    @OptionGroup var options: HistoryOptions
    @Flag(help: "Print the report as one JSON object.") var json = false
    @Option(help: "Verify an export file instead of the live history.") var export: String?
    @Option(help: "The public key (64 hex digits); by default derived from the signing key, or taken from the export.")
    var publicKey: String?

    func run() throws {
        let given = try publicKey.map { hex in try orExit { () throws(HistoryError) in try CheckpointPublicKey(hex: hex) } }
        let report: VerificationReport
        if let export {
            let key = try given ?? orExit { () throws(HistoryError) in try HistoryExport.embeddedPublicKey(export) }
            if given == nil && !json {
                FileHandle.standardError.write(Data("note: using the key inside the export (fingerprint \(key.fingerprint)); compare it with the published one\n".utf8))
            }
            report = HistoryExport.verify(export, publicKey: key)
        } else {
            let store = try options.openForReading()
            var key = given
            if key == nil { key = try orExit { () throws(HistoryError) in try CheckpointSigningKey.load(store.configuration.signingKeyPath).publicKey } }
            report = store.verify(publicKey: key)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            printOut(String(decoding: try encoder.encode(report), as: UTF8.self) + "\n")
        } else if report.intact {
            printOut("\(report.message); last sequence \(report.lastSequence), \(report.unsignedEvents) events after the last checkpoint\n")
        } else {
            printOut("DAMAGED at \(report.firstBadSequence.map(String.init) ?? "-"): \(report.problem?.rawValue ?? "") — \(report.message)\n")
        }
        if !report.intact { throw ExitCode(report.problem == .unverifiable ? 3 : 1) }
    }
}
