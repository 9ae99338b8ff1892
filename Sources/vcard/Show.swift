import ArgumentParser
import Foundation
import OperatorCard
import VirtualCard

extension VCard {
    /// `vcard show`: what a card image holds (never the private key).
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a card image's GUID, FASC-N, expiry, certificate subject and key fingerprint.",
            discussion: """
                The fingerprint is SHA-256 over the public key's DER SubjectPublicKeyInfo, in lower-case hex: the same value `cardgate card probe` shows for the card.

                Example:
                  vcard show --card card.json --json
                """
        )

        @Option(help: "The card image file.")
        var card: String

        @Flag(help: "Print a JSON object instead of text.")
        var json = false

        func run() throws {
            let image: CardImage
            let certificate: CardAuthenticationCertificate
            do {
                image = try CardImage.load(path: card)
                certificate = try CardAuthenticationCertificate(der: image.certificateDER)
            } catch let error as CardImage.Error {
                printError("vcard show: \(error.description)")
                throw ExitCode.failure
            } catch {
                printError("vcard show: \(error)")
                throw ExitCode.failure
            }
            let fields: [(String, String)] = [
                ("guid", image.identity.guid.hex),
                ("fascn", image.identity.fascnHex),
                ("fascnFields", image.identity.fascnFields?.description ?? ""),
                ("expiry", image.identity.expiry),
                ("subject", certificate.subject),
                ("fingerprint", image.fingerprint.hex),
            ]
            if json {
                let object = Dictionary(uniqueKeysWithValues: fields)
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                FileHandleOutput.line(String(decoding: data, as: UTF8.self))
            } else {
                for (name, value) in fields {
                    FileHandleOutput.line(name + ":" + String(repeating: " ", count: max(1, 13 - name.count)) + value)
                }
            }
        }
    }
}
