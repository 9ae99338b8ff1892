#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Credentials
import Foundation
import History
import Registry

/// Why `cardgate init` refused to create an installation.
public struct InstallationError: Error, CustomStringConvertible, Sendable {
    /// A message a person can act on.
    public let description: String

    /// An error with its message.
    public init(_ description: String) {
        self.description = description
    }
}

extension Installation {
    /// The files `initialize()` creates and refuses to overwrite.
    public var initialFiles: [String] {
        [configuration.secrets.pepper, configuration.secrets.historySigningKey, registryPath]
    }

    /// Throws when any file of a new installation already exists (nothing is overwritten).
    public func checkNotInitialized() throws(InstallationError) {
        for path in initialFiles where FileManager.default.fileExists(atPath: path) {
            throw InstallationError("\(path) already exists: this installation is already initialised; nothing was changed (remove the old installation by hand if you really mean to start again)")
        }
    }

    /// Creates a new installation: the folders (0700), the PIN pepper and the history signing key
    /// (0600 secret files, never overwritten), the history's witness file (0600, in a folder created 0700 if
    /// missing; an existing file is kept, it may be shared), the history database and the registry database.
    /// Refused when the configuration names no witness and does not say `witness = "none"`.
    /// Returns the opened history and registry.
    public func initialize() throws -> (history: HistoryStore, registry: Registry) {
        try checkNotInitialized()
        let witness = historyConfiguration.witness
        guard witness.isConfigured || witness.explicitlyNone else {
            throw InstallationError("\(configuration.file): [history] names no witness: add witness-file = \"/path/on/another/disk/history.witness\" (or witness-command), or witness = \"none\" to run without one; nothing was created")
        }
        let folders = witness.files.map { ($0 as NSString).deletingLastPathComponent } + [
            (configuration.storage.database as NSString).deletingLastPathComponent,
            configuration.storage.archiveDirectory,
            (configuration.secrets.pepper as NSString).deletingLastPathComponent,
            (configuration.secrets.historySigningKey as NSString).deletingLastPathComponent,
        ]
        for folder in folders where !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw InstallationError("folder \(folder) cannot be created: \(error.localizedDescription)")
            }
        }
        try Pepper.create(at: configuration.secrets.pepper)
        try CheckpointSigningKey.create(configuration.secrets.historySigningKey)
        for file in witness.files { try WitnessConfiguration.createFile(file) }
        let history = try openHistory()
        let registry = try openRegistry(create: true)
        return (history, registry)
    }
}
