import ArgumentParser
import History

/// `cardgate history init-key`: creates the checkpoint signing key.
struct HistoryInitKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init-key",
        abstract: "Create the Ed25519 checkpoint signing key (mode 0600; never overwrites).",
        discussion: "Example: cardgate history init-key --key /etc/cardgate/history-signing.key\nPrints the public key and its fingerprint: give them to the auditors."
    )
    @OptionGroup var options: HistoryOptions

    func run() throws {
        let path = try options.configuration.signingKeyPath
        let key = try orExit { () throws(HistoryError) in try CheckpointSigningKey.create(path) }
        printOut("created \(path)\npublic key \(key.publicKey.hex)\nfingerprint \(key.publicKey.fingerprint)\n")
    }
}

/// `cardgate history public-key`: prints the public half of the signing key.
struct HistoryPublicKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "public-key",
        abstract: "Print the checkpoint public key and its fingerprint, for auditors.",
        discussion: "Example: cardgate history public-key --key /etc/cardgate/history-signing.key"
    )
    @OptionGroup var options: HistoryOptions

    func run() throws {
        let path = try options.configuration.signingKeyPath
        let key = try orExit { () throws(HistoryError) in try CheckpointSigningKey.load(path) }
        let origin = try options.configuration.origin ?? HistoryStore.derivedOrigin(key.publicKey)
        printOut("\(key.publicKey.hex)\nfingerprint \(key.publicKey.fingerprint)\nverifier key \(key.publicKey.verifierKey(name: origin))\n")
    }
}
