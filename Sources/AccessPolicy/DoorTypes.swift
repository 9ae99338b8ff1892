import Foundation
import Vocabulary

/// How one door behaves: the room behind it and the rules of that room.
public struct DoorConfiguration: Hashable, Sendable {
    /// The door's identifier (for example `D1`).
    public var doorID: String
    /// The room it opens (for example `R1`).
    public var roomID: String
    /// How long the actuator keeps the door open.
    public var openDuration: Duration
    /// How long a PIN may take after the card was accepted; default 30 seconds.
    public var pinTimeout: Duration
    /// The room always needs card + PIN to enter.
    public var roomRequiresPIN: Bool
    /// Anti-passback: an entry while already inside, or an exit while not inside, is refused.
    public var antiPassback: Bool
    /// The time zone in which grant hours are read; default Asia/Tokyo.
    public var timeZone: TimeZone

    /// Creates a door configuration.
    public init(
        doorID: String, roomID: String, openDuration: Duration = .seconds(5), pinTimeout: Duration = .seconds(30),
        roomRequiresPIN: Bool = false, antiPassback: Bool = false,
        timeZone: TimeZone = TimeZone(identifier: "Asia/Tokyo")!
    ) {
        self.doorID = doorID
        self.roomID = roomID
        self.openDuration = openDuration
        self.pinTimeout = pinTimeout
        self.roomRequiresPIN = roomRequiresPIN
        self.antiPassback = antiPassback
        self.timeZone = timeZone
    }
}

/// Why a door did not open. The ``code`` is the reason written to the history with `door.refused`.
public enum DoorRefusal: Hashable, Sendable {
    /// The one card decision refused the card (``CardUsePolicy``): status, holder, grant, hours…
    case card(CardRefusal)
    /// The PIN was wrong.
    case pinWrong
    /// The PIN failure blocked the card.
    case pinBlocked
    /// No PIN within the timeout.
    case pinTimeout
    /// Anti-passback: entering while already inside, or leaving while not inside.
    case antiPassback
    /// Another card was presented while this one waited for its PIN.
    case superseded
    /// The door's reader or pcscd went away during the decision.
    case readerLost

    /// The reason code: a ``CardRefusal`` raw value, or `pin-wrong`, `pin-blocked`, `pin-timeout`, `anti-passback`,
    /// `superseded`, `reader-lost`.
    public var code: String {
        switch self {
        case .card(let refusal): refusal.rawValue
        case .pinWrong: "pin-wrong"
        case .pinBlocked: "pin-blocked"
        case .pinTimeout: "pin-timeout"
        case .antiPassback: "anti-passback"
        case .superseded: "superseded"
        case .readerLost: "reader-lost"
        }
    }

    /// Whether the refusal is a fault of the gateway (the registry, a reader, pcscd), not a decision about the person.
    public var isFault: Bool { self == .card(.unavailable) || self == .readerLost }
}

/// A card presented at one of a door's readers.
public struct DoorPresentation: Hashable, Sendable {
    /// The card as seen by the reader.
    public let card: CardPresence
    /// The reader's direction.
    public let direction: DoorDirection
}

/// Something that happened at a door, fed to ``DoorStateMachine/handle(_:at:occupancy:)``.
public enum DoorInput: Hashable, Sendable {
    /// A card was presented at one of the door's readers (its direction comes from the reader).
    case cardPresented(reader: String, cardGUID: CardGUID?)
    /// The one card decision (``CardUsePolicy``) for that presentation, answering ``DoorEffect/verifyCard(_:)``.
    case cardChecked(PresenceID, CardUse)
    /// The result of the PIN check for that presentation.
    case pinResult(PresenceID, PINResult)
    /// The clock moved: checks the PIN timeout.
    case tick
    /// A reader of the door, or pcscd, went away.
    case readerLost
}

/// Something the caller must do, in order, after ``DoorStateMachine/handle(_:at:occupancy:)``.
///
/// If appending a record fails, the caller must not carry out a later ``openDoor(doorID:for:)`` of the same batch,
/// and must not apply the record to the occupancy.
public enum DoorEffect: Hashable, Sendable {
    /// Check the card (challenge, registry, grants for this room, ``CardUsePolicy``) and feed
    /// ``DoorInput/cardChecked(_:_:)``.
    case verifyCard(DoorPresentation)
    /// Ask for the holder's PIN (`POST /v1/doors/{id}/pin`) before `deadline`.
    case askForPIN(DoorPresentation, operatorID: String, deadline: Date)
    /// Append this event to the history; after success, apply it to the ``RoomOccupancy``.
    case record(DoorEvent)
    /// Run the door actuator command to open the door for this long.
    case openDoor(doorID: String, for: Duration)

    /// Whether this effect lets someone in; it must not happen if a record before it failed.
    public var grantsAccess: Bool {
        if case .openDoor = self { return true }
        return false
    }
}

/// What a door event is about; the raw value is the history's event kind.
public enum DoorEventKind: String, Hashable, Sendable, CaseIterable {
    /// Someone entered (recorded before the door opens).
    case entry = "door.entry"
    /// Someone left (recorded before the door opens).
    case exit = "door.exit"
    /// The door stayed shut (with a ``DoorRefusal`` code).
    case refused = "door.refused"
}

/// One history record produced by a door state machine.
public struct DoorEvent: Hashable, Sendable {
    /// The kind.
    public let kind: DoorEventKind
    /// The door.
    public let doorID: String
    /// The room.
    public let roomID: String
    /// The reader's direction.
    public let direction: DoorDirection
    /// The reader.
    public let reader: String
    /// The card, when read.
    public let cardGUID: CardGUID?
    /// The card's holder, when known.
    public let operatorID: String?
    /// For refusals, why.
    public let refusal: DoorRefusal?
    /// When.
    public let at: Date

    /// Creates an event; normally only ``DoorStateMachine`` does this.
    public init(
        kind: DoorEventKind, doorID: String, roomID: String, direction: DoorDirection, reader: String, cardGUID: CardGUID?,
        operatorID: String?, refusal: DoorRefusal?, at: Date
    ) {
        self.kind = kind
        self.doorID = doorID
        self.roomID = roomID
        self.direction = direction
        self.reader = reader
        self.cardGUID = cardGUID
        self.operatorID = operatorID
        self.refusal = refusal
        self.at = at
    }
}
