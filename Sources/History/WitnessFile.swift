#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A witness file: one line per checkpoint, the base64 of its signed note, appended with one `write` and synced.
/// It lives on another file system or host, so whoever can write the database cannot rewrite it. Several
/// installations may share one file: lines of other origins are skipped.
enum WitnessFile {
    /// One line of a witness file.
    struct Line: Sendable {
        /// 1-based line number.
        let number: Int
        /// The checkpoint, or the reason the line is not one.
        let checkpoint: Result<Checkpoint, HistoryError>
    }

    /// How many of the newest lines of this log the check before signing reads.
    static let tailLines = 32

    /// Longest line accepted (a note is at most `SignedNote.maximumBytes`).
    static let maximumLineBytes = SignedNote.maximumBytes * 4 / 3 + 8

    /// The line for a checkpoint.
    static func line(_ checkpoint: Checkpoint) -> String { Base64.encode(Array(checkpoint.note.utf8)) + "\n" }

    /// Appends a checkpoint. The file must exist, unless `create` (a history that has no checkpoint yet):
    /// a missing file then means the witness disk is not mounted, and the act is refused.
    /// Returns the file's stamps just before and just after the line was written (read on the open descriptor) when
    /// the file grew by exactly this line, so that nobody else wrote meanwhile; nil otherwise.
    @discardableResult
    static func append(_ checkpoint: Checkpoint, to path: String, create: Bool) throws(HistoryError) -> (before: Stamp, after: Stamp)? {
        if create { _ = try? SecureFile.createEmpty(path) }
        let fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            throw HistoryError(.witness, "checkpoint \(checkpoint.number) could not be written to the witness file \(path): \(String(cString: strerror(errno))) (is the witness disk mounted?)")
        }
        defer { close(fd) }
        let bytes = Array(line(checkpoint).utf8)
        let before = stamp(fd)
        // One write of one line with O_APPEND: lines of concurrent writers do not interleave.
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard n == bytes.count, fsync(fd) == 0 else {
            throw HistoryError(.witness, "checkpoint \(checkpoint.number) could not be written to the witness file \(path): \(String(cString: strerror(errno)))")
        }
        guard let before, let after = stamp(fd), after.isGrowth(of: before, by: bytes.count) else { return nil }
        return (before, after)
    }

    /// Parses one line; nil for a line of another log (origin differs).
    static func parse(_ text: Substring, number: Int, origin: String) -> Line? {
        parse(bytes: Array(text.utf8)[...], number: number, origin: origin)
    }

    /// ``parse(_:number:origin:)`` of a line given as its bytes (without the newline).
    static func parse(bytes text: ArraySlice<UInt8>, number: Int, origin: String) -> Line? {
        guard text.count <= maximumLineBytes, let bytes = Base64.decode(utf8: text), let note = String(validating: bytes, as: UTF8.self) else {
            return Line(number: number, checkpoint: .failure(HistoryError(.invalidCheckpoint, "line \(number) is not base64 of a checkpoint note")))
        }
        // Another log's line (a shared witness file) is skipped before it is parsed in full.
        let prefix = Array(origin.utf8) + [0x0A]
        guard bytes.count > prefix.count else {
            return Line(number: number, checkpoint: .failure(HistoryError(.invalidCheckpoint, "line \(number) is not a checkpoint note")))
        }
        if !bytes.starts(with: prefix) {
            let firstLine = bytes.prefix { $0 != 0x0A }
            if firstLine.count < bytes.count && SignedNote.isValidKeyName(String(decoding: firstLine, as: UTF8.self)) { return nil }
        }
        do {
            let cp = try Checkpoint(parsing: note)
            return cp.origin == origin ? Line(number: number, checkpoint: .success(cp)) : nil
        } catch {
            return Line(number: number, checkpoint: .failure(HistoryError(.invalidCheckpoint, "line \(number): \(error.description)")))
        }
    }

    /// Every line of this log in the file, in order (for verify). A file that cannot be read is an error.
    static func read(_ path: String, origin: String) throws(HistoryError) -> [Line] {
        let (data, reason) = SecureFile.readRegular(path)
        guard let data else { throw HistoryError(.witness, "the witness file \(path) cannot be read: \(reason)") }
        // Split on the bytes, as ranges into the one buffer (a String split by Character would break 47 MB into
        // graphemes first; a split into Substrings walks String indices).
        var lines: [Range<Int>] = []
        var start = 0
        while let end = data[start...].firstIndex(of: 0x0A) {
            lines.append(start..<end)
            start = end + 1
        }
        let complete = start == data.count
        if !complete { lines.append(start..<data.count) }
        let all = lines
        // Parsed on all cores: a witness file of seven years holds a hundred thousand notes.
        return parallelMap(all.count) { i -> Line? in
            if !complete && i == all.count - 1 {
                return Line(number: i + 1, checkpoint: .failure(HistoryError(.invalidCheckpoint, "line \(i + 1), the last, is not complete")))
            }
            return parse(bytes: data[all[i]], number: i + 1, origin: origin)
        }.compactMap { $0 }
    }

    /// The identity and length of the file, to tell whether it changed since it was last read.
    struct Stamp: Equatable, Sendable {
        let device: UInt64, inode: UInt64, size: Int64, modified: Int64

        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        }

        /// The same file, grown by `bytes` and nothing else.
        func isGrowth(of earlier: Stamp, by bytes: Int) -> Bool {
            device == earlier.device && inode == earlier.inode && size == earlier.size + Int64(bytes)
        }
    }

    static func stamp(_ path: String) -> Stamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Stamp(info)
    }

    /// The stamp of an open file.
    static func stamp(_ fd: Int32) -> Stamp? {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        return Stamp(info)
    }

    /// The newest checkpoints of this log in the file (up to `tailLines`, from the last 64 KiB or more until one is
    /// found), for the check before signing. Lines of this log that do not parse are returned as failures.
    static func tail(_ path: String, origin: String) throws(HistoryError) -> [Line] {
        let (opened, reason) = SecureFile.openRegularForReading(path)
        guard let fd = opened else { throw HistoryError(.witness, "the witness file \(path) cannot be read: \(reason) (is the witness disk mounted?)") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw HistoryError(.witness, "the witness file \(path) cannot be read") }
        let size = Int64(info.st_size)
        var window: Int64 = 64 * 1024
        while true {
            let start = max(0, size - window)
            var buffer = [UInt8](repeating: 0, count: Int(size - start))
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(start)) }
            guard n == buffer.count else { throw HistoryError(.witness, "the witness file \(path) cannot be read") }
            var text = String(decoding: buffer, as: UTF8.self)[...]
            // A window that starts mid-line: drop the partial first line.
            if start > 0, let nl = text.firstIndex(of: "\n") { text = text[text.index(after: nl)...] }
            let complete = text.hasSuffix("\n") ? text : text[..<(text.lastIndex(of: "\n").map { text.index(after: $0) } ?? text.startIndex)]
            // The newest lines of this log are what the check before signing needs: parse from the end, at most
            // `tailLines` of them (a file with several writers may hold them slightly out of order).
            var lines: [Line] = []
            let all = complete.utf8.split(separator: 0x0A).map(Substring.init)
            for (i, text) in all.enumerated().reversed() {
                if let line = parse(text, number: i + 1, origin: origin) { lines.append(line) }
                if lines.count == tailLines { break }
            }
            if !lines.isEmpty || start == 0 { return lines.reversed() }
            window *= 4
        }
    }
}
