#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A signed statement "the chain of `year` had, at `sequence`, the head `headHash`, at `time`".
public struct Checkpoint: Sendable, Equatable, Codable {
    /// The year segment the event at `sequence` belongs to.
    public let year: Int
    /// The sequence number of the last event covered.
    public let sequence: Int64
    /// The hash of that event.
    public let headHash: [UInt8]
    /// When it was signed, milliseconds since 1970 UTC.
    public let timeMillis: Int64
    /// Ed25519 signature over `message`.
    public let signature: [UInt8]

    /// What is signed: "cardgate.history.checkpoint.v1" ‖ year u64 ‖ sequence u64 ‖ head hash (u16 len) ‖ time i64.
    static func message(year: Int, sequence: Int64, headHash: [UInt8], timeMillis: Int64) -> [UInt8] {
        var w = ByteWriter()
        w.raw(Array("cardgate.history.checkpoint.v1".utf8))
        w.u64(UInt64(year))
        w.u64(UInt64(sequence))
        w.field(headHash)
        w.i64(timeMillis)
        return w.bytes
    }

    var message: [UInt8] { Self.message(year: year, sequence: sequence, headHash: headHash, timeMillis: timeMillis) }

    static func sign(year: Int, sequence: Int64, headHash: [UInt8], timeMillis: Int64,
                     key: CheckpointSigningKey) throws(HistoryError) -> Checkpoint {
        let sig = try key.sign(message(year: year, sequence: sequence, headHash: headHash, timeMillis: timeMillis))
        return Checkpoint(year: year, sequence: sequence, headHash: headHash, timeMillis: timeMillis, signature: sig)
    }

    /// One line of the copy file: `v1 year sequence head-hex time-ms signature-hex`.
    var copyLine: String {
        "v1 \(year) \(sequence) \(Hex.encode(headHash)) \(timeMillis) \(Hex.encode(signature))\n"
    }

    init(year: Int, sequence: Int64, headHash: [UInt8], timeMillis: Int64, signature: [UInt8]) {
        self.year = year
        self.sequence = sequence
        self.headHash = headHash
        self.timeMillis = timeMillis
        self.signature = signature
    }

    /// Parses a copy-file line; nil if malformed.
    init?(copyLine line: Substring) {
        let f = line.split(separator: " ")
        guard f.count == 6, f[0] == "v1", let y = Int(f[1]), let s = Int64(f[2]), let h = Hex.decode(String(f[3])),
              h.count == 32, let t = Int64(f[4]), let sig = Hex.decode(String(f[5])), sig.count == 64 else { return nil }
        self.init(year: y, sequence: s, headHash: h, timeMillis: t, signature: sig)
    }
}

/// The second copy of checkpoints: a text file, one line per checkpoint, appended and synced.
enum CheckpointCopy {
    static func append(_ checkpoint: Checkpoint, to path: String) throws(HistoryError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw HistoryError(.checkpointCopy, "checkpoint \(checkpoint.sequence) could not be copied to \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let bytes = Array(checkpoint.copyLine.utf8)
        // One write of a short line with O_APPEND: lines of concurrent writers do not interleave.
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard n == bytes.count, fsync(fd) == 0 else {
            throw HistoryError(.checkpointCopy, "checkpoint \(checkpoint.sequence) could not be written to \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Reads every line; a malformed line is reported with its line number.
    static func read(_ path: String) throws(HistoryError) -> [Checkpoint] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HistoryError(.checkpointCopy, "checkpoint copy \(path) cannot be read")
        }
        var out: [Checkpoint] = []
        for (i, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
            guard let c = Checkpoint(copyLine: line) else {
                throw HistoryError(.checkpointCopy, "checkpoint copy \(path) line \(i + 1) is malformed")
            }
            out.append(c)
        }
        return out
    }
}
