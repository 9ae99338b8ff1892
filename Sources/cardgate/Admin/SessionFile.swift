#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Registry
import Secrets

/// Where the administrative session token is kept: `$CARDGATE_SESSION_FILE`, else
/// `$XDG_RUNTIME_DIR/cardgate/admin-session`, else `/tmp/cardgate-<uid>/admin-session` (folder 0700, owned
/// by the user). The file itself is 0600 and written through ``SecretFile``.
enum SessionFile {
    /// The token file's path for this user.
    static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment["CARDGATE_SESSION_FILE"], !path.isEmpty { return path }
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty {
            return (runtime as NSString).appendingPathComponent("cardgate/admin-session")
        }
        return "/tmp/cardgate-\(getuid())/admin-session"
    }

    /// Writes a new token, replacing an old file; the folder is created 0700 and must belong to the user.
    static func write(_ token: AdminSessionToken) throws {
        let file = path()
        let folder = (file as NSString).deletingLastPathComponent
        if !FileManager.default.fileExists(atPath: folder) {
            guard mkdir(folder, 0o700) == 0 || errno == EEXIST else {
                throw CommandFailure("session folder \(folder) cannot be created: \(String(cString: strerror(errno)))")
            }
        }
        var info = stat()
        guard lstat(folder, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == getuid() else {
            throw CommandFailure("session folder \(folder) is not a folder owned by you; refusing to write the session token there")
        }
        guard info.st_mode & 0o022 == 0 else {
            throw CommandFailure(String(format: "session folder %@ has mode %03o: others could replace the token file; run: chmod 700 %@", folder, info.st_mode & 0o777, folder))
        }
        unlink(file)
        do {
            try SecretFile.create(file, bytes: Array((token.text + "\n").utf8))
        } catch {
            throw CommandFailure("the session token cannot be written: \(error.description)")
        }
    }

    /// Reads the token (the file must be 0600).
    static func read() throws -> AdminSessionToken {
        let file = path()
        let bytes: [UInt8]
        do {
            bytes = try SecretFile.read(file)
        } catch where error.code == .missing {
            throw CommandFailure("not logged in (no administrative session file \(file)); run: cardgate admin login --reader NAME")
        } catch {
            throw CommandFailure("administrative session file: \(error.description)")
        }
        do {
            return try AdminSessionToken(String(decoding: bytes, as: UTF8.self))
        } catch {
            throw CommandFailure(error.description)
        }
    }

    /// Removes the token file, if any.
    static func remove() {
        unlink(path())
    }
}
