import Foundation

/// A visitor without a card, let in beside an escort who holds an escort grant (立会い). Only a name and an
/// organisation are kept (clause 8: no personal data beyond what the entry book needs).
public struct Visitor: Hashable, Sendable, Codable {
    /// The visitor's name, as the escort typed it (1–64 characters and at most 128 UTF-8 bytes, no control or format
    /// characters).
    public let name: String
    /// The visitor's organisation (the same limits).
    public let organisation: String

    /// The longest name or organisation accepted, in characters.
    public static let maximumLength = 64
    /// The longest name or organisation accepted, in UTF-8 bytes (what the history keeps in one field).
    public static let maximumBytes = 128

    /// Checks and keeps a visitor's name and organisation (spaces around them trimmed); nil when either is empty, too
    /// long, or holds a control or format character (a line break, a bidirectional override).
    public init?(name: String, organisation: String) {
        func clean(_ text: String) -> String? {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            let forbidden: Set<Unicode.GeneralCategory> = [.control, .format, .lineSeparator, .paragraphSeparator, .unassigned, .surrogate, .privateUse]
            guard (1...Self.maximumLength).contains(trimmed.count), trimmed.utf8.count <= Self.maximumBytes,
                  !trimmed.unicodeScalars.contains(where: { forbidden.contains($0.properties.generalCategory) }) else { return nil }
            return trimmed
        }
        guard let name = clean(name), let organisation = clean(organisation) else { return nil }
        self.name = name
        self.organisation = organisation
    }
}

extension Visitor {
    private enum CodingKeys: String, CodingKey { case name, organisation }

    /// Decodes and checks a visitor; a name or organisation that ``init(name:organisation:)`` refuses fails to decode.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let name = try container.decode(String.self, forKey: .name)
        let organisation = try container.decode(String.self, forKey: .organisation)
        guard let visitor = Visitor(name: name, organisation: organisation) else {
            throw DecodingError.dataCorruptedError(
                forKey: .name, in: container,
                debugDescription: "a visitor's name and organisation must each be 1–\(Self.maximumLength) characters without control characters")
        }
        self = visitor
    }

    /// Encodes the name and organisation.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(organisation, forKey: .organisation)
    }
}
