import ArgumentParser
import Foundation
import History

/// `cardgate history verify`: recomputes the whole history and names the first bad sequence number.
struct HistoryVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-compute the chain, tree, checkpoints, witnesses, seals and archives; exit 0 intact, 1 damaged, 2 unwitnessed tail, 3 cannot check.",
        discussion: """
            Reads the database read-only and needs only public keys (the configured ones, the signing key's, or --public-key).
            Example: cardgate history verify --json
            Auditors: cardgate history verify --export history-export.sqlite --public-key <64 hex digits or verifier key>
            """
    )
    @OptionGroup var options: HistoryOptions
    @Flag(help: "Print the report as one JSON object.") var json = false
    @Option(help: "Verify an export file instead of the live history.") var export: String?
    @Option(help: "A public key to trust (64 hex digits or a C2SP verifier key); repeatable.") var publicKey: [String] = []
    @Option(help: "With --export: the fingerprint (16 hex digits) of a key to trust; repeatable.") var fingerprint: [String] = []
    @Flag(help: "Verify the signature of every checkpoint and every witness line, also where the chain of checkpoints already authenticates the text (notes the witness holds byte for byte, witness lines of purged years); slower.")
    var everySignature = false

    func run() throws {
        let given = try parsePublicKeys(publicKey)
        var report: VerificationReport
        if let export {
            report = try verifyExport(export, given: given)
        } else {
            let store = try options.openForReading()
            var keys: CheckpointKeySchedule?
            if given.count == 1 {
                keys = CheckpointKeySchedule(single: given[0])
            } else if given.count > 1 {
                guard let configured = store.keySchedule, Set(configured.entries.map(\.publicKey.hex)) == Set(given.map(\.hex)) else {
                    throw ValidationError("several --public-key values must be exactly the configured [[history.keys]]")
                }
                keys = configured
            }
            report = store.verify(keys: keys, everySignature: everySignature)
        }
        if json {
            try printJSON(report)
        } else {
            for w in report.warnings { printOut("warning: \(w)\n") }
            switch report.outcome {
            case .intact:
                printOut("\(report.message); last sequence \(report.lastSequence), every event witnessed\n")
            case .unwitnessed:
                printOut("\(report.message)\nUNWITNESSED: \(report.unwitnessedEvents) events after \(report.witnessedSize.map { "the witnessed checkpoint at \($0)" } ?? "the start")\n")
            case .damaged:
                printOut("DAMAGED at \(report.firstBadSequence.map(String.init) ?? "-"): \(report.problem?.rawValue ?? "") — \(report.message)\n")
            case .unverifiable:
                printOut("NOT VERIFIED: \(report.problem?.rawValue ?? "") — \(report.message)\n")
            }
            for incident in report.acknowledgedIncidents where report.outcome != .damaged || incident != report.message {
                printOut("\(incident)\n")
            }
        }
        if report.outcome != .intact { throw ExitCode(report.outcome.exitCode) }
    }

    /// An export is trusted only under keys given on the command line or pinned by fingerprint; otherwise it is
    /// checked under its own keys, which are printed, and never reported intact.
    private func verifyExport(_ path: String, given: [CheckpointPublicKey]) throws -> VerificationReport {
        let embedded = try orExit { () throws(HistoryError) in try HistoryExport.embeddedKeys(path) }
        let embeddedKeys = embedded.entries.map(\.publicKey)
        let pinned = Set(fingerprint.map { $0.lowercased() })
        var keys = embedded
        var trusted = false
        if !given.isEmpty {
            if Set(embeddedKeys.map(\.hex)).isSubset(of: Set(given.map(\.hex))) {
                trusted = true
            } else if given.count == 1 {
                keys = CheckpointKeySchedule(single: given[0])
                trusted = true
            } else {
                throw ValidationError("the --public-key values do not cover the export's keys (\(embeddedKeys.map(\.fingerprint).joined(separator: ", ")))")
            }
        } else if !pinned.isEmpty {
            trusted = embeddedKeys.allSatisfy { pinned.contains($0.fingerprint) }
            if !trusted {
                throw ValidationError("the export's keys (\(embeddedKeys.map(\.fingerprint).joined(separator: ", "))) are not all among the pinned fingerprints")
            }
        }
        var report = HistoryExport.verify(path, keys: keys)
        if !trusted {
            let prints = embeddedKeys.map(\.fingerprint).joined(separator: ", ")
            report.warnings.append("checked only under the key(s) inside the export (fingerprint \(prints)); nobody vouched for them")
            if report.outcome == .intact || report.outcome == .unwitnessed {
                report.intact = false
                report.outcome = .unverifiable
                report.problem = .untrustedKey
                report.message = "the export is consistent under its own key(s) \(prints), which were not given or pinned: compare them with the published fingerprint and run again with --public-key or --fingerprint"
            }
        }
        return report
    }
}
