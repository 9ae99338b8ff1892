import Crypto
import Foundation

/// SHA-256 of some bytes, as a 32-byte array.
func sha256<D: DataProtocol>(_ data: D) -> [UInt8] { Array(SHA256.hash(data: data)) }

/// SHA-256 of two byte strings one after the other, without joining them first.
func sha256Pair(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
    var h = SHA256()
    h.update(data: a)
    h.update(data: b)
    return Array(h.finalize())
}

/// SHA-256 of a regular file, read in 1 MiB blocks. Opened without waiting and checked with `fstat` on the
/// descriptor (`SecureFile.openRegularForReading`): a FIFO swapped in after a path check cannot block the caller.
func sha256(fileAt path: String) throws(HistoryError) -> [UInt8] {
    let (opened, reason) = SecureFile.openRegularForReading(path)
    guard let fd = opened else { throw HistoryError(.archive, "cannot open \(path) to compute its digest: \(reason)") }
    let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
    defer { close(fd) }
    var h = SHA256()
    while true {
        let chunk: Data
        do { chunk = try handle.read(upToCount: 1 << 20) ?? Data() } catch {
            throw HistoryError(.archive, "cannot read \(path): \(error)")
        }
        if chunk.isEmpty { break }
        h.update(data: chunk)
    }
    return Array(h.finalize())
}

/// Constant-time equality of two byte arrays (digests and signatures).
func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var diff: UInt8 = 0
    for i in 0..<a.count { diff |= a[i] ^ b[i] }
    return diff == 0
}
