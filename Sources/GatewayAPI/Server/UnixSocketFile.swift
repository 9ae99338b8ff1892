#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file-system side of the API socket: group lookup, stale-socket check, ownership and mode.
public enum UnixSocketFile {
    /// The identity of a file, to recognise our own socket at shutdown.
    public struct Identity: Sendable, Equatable {
        let device: UInt64
        let inode: UInt64
    }

    /// The id of group `name` (or of `gid:N`), or ``GatewayServerError/Code/unknownGroup``.
    public static func groupID(named name: String) throws(GatewayServerError) -> gid_t {
        if name.hasPrefix("gid:"), let number = gid_t(name.dropFirst(4)) { return number }
        var group = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        let rc = getgrnam_r(name, &group, &buffer, buffer.count, &result)
        guard rc == 0, result != nil else {
            throw GatewayServerError(
                .unknownGroup,
                "the API socket group \"\(name)\" does not exist; create it (groupadd --system \(name)) and add the users of the API to it, or change the socket group in the configuration")
        }
        return group.gr_gid
    }

    /// Makes `path` free for a new socket: nothing there, or a stale socket (nobody listening) that is
    /// removed. Refuses a live socket, a non-socket file, a missing folder and a path too long.
    /// - Returns: true when a stale socket was removed.
    @discardableResult
    public static func prepare(_ path: String) throws(GatewayServerError) -> Bool {
        guard path.hasPrefix("/") else {
            throw GatewayServerError(.badSocketPath, "the API socket path \(path) must be absolute")
        }
        guard path.utf8.count < maximumPathLength else {
            throw GatewayServerError(
                .badSocketPath, "the API socket path \(path) is longer than \(maximumPathLength - 1) bytes, the limit of a Unix socket address")
        }
        let directory = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        var info = stat()
        if !directory.isEmpty, stat(directory, &info) != 0 || (info.st_mode & S_IFMT) != S_IFDIR {
            throw GatewayServerError(
                .missingDirectory, "the folder \(directory) of the API socket does not exist; create it (systemd: RuntimeDirectory=cardgate)")
        }
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return false }
            throw GatewayServerError(.system, "cannot inspect \(path): \(errorText(errno))")
        }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw GatewayServerError(.notASocket, "\(path) exists and is not a socket; move it away or choose another socket path")
        }
        if try isListening(path) {
            throw GatewayServerError(
                .alreadyListening, "another process listens on \(path); is cardgate serve already running? (systemctl status cardgate)")
        }
        guard unlink(path) == 0 || errno == ENOENT else {
            throw GatewayServerError(.system, "cannot remove the stale socket \(path): \(errorText(errno))")
        }
        return true
    }

    /// Whether a process accepts connections on the Unix socket at `path`.
    public static func isListening(_ path: String) throws(GatewayServerError) -> Bool {
        #if canImport(Glibc)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw GatewayServerError(.system, "socket(): \(errorText(errno))") }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < maximumPathLength else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if rc == 0 { return true }
        let error = errno
        if error == ECONNREFUSED || error == ENOENT { return false }
        throw GatewayServerError(.system, "cannot probe the socket \(path): \(errorText(error))")
    }

    /// Gives the socket to `group` (if any) and sets `mode` (0660): the group first, so that the mode never
    /// opens the socket to the wrong group.
    public static func applyPermissions(_ path: String, group: gid_t?, mode: mode_t) throws(GatewayServerError) {
        if let group, chown(path, uid_t.max, group) != 0 {
            let error = errno
            throw GatewayServerError(
                .permissions,
                "cannot give the API socket \(path) to group id \(group): \(errorText(error)); the service user must be a member of that group")
        }
        guard chmod(path, mode) == 0 else {
            throw GatewayServerError(.permissions, "cannot set mode \(String(mode, radix: 8)) on \(path): \(errorText(errno))")
        }
    }

    /// The identity of the file at `path`, if any.
    public static func identity(_ path: String) -> Identity? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    /// Removes `path` only if it is still the file we created.
    public static func removeIfOurs(_ path: String, identity: Identity?) {
        guard let identity, Self.identity(path) == identity else { return }
        unlink(path)
    }

    /// The permission bits of `path`.
    public static func mode(_ path: String) -> mode_t? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    /// The size of `sun_path`, terminator included.
    static let maximumPathLength = MemoryLayout.size(ofValue: sockaddr_un().sun_path)

    static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
