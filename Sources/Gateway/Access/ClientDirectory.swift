#if canImport(Glibc)
import Glibc
#endif
import Vocabulary

/// The users and groups of one `clients = [...]` list, resolved to numbers at start (an unknown name stops the start
/// with a message naming it).
struct ClientSet: Sendable, Equatable {
    private(set) var uids: Set<UInt32> = []
    private(set) var gids: Set<UInt32> = []

    /// Resolves `rules`; `what` names the list in an error.
    init(_ rules: [ClientRule], what: String) throws(GatewayStartError) {
        for rule in rules {
            switch rule {
            case .uid(let uid): uids.insert(uid)
            case .gid(let gid): gids.insert(gid)
            case .user(let name):
                guard let uid = Self.userID(name) else {
                    throw GatewayStartError(.setup, "\(what): there is no user \"\(name)\" on this machine; create it, or write uid:N")
                }
                uids.insert(uid)
            case .group(let name):
                guard let gid = Self.groupID(name) else {
                    throw GatewayStartError(.setup, "\(what): there is no group \"\(name)\" on this machine; create it, or write gid:N")
                }
                gids.insert(gid)
            }
        }
    }

    /// Whether `peer` is one of the users, or in one of the groups.
    func contains(_ peer: Peer) -> Bool {
        uids.contains(peer.uid) || gids.contains { peer.isMember(of: $0) }
    }

    /// Whether the list names nobody.
    var isEmpty: Bool { uids.isEmpty && gids.isEmpty }

    static func userID(_ name: String) -> UInt32? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        guard getpwnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.pw_uid
    }

    static func groupID(_ name: String) -> UInt32? {
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        guard getgrnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.gr_gid
    }
}
