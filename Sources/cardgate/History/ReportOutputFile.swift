#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A report written to a file (`--output`), atomically: the report goes into a new temporary file beside the target
/// (mode 0640: the service account and the auditors' group may read it, others not), is flushed to disk, and only then
/// takes the target's name. A reader never sees half a report, and a failed report leaves nothing behind.
///
/// An existing target is refused unless `force`; without `force` the name is taken with `link(2)`, which fails if the
/// name appeared meanwhile, so nothing is ever overwritten by a race. A target that is not a regular file (a symbolic
/// link, a directory, a device) is refused even with `force`.
final class ReportOutputFile {
    /// The mode of a report file.
    static let mode: mode_t = 0o640

    /// Where the report goes.
    let path: String
    /// Replace an existing file.
    let force: Bool
    /// The temporary file, open for writing; write the report into it, then ``commit()``.
    let handle: FileHandle
    private let temporaryPath: String
    private var finished = false

    /// Creates the temporary file beside `path`; refuses at once if `path` exists and `force` is not set.
    init(_ path: String, force: Bool) throws {
        self.path = path
        self.force = force
        try Self.checkTarget(path, force: force)
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        var created: (fd: Int32, path: String)?
        for _ in 0..<8 {
            let candidate = directory + "/." + url.lastPathComponent + "." + String(UInt32.random(in: 0...UInt32.max), radix: 16) + ".tmp"
            let fd = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, Self.mode)
            if fd >= 0 { created = (fd, candidate); break }
            let error = errno
            if error != EEXIST { throw CommandFailure("cannot create a file in \(directory): \(String(cString: strerror(error)))") }
        }
        guard let created else { throw CommandFailure("cannot create a temporary file in \(directory)") }
        _ = fchmod(created.fd, Self.mode)  // the umask may have taken bits away
        temporaryPath = created.path
        handle = FileHandle(fileDescriptor: created.fd, closeOnDealloc: true)
    }

    deinit {
        if !finished { unlink(temporaryPath) }
    }

    /// Flushes the report to disk and gives it the target's name.
    func commit() throws {
        guard !finished else { return }
        finished = true
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            unlink(temporaryPath)
            throw CommandFailure("cannot write \(path): \(error.localizedDescription)")
        }
        if force {
            do { try Self.checkTarget(path, force: true) } catch { unlink(temporaryPath); throw error }
            guard rename(temporaryPath, path) == 0 else {
                let error = errno
                unlink(temporaryPath)
                throw Self.failure(error, path)
            }
        } else {
            let linked = link(temporaryPath, path) == 0
            let error = errno
            unlink(temporaryPath)  // the report has its name now (or failed)
            guard linked else { throw Self.failure(error, path) }
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { _ = fsync(fd); close(fd) }
    }

    /// Removes the temporary file: the report failed.
    func discard() {
        guard !finished else { return }
        finished = true
        try? handle.close()
        unlink(temporaryPath)
    }

    /// Writes `data` to `path` atomically (see the type's documentation).
    static func write(_ data: Data, to path: String, force: Bool) throws {
        let file = try ReportOutputFile(path, force: force)
        do {
            try file.handle.write(contentsOf: data)
        } catch {
            file.discard()
            throw CommandFailure("cannot write \(path): \(error.localizedDescription)")
        }
        try file.commit()
    }

    /// Refuses `path` when it exists and `force` is not set, or when it is not a regular file (checked again when the
    /// report is complete; this is to refuse before the work).
    static func checkTarget(_ path: String, force: Bool) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard force else { throw CommandFailure("\(path) exists; add --force to replace it") }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw CommandFailure("\(path) is not a regular file (a link, a directory, a device or a pipe is refused)")
        }
    }

    private static func failure(_ error: Int32, _ path: String) -> CommandFailure {
        if error == EEXIST { return CommandFailure("\(path) exists; add --force to replace it") }
        return CommandFailure("cannot create \(path): \(String(cString: strerror(error)))")
    }
}
