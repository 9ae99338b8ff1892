import Foundation

/// A size-limited tmpfs mounted on a temporary folder, to fill up under the running daemon (issue 12, disk faults).
/// Needs root (CI runs the tests as root); ``available`` tells whether a mount works on this machine.
final class SmallFileSystem {
    let path: String

    /// Mounts a tmpfs of `megabytes` on a new temporary folder (mode 0700).
    init(megabytes: Int) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("small-fs-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let status = try Self.run(["/bin/mount", "-t", "tmpfs", "-o", "size=\(megabytes)m,mode=0700", "tmpfs", path])
        guard status == 0 else {
            try? FileManager.default.removeItem(atPath: path)
            throw BuiltTools.ToolError(description: "mount -t tmpfs on \(path) failed (\(status))")
        }
    }

    deinit {
        _ = try? Self.run(["/bin/umount", "-l", path])
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Whether this process may mount a tmpfs (tried once).
    static let available: Bool = {
        guard geteuid() == 0, FileManager.default.isExecutableFile(atPath: "/bin/mount") else { return false }
        return (try? SmallFileSystem(megabytes: 1)) != nil
    }()

    /// Writes `name` until the file system is full; returns the bytes written.
    @discardableResult
    func fill(_ name: String = "filler") -> Int {
        let fd = open(path + "/" + name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0x5A, count: 4096)
        var total = 0
        while true {
            let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            total += n
        }
        return total
    }

    /// Deletes what ``fill(_:)`` wrote.
    func free(_ name: String = "filler") {
        unlink(path + "/" + name)
    }

    private static func run(_ argv: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
