/// What a reader is used for, from the configuration.
///
/// On the wire: `{"kind":"admin"}`, `{"kind":"admin-subject"}`, `{"kind":"terminal","terminal":"T01"}` or
/// `{"kind":"door","door":"D1","room":"R1","direction":"in"}`.
public enum ReaderRole: Hashable, Sendable, Codable {
    /// The administrator's own card stays here during an administrative session (the admin station).
    case admin
    /// The admin station's second reader: the card being issued, checked or reset.
    case adminSubject
    /// The reader of terminal `id`.
    case terminal(id: String)
    /// One side of a room door.
    case door(id: String, room: String, direction: DoorDirection)

    /// Whether the reader belongs to the admin station.
    public var isAdminStation: Bool {
        switch self {
        case .admin, .adminSubject: return true
        case .terminal, .door: return false
        }
    }

    enum CodingKeys: String, CodingKey { case kind, terminal, door, room, direction }

    /// Decodes the tagged object form.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .kind) {
        case "admin": self = .admin
        case "admin-subject": self = .adminSubject
        case "terminal": self = .terminal(id: try container.decode(String.self, forKey: .terminal))
        case "door":
            self = .door(
                id: try container.decode(String.self, forKey: .door), room: try container.decode(String.self, forKey: .room),
                direction: try container.decode(DoorDirection.self, forKey: .direction))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "unknown reader role kind \(other)")
        }
    }

    /// Encodes the tagged object form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .admin:
            try container.encode("admin", forKey: .kind)
        case .adminSubject:
            try container.encode("admin-subject", forKey: .kind)
        case .terminal(let id):
            try container.encode("terminal", forKey: .kind)
            try container.encode(id, forKey: .terminal)
        case .door(let id, let room, let direction):
            try container.encode("door", forKey: .kind)
            try container.encode(id, forKey: .door)
            try container.encode(room, forKey: .room)
            try container.encode(direction, forKey: .direction)
        }
    }
}
