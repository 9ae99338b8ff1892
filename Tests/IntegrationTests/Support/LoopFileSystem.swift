import Foundation

/// An ext4 file system on a loop device over an image file, mounted on a temporary folder with `errors=remount-ro`,
/// that can be made read-only under a running process (issue 12, disk faults: the database made read-only under the
/// daemon) the way a failing disk does it: ext4 records an error and turns itself read-only (`emergency_ro`), and
/// every later write fails. Needs root and loop devices (CI runs the tests as root); ``available`` tells whether this
/// works on this machine.
final class LoopFileSystem {
    let path: String
    private let image: String
    private let device: String
    /// The copy mounted by ``remountCopy()``, if any: its image and loop device.
    private var repaired: (image: String, device: String)?

    /// Creates an image of `megabytes`, formats it ext4, attaches it to a free loop device and mounts it.
    init(megabytes: Int) throws {
        let id = UUID().uuidString.prefix(8)
        path = FileManager.default.temporaryDirectory.appendingPathComponent("loop-fs-\(id)").path
        image = FileManager.default.temporaryDirectory.appendingPathComponent("loop-fs-\(id).img").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        guard FileManager.default.createFile(atPath: image, contents: nil), truncate(image, off_t(megabytes) << 20) == 0,
              try Self.run(["/usr/sbin/mkfs.ext4", "-q", "-F", image]).status == 0 else {
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: image)
            throw BuiltTools.ToolError(description: "an ext4 image could not be made at \(image)")
        }
        let attach = try Self.run(["/usr/sbin/losetup", "--find", "--show", image])
        device = attach.output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard attach.status == 0, device.hasPrefix("/dev/loop"), try Self.run(["/bin/mount", "-o", "errors=remount-ro", device, path]).status == 0 else {
            if device.hasPrefix("/dev/loop") { _ = try? Self.run(["/usr/sbin/losetup", "-d", device]) }
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: image)
            throw BuiltTools.ToolError(description: "the image \(image) could not be attached and mounted (\(attach.output))")
        }
        chmod(path, 0o700)
    }

    deinit {
        _ = try? Self.run(["/bin/umount", "-l", path])
        for (file, loop) in [(image, device)] + (repaired.map { [$0] } ?? []) {
            _ = try? Self.run(["/usr/sbin/losetup", "-d", loop])
            try? FileManager.default.removeItem(atPath: file)
        }
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Whether this process may attach and mount a loop device (tried once).
    static let available: Bool = {
        guard geteuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/sbin/losetup"),
              FileManager.default.isExecutableFile(atPath: "/usr/sbin/mkfs.ext4"),
              let probe = try? LoopFileSystem(megabytes: 8) else { return false }
        return FileManager.default.isWritableFile(atPath: probe.errorTrigger)
    }()

    /// ext4's switch for an error (`/sys/fs/ext4/loopN/trigger_fs_error`).
    var errorTrigger: String { "/sys/fs/ext4/\((device as NSString).lastPathComponent)/trigger_fs_error" }

    /// Makes the file system read-only under whoever has files open on it: ext4 records an error and, mounted with
    /// `errors=remount-ro`, refuses every write from then on (`fsync` and `write` fail).
    func makeReadOnly() throws {
        guard let trigger = FileHandle(forWritingAtPath: errorTrigger) else {
            throw BuiltTools.ToolError(description: "\(errorTrigger) cannot be opened")
        }
        defer { try? trigger.close() }
        try trigger.write(contentsOf: Data("cardgate test: the disk turned read-only\n".utf8))
    }

    /// Whether the file system is mounted read-only now (as `/proc/mounts` says).
    var isReadOnly: Bool {
        let mounts = (try? String(contentsOfFile: "/proc/mounts", encoding: .utf8)) ?? ""
        return mounts.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            return fields.count > 3 && fields[1] == path && fields[3].split(separator: ",").contains { $0 == "ro" || $0 == "emergency_ro" }
        }
    }

    /// After the processes writing to it stopped: the disk as it stands, copied and mounted afresh on the same folder
    /// (ext4 replays its journal), as after the disk was repaired. The failed file system is detached lazily: the test
    /// process itself may still hold a file of it open (the rig's registry).
    func remountCopy() throws {
        guard repaired == nil else { throw BuiltTools.ToolError(description: "\(path) was remounted already") }
        _ = try Self.run(["/bin/umount", "-l", path])
        let copy = image + ".repaired"
        try FileManager.default.copyItem(atPath: image, toPath: copy)
        let attach = try Self.run(["/usr/sbin/losetup", "--find", "--show", copy])
        let loop = attach.output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard attach.status == 0, loop.hasPrefix("/dev/loop") else {
            try? FileManager.default.removeItem(atPath: copy)
            throw BuiltTools.ToolError(description: "the copy \(copy) could not be attached (\(attach.output))")
        }
        repaired = (copy, loop)
        guard try Self.run(["/bin/mount", "-o", "errors=remount-ro", loop, path]).status == 0 else {
            throw BuiltTools.ToolError(description: "\(loop) could not be mounted on \(path)")
        }
    }

    private static func run(_ argv: [String]) throws -> (status: Int32, output: String) {
        try BuiltTools.run(argv[0], Array(argv.dropFirst()))
    }
}
