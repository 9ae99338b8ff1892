#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A secret kept in a file of its own (the PIN pepper, the history signing key, an admin session token).
///
/// Reading refuses a file that group or others may read or write, a file that is not a regular file
/// (a symbolic link or a device), and an empty file: the service then refuses to start. Writing creates
/// the file with mode 0600 from the start (never a window where it is readable), and refuses to overwrite.
public enum SecretFile {
    /// Why a secret file was refused.
    public struct Error: Swift.Error, CustomStringConvertible, Equatable {
        /// What went wrong, for a program to switch on.
        public enum Code: String, Sendable { case missing, notRegularFile, tooOpen, empty, tooLarge, exists, io }
        /// The code.
        public let code: Code
        /// The file concerned.
        public let path: String
        /// A message a person can act on.
        public let description: String
    }

    /// Largest secret file accepted; secrets are keys and tokens, not documents.
    public static let maximumSize = 64 * 1024

    /// Reads a secret file after checking that it is a regular file with mode 0600 or stricter.
    public static func read(_ path: String) throws(Error) -> [UInt8] {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            throw Error(code: .missing, path: path, description: "secret file \(path) cannot be opened: \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw Error(code: .notRegularFile, path: path, description: "secret file \(path) is not a regular file (a link or a device is refused)")
        }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw Error(code: .tooOpen, path: path, description: String(format: "secret file %@ has mode %03o: group and others must have no access; run: chmod 600 %@", path, mode, path))
        }
        guard info.st_size > 0 else {
            throw Error(code: .empty, path: path, description: "secret file \(path) is empty")
        }
        guard info.st_size <= maximumSize else {
            throw Error(code: .tooLarge, path: path, description: "secret file \(path) is larger than \(maximumSize) bytes")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Error(code: .io, path: path, description: "secret file \(path) cannot be read")
        }
        return [UInt8](data)
    }

    /// Creates a new secret file with mode 0600 and writes `bytes` to it durably; refuses to overwrite.
    public static func create(_ path: String, bytes: [UInt8]) throws(Error) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST {
                throw Error(code: .exists, path: path, description: "secret file \(path) already exists; it is never overwritten")
            }
            throw Error(code: .io, path: path, description: "secret file \(path) cannot be created: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        // The umask cannot widen 0600, but make the mode explicit in case the file system ignored it.
        _ = fchmod(fd, 0o600)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else {
                throw Error(code: .io, path: path, description: "secret file \(path) could not be written: \(String(cString: strerror(errno)))")
            }
            written += n
        }
        guard fsync(fd) == 0 else {
            throw Error(code: .io, path: path, description: "secret file \(path) could not be synced: \(String(cString: strerror(errno)))")
        }
    }
}
