#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Installation

/// The service account `cardgate serve` runs as, which alone owns the databases and the secrets.
enum ServiceAccount {
    /// The uid of `name`, if the account exists.
    static func uid(_ name: String) -> uid_t? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        guard getpwnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.pw_uid
    }

    /// The folders of the installation that do not exist yet (`cardgate init` creates them).
    static func missingFolders(_ installation: Installation) -> [String] {
        let configuration = installation.configuration
        let witnessFiles = [configuration.history.witnessFile].compactMap { $0 }
        return Set(([configuration.storage.database, configuration.secrets.pepper, configuration.secrets.historySigningKey] + witnessFiles)
            .map { ($0 as NSString).deletingLastPathComponent } + [configuration.storage.archiveDirectory])
            .filter { !$0.isEmpty && !FileManager.default.fileExists(atPath: $0) }.sorted()
    }

    /// After `cardgate init` ran as root: gives the installation's files, and the folders it created, to the service
    /// account (the daemon refuses secret files it does not own, and must append to the witness file). Folders that
    /// existed before (made by the install step, such as /etc/cardgate) keep their owner. Nothing follows a symbolic link.
    static func handOver(_ installation: Installation, createdFolders: [String], to uid: uid_t) {
        let configuration = installation.configuration
        let database = configuration.storage.database
        let paths = [
            configuration.secrets.pepper, configuration.secrets.historySigningKey, installation.registryPath,
            database, database + "-wal", database + "-shm", installation.registryPath + "-wal", installation.registryPath + "-shm",
        ] + [configuration.history.witnessFile].compactMap { $0 } + createdFolders
        for path in paths {
            _ = lchown(path, uid, gid_t.max)
        }
    }
}
