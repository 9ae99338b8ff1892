import Vocabulary
import APDU
import ArgumentParser
import Foundation
import VirtualCard

extension VCard {
    /// `vcard create`: a new card image.
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a new card image: random GUID and FASC-N, a P-256 key in slot 9E, a self-signed certificate.",
            discussion: """
                The file holds the card's private key: it is created with mode 0600 and never overwritten.

                Example:
                  vcard create --out card.json
                  vcard create --out alice.json --guid 0123456789abcdef0123456789abcdef
                """
        )

        @Option(help: "The card image file to create (must not exist).")
        var out: String

        @Option(help: "The card's GUID: 32 hex digits (default: random).")
        var guid: String?

        func validate() throws {
            if let guid {
                guard guid.count == 32, let bytes = Hex.decode(guid), bytes.count == 16 else {
                    throw ValidationError("--guid must be exactly 32 hex digits (16 bytes), e.g. 0123456789abcdef0123456789abcdef")
                }
            }
            if FileManager.default.fileExists(atPath: out) {
                throw ValidationError("\(out) already exists; vcard create never overwrites a card image")
            }
        }

        func run() throws {
            do {
                let image = try CardImage.create(guid: guid.flatMap(Hex.decode))
                try image.save(path: out)
                FileHandleOutput.line("created \(out): guid \(image.identity.guid.hex), fingerprint \(image.fingerprint.hex)")
            } catch {
                printError("vcard create: \(error.description)")
                throw ExitCode.failure
            }
        }
    }
}
