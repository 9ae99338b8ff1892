/// The daemon's answer to an administrative request: what the command prints for a person, and the JSON document it
/// prints with `--json` (the same documents as before the daemon did the work).
public struct AdminReply: Codable, Sendable, Equatable {
    /// Lines for a person (UTF-8; Japanese names as they are).
    public var text: String
    /// The JSON document for `--json`, when the command has one.
    public var json: String?

    /// Creates a reply.
    public init(text: String, json: String? = nil) {
        self.text = text
        self.json = json
    }
}
