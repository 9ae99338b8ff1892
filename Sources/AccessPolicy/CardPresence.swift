import Foundation
import Vocabulary

/// Identifies one insertion (or presentation) of a card, assigned by the state machine that saw it.
///
/// Results that the caller computes later (a card check, a PIN result) carry this identifier back, so a result
/// that belongs to a card that has since been pulled — even if the same card was put back — is recognised as stale
/// and ignored.
public struct PresenceID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The sequence number, increasing within one state machine.
    public let rawValue: UInt64

    /// Wraps a sequence number.
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    public static func < (lhs: PresenceID, rhs: PresenceID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "#\(rawValue)" }
}

/// A card sitting in (or held to) a reader, as the state machine knows it.
public struct CardPresence: Hashable, Sendable {
    /// This insertion's identifier; results for it must quote it.
    public let id: PresenceID
    /// The PC/SC name of the reader the card is in.
    public let reader: String
    /// The card's identifier as read from the card, or `nil` when it could not be read.
    public let cardGUID: CardGUID?
    /// When the card was inserted.
    public let since: Date

    /// Creates a presence; normally only the state machines do this.
    public init(id: PresenceID, reader: String, cardGUID: CardGUID?, since: Date) {
        self.id = id
        self.reader = reader
        self.cardGUID = cardGUID
        self.since = since
    }
}
