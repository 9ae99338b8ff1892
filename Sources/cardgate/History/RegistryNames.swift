#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Credentials
import Foundation
import Registry

/// Operator and room names for the printed entry book, read from the registry without changing anything.
///
/// The history keeps operator ids only; names live in the registry, which only the service account may read (mode
/// 0600, clause 8). So names are printed when the report runs as the service account (or root); for anyone else
/// (an auditor) ``read(path:)`` says why not, and the book shows ids. The daemon is not needed.
struct RegistryNames {
    /// Operator names by operator id.
    var operators: [String: String] = [:]
    /// Room names by room id.
    var rooms: [String: String] = [:]

    /// Reads every operator's and room's name from the registry at `path`, opened read-only.
    static func read(path: String) throws -> RegistryNames {
        guard FileManager.default.fileExists(atPath: path) else { throw CommandFailure("there is no registry at \(path)") }
        guard access(path, R_OK) == 0 else {
            throw CommandFailure("the registry \(path) is readable only by the service account (run as cardgate or root for names)")
        }
        do {
            // Opened read-only and only names are read: no PIN is hashed, so the PIN pepper (a secret file) is not
            // loaded; a throwaway one stands in for it.
            let pepper = try Pepper(bytes: (0..<Pepper.minimumByteCount).map { _ in UInt8.random(in: 0...255) })
            let registry = try Registry(path: path, hasher: PINHasher(pepper: pepper),
                                        configuration: RegistryConfiguration(busyTimeout: 2, readOnly: true))
            var names = RegistryNames()
            for o in try registry.operators.list() { names.operators[o.id] = o.name }
            for r in try registry.rooms.list() { names.rooms[r.id] = r.name }
            return names
        } catch {
            throw CommandFailure("the registry \(path) could not be read: \(error)")
        }
    }
}
