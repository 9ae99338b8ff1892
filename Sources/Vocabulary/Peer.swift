/// Who is on the other end of a local socket, as the kernel reports it (`SO_PEERCRED`, `SO_PEERGROUPS`) — never as
/// the caller claims.
public struct Peer: Sendable, Hashable, CustomStringConvertible {
    /// The caller's user id.
    public let uid: UInt32
    /// The caller's primary group id.
    public let gid: UInt32
    /// The caller's process id when it connected.
    public let pid: Int32
    /// The caller's supplementary groups.
    public let groups: Set<UInt32>

    /// Creates a peer from what the kernel reported.
    public init(uid: UInt32, gid: UInt32, pid: Int32, groups: Set<UInt32>) {
        self.uid = uid
        self.gid = gid
        self.pid = pid
        self.groups = groups
    }

    /// Whether the peer has `gid` as its primary or a supplementary group.
    public func isMember(of gid: UInt32) -> Bool { self.gid == gid || groups.contains(gid) }

    /// `uid 1001 gid 1001 pid 4242`.
    public var description: String { "uid \(uid) gid \(gid) pid \(pid)" }
}

/// One entry of a `clients = [...]` or `supervisors = [...]` list in the configuration: a user or a group, by name or
/// by number.
public enum ClientRule: Sendable, Hashable, CustomStringConvertible {
    /// A user by name (`"kiosk01"`).
    case user(String)
    /// A user by number (`"uid:1001"`).
    case uid(UInt32)
    /// A group by name (`"group:kiosk"`).
    case group(String)
    /// A group by number (`"gid:2001"`).
    case gid(UInt32)

    /// Parses `name`, `uid:N`, `group:name` or `gid:N`; nil for anything else.
    public init?(_ text: String) {
        func name(_ value: Substring) -> String? {
            let allowed = value.utf8.allSatisfy {
                (0x61...0x7A).contains($0) || (0x41...0x5A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E
            }
            return (1...32).contains(value.utf8.count) && allowed && value.first != "-" ? String(value) : nil
        }
        if text.hasPrefix("uid:") {
            guard let number = UInt32(text.dropFirst(4)) else { return nil }
            self = .uid(number)
        } else if text.hasPrefix("gid:") {
            guard let number = UInt32(text.dropFirst(4)) else { return nil }
            self = .gid(number)
        } else if text.hasPrefix("group:") {
            guard let group = name(text.dropFirst(6)) else { return nil }
            self = .group(group)
        } else {
            guard let user = name(Substring(text)) else { return nil }
            self = .user(user)
        }
    }

    /// The configuration form: `name`, `uid:N`, `group:name`, `gid:N`.
    public var description: String {
        switch self {
        case .user(let name): name
        case .uid(let number): "uid:\(number)"
        case .group(let name): "group:\(name)"
        case .gid(let number): "gid:\(number)"
        }
    }
}
