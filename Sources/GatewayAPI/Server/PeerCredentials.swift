#if canImport(Glibc)
import Glibc
#endif
import CLinux
import Vocabulary

/// Reads who is on the other end of a connected Unix socket from the kernel: `SO_PEERCRED` (uid, gid, pid at
/// connect time) and `SO_PEERGROUPS` (supplementary groups). Nothing the caller sends is trusted for this.
enum PeerCredentials {
    /// The peer of connected socket `fd`, or nil when the kernel does not say (then the connection is refused).
    static func read(_ fd: Int32) -> Peer? {
        #if canImport(Glibc)
        var uid: UInt32 = 0, gid: UInt32 = 0, pid: Int32 = 0
        guard cg_peer_credentials(fd, &uid, &gid, &pid) == 0 else { return nil }
        return Peer(uid: uid, gid: gid, pid: pid, groups: groups(fd) ?? [])
        #else
        return nil
        #endif
    }

    /// The peer's supplementary groups (Linux 4.13+); nil when the kernel does not say.
    private static func groups(_ fd: Int32) -> Set<UInt32>? {
        #if canImport(Glibc)
        let soPeerGroups: Int32 = 59  // SO_PEERGROUPS, <asm-generic/socket.h>
        var capacity = 64
        for _ in 0..<2 {
            var buffer = [gid_t](repeating: 0, count: capacity)
            var length = socklen_t(capacity * MemoryLayout<gid_t>.size)
            let rc = buffer.withUnsafeMutableBytes { getsockopt(fd, SOL_SOCKET, soPeerGroups, $0.baseAddress, &length) }
            if rc == 0 { return Set(buffer.prefix(Int(length) / MemoryLayout<gid_t>.size)) }
            guard errno == ERANGE else { return nil }
            capacity = Int(length) / MemoryLayout<gid_t>.size + 1
        }
        return nil
        #else
        return nil
        #endif
    }
}
