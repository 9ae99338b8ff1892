import Foundation
import Vocabulary

/// Everything the gateway found out about a card held to a reader: read, challenged against its pinned key, and
/// looked up in the registry. The input of ``CardUsePolicy/decide(_:at:now:timeZone:)``.
public struct PresentedCard: Hashable, Sendable {
    /// How far the check got.
    public enum Finding: Hashable, Sendable {
        /// The card or the registry could not be read (reader fault, mute card, database error).
        case unavailable
        /// The card's GUID is not in the registry.
        case unknown
        /// The card is registered but failed the challenge against its pinned key.
        case notGenuine(holder: String)
        /// The card answered the challenge with its pinned key; this is its registry record.
        case proven(CardRecord)
    }

    /// The GUID read from the card, when it could be read.
    public var guid: CardGUID?
    /// What the check found.
    public var finding: Finding

    /// Creates a presented card.
    public init(guid: CardGUID?, finding: Finding) {
        self.guid = guid
        self.finding = finding
    }

    /// The holder's operator id, when the registry knows the card.
    public var holderID: String? {
        switch finding {
        case .unavailable, .unknown: return nil
        case .notGenuine(let holder): return holder
        case .proven(let record): return record.holderID
        }
    }
}

/// A registered card as the registry describes it at the moment of the check.
public struct CardRecord: Hashable, Sendable {
    /// The operator the card is issued to.
    public var holderID: String
    /// The lifecycle status.
    public var status: CardStatus
    /// The end of validity (exclusive).
    public var expiresAt: Date
    /// The PIN was set by the PIN administrator and the holder must replace it before the card is usable.
    public var pinMustChange: Bool
    /// The holder's record; nil when it is missing.
    public var holder: HolderRecord?

    /// Creates a record.
    public init(holderID: String, status: CardStatus, expiresAt: Date, pinMustChange: Bool, holder: HolderRecord?) {
        self.holderID = holderID
        self.status = status
        self.expiresAt = expiresAt
        self.pinMustChange = pinMustChange
        self.holder = holder
    }
}

/// A card holder's operator record, as far as the decision needs it.
public struct HolderRecord: Hashable, Sendable {
    /// The operator id.
    public var id: String
    /// The display name (UTF-8, Japanese as written).
    public var name: String
    /// Not disabled.
    public var enabled: Bool
    /// First instant of validity, if any.
    public var validFrom: Date?
    /// End of validity (exclusive), if any.
    public var validTo: Date?
    /// The terminals the holder may unlock.
    public var terminals: Set<String>
    /// The holder has a role beyond `operator` (supervisor, administrator, operations manager, PIN administrator).
    public var administrative: Bool
    /// The holder's grants for the room asked about (empty unless a door asked).
    public var grants: [AccessGrant]

    /// Creates a holder record.
    public init(
        id: String, name: String, enabled: Bool, validFrom: Date? = nil, validTo: Date? = nil, terminals: Set<String> = [],
        administrative: Bool = false, grants: [AccessGrant] = []
    ) {
        self.id = id
        self.name = name
        self.enabled = enabled
        self.validFrom = validFrom
        self.validTo = validTo
        self.terminals = terminals
        self.administrative = administrative
        self.grants = grants
    }

    /// Enabled and within the validity period at `instant`.
    public func isActive(at instant: Date) -> Bool {
        enabled && (validFrom.map { instant >= $0 } ?? true) && (validTo.map { instant < $0 } ?? true)
    }
}
