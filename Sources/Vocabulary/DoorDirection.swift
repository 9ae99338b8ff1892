/// Which way a door reader lets people through. On the wire and in the configuration: `in`, `out`.
public enum DoorDirection: String, Hashable, Sendable, Codable, CaseIterable {
    /// Into the room (`in`): a `door.entry`.
    case entry = "in"
    /// Out of the room (`out`): a `door.exit`.
    case exit = "out"
}
