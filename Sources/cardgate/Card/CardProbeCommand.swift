import ArgumentParser
import Foundation
import OperatorCard

/// `cardgate card probe`: reads a card's identity and proves it holds the key of its certificate.
struct CardProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Read the card in a reader and check it answers a fresh challenge with its certificate's key.",
        discussion: """
            Shows the CHUID (GUID, FASC-N, expiry), the Card Authentication certificate's subject and the
            SHA-256 fingerprint of its public key (over the DER SubjectPublicKeyInfo). Exits 0 for a genuine
            card, 2 when the card does not prove the key, 1 on any other error.

            Example: cardgate card probe --reader "CardGate Admin 00 00" --json
            """
    )

    @Option(help: "The PC/SC reader name, as `cardgate readers` shows it.")
    var reader: String

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    /// The JSON form of a probe.
    struct Output: Encodable {
        let reader: String
        let guid: String
        let fascn: String
        let expiry: String
        let subject: String
        let fingerprint: String
        let genuine: Bool
        let explanation: String
    }

    func run() async throws {
        let output: Output
        do {
            let (card, connection) = try ReaderCard.open(reader: reader)
            defer { connection.disconnect() }
            let probe = try card.probe()
            output = Output(
                reader: reader,
                guid: probe.identity.guid.hex,
                fascn: probe.identity.fascnHex,
                expiry: probe.identity.expiry,
                subject: probe.certificate.subject,
                fingerprint: probe.fingerprint.hex,
                genuine: probe.authenticity.isGenuine,
                explanation: probe.authenticity.explanation
            )
        } catch {
            throw CommandFailure("card probe: \(error)")
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(output), as: UTF8.self))
        } else {
            print("""
                reader:       \(output.reader)
                GUID:         \(output.guid)
                FASC-N:       \(output.fascn)
                expiry:       \(output.expiry)
                certificate:  \(output.subject)
                fingerprint:  \(output.fingerprint)
                genuine:      \(output.genuine ? "yes" : "NO") — \(output.explanation)
                """)
        }
        if !output.genuine { throw ExitCode(2) }
    }
}
