/// Where every checkpoint is also written, outside the database, so that a shortened or rewritten database
/// cannot go unnoticed: witness files on another file system (append-only lines, synced, mode 0600), and
/// witness commands that get the checkpoint on standard input (to a remote host, or syslog).
///
/// A store that signs refuses to open without a witness unless `explicitlyNone` says so (`witness = "none"`).
public struct WitnessConfiguration: Sendable, Equatable {
    /// Witness files: one line (base64 of the checkpoint note) per checkpoint. Read back before signing.
    public var files: [String]
    /// Witness commands, as argument lists (the first an absolute path); write-only.
    public var commands: [[String]]
    /// The configuration says `witness = "none"`: no witness, and `status` and `verify` warn.
    public var explicitlyNone: Bool

    /// Creates a witness configuration.
    public init(files: [String] = [], commands: [[String]] = [], explicitlyNone: Bool = false) {
        self.files = files
        self.commands = commands
        self.explicitlyNone = explicitlyNone
    }

    /// No witness named and none declined: a signing store refuses this.
    public static let unconfigured = WitnessConfiguration()
    /// `witness = "none"`.
    public static let none = WitnessConfiguration(explicitlyNone: true)

    /// Whether at least one witness is named.
    public var isConfigured: Bool { !files.isEmpty || !commands.isEmpty }

    /// Refuses "none" together with witnesses, relative paths and empty commands.
    public func validate() throws(HistoryError) {
        if explicitlyNone && isConfigured {
            throw HistoryError(.configuration, "witness = \"none\" cannot be combined with a witness file or command")
        }
        for f in files where !f.hasPrefix("/") {
            throw HistoryError(.configuration, "the witness file \(f) must be an absolute path")
        }
        for c in commands where c.first?.hasPrefix("/") != true {
            throw HistoryError(.configuration, "a witness command must start with an absolute program path, got \(c)")
        }
    }
}

extension WitnessConfiguration {
    /// Creates an empty witness file with mode 0600 (for `cardgate init`); an existing file is kept (it may be
    /// shared by several installations), but a link or other non-regular file is refused.
    public static func createFile(_ path: String) throws(HistoryError) {
        if try SecureFile.createEmpty(path) { return }
        guard SecureFile.isRegularFile(path) else { throw HistoryError(.witness, "the witness file \(path) exists but is not a regular file") }
    }
}
