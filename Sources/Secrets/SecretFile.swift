#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A secret kept in a file of its own (the PIN pepper, the history signing key).
///
/// Reading opens the file once, without following a symbolic link (`O_NOFOLLOW`), and checks what was opened with
/// `fstat` on that descriptor — never a second look-up of the path: it must be a regular file, owned by the account
/// that reads it (the service account), with no group or other permission bits, not empty and not huge. Anything
/// else is refused with a message naming the file, and the service then refuses to start. Writing creates the file
/// with mode 0600 from the start (never a window where it is readable), and refuses to overwrite.
public enum SecretFile {
    /// Why a secret file was refused.
    public struct Error: Swift.Error, CustomStringConvertible, Equatable {
        /// What went wrong, for a program to switch on.
        public enum Code: String, Sendable { case missing, notRegularFile, wrongOwner, tooOpen, empty, tooLarge, exists, io }
        /// The code.
        public let code: Code
        /// The file concerned.
        public let path: String
        /// A message a person can act on.
        public let description: String
    }

    /// Largest secret file accepted; secrets are keys and tokens, not documents.
    public static let maximumSize = 64 * 1024

    /// Reads a secret file owned by `owner` (default: this process's effective user, the service account) after
    /// checking the opened descriptor: a regular file, mode 0600 or stricter, not empty, not larger than 64 KiB.
    public static func read(_ path: String, owner: uid_t = geteuid()) throws(Error) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard fd >= 0 else {
            let error = errno
            if error == ELOOP {
                throw Error(code: .notRegularFile, path: path, description: "secret file \(path) is a symbolic link; a link is refused, put the file itself there")
            }
            throw Error(code: .missing, path: path, description: "secret file \(path) cannot be opened: \(String(cString: strerror(error)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw Error(code: .io, path: path, description: "secret file \(path) cannot be inspected: \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw Error(code: .notRegularFile, path: path, description: "secret file \(path) is not a regular file (a link, a device or a pipe is refused)")
        }
        guard info.st_uid == owner else {
            throw Error(code: .wrongOwner, path: path, description: "secret file \(path) belongs to uid \(info.st_uid), not to the service account (uid \(owner)); run: chown \(owner) \(path)")
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
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw Error(code: .io, path: path, description: "secret file \(path) cannot be read: \(n < 0 ? String(cString: strerror(errno)) : "it got shorter")")
            }
            done += n
        }
        return bytes
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
