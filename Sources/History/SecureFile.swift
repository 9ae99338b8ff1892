#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Files the history creates itself: mode 0600 from the first moment, never through a symbolic link, never
/// over an existing file. The umask is not relied on.
enum SecureFile {
    /// Creates an empty file with mode 0600; false if it already exists (then it is left alone).
    @discardableResult
    static func createEmpty(_ path: String) throws(HistoryError) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST { return false }
            throw HistoryError(.storage, "\(path) cannot be created: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        guard fchmod(fd, 0o600) == 0, fsync(fd) == 0 else {
            throw HistoryError(.storage, "\(path) cannot be set to mode 0600: \(String(cString: strerror(errno)))")
        }
        fsyncDirectory((path as NSString).deletingLastPathComponent)
        return true
    }

    /// Opens `path` for reading without following a link and without waiting (a FIFO's open would block until a
    /// writer comes), and keeps the descriptor only if it is a regular file (checked with `fstat` on it).
    /// Returns the descriptor, or nil with a reason.
    static func openRegularForReading(_ path: String) -> (fd: Int32?, reason: String) {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return (nil, String(cString: strerror(errno))) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            return (nil, "not a regular file")
        }
        return (fd, "")
    }

    /// The whole content of the regular file `path` (see ``openRegularForReading(_:)``), or nil with a reason.
    static func readRegular(_ path: String) -> (bytes: [UInt8]?, reason: String) {
        let (opened, reason) = openRegularForReading(path)
        guard let fd = opened else { return (nil, reason) }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n == 0 { return (out, "") }
            if n < 0 {
                if errno == EINTR { continue }
                return (nil, String(cString: strerror(errno)))
            }
            out += chunk[0..<n]
        }
    }

    /// Whether `path` is a regular file (not a link, not missing).
    static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }
}

/// Makes a rename or removal inside `path` durable (fsync of the directory); errors are ignored because
/// the file operations themselves already succeeded.
func fsyncDirectory(_ path: String) {
    let fd = open(path.isEmpty ? "." : path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if fd >= 0 { _ = fsync(fd); close(fd) }
}
