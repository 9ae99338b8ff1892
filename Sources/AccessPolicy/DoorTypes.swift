import Foundation

/// Which way a door reader lets people through.
public enum DoorDirection: String, Hashable, Sendable, CaseIterable {
    /// Into the room (`in` in the configuration).
    case entry = "in"
    /// Out of the room (`out` in the configuration).
    case exit = "out"
}

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

/// What the caller found out about a card presented at a door reader.
public struct DoorCardVerdict: Hashable, Sendable {
    /// The card answered the challenge with its pinned key.
    public var genuine: Bool
    /// The card's lifecycle status.
    public var cardStatus: CardStatus
    /// The card's holder, if known.
    public var operatorID: String?
    /// The holder's operator record is active.
    public var operatorActive: Bool
    /// The holder's grants for this door's room (others are ignored).
    public var grants: [AccessGrant]

    /// Creates a verdict.
    public init(genuine: Bool, cardStatus: CardStatus, operatorID: String?, operatorActive: Bool, grants: [AccessGrant]) {
        self.genuine = genuine
        self.cardStatus = cardStatus
        self.operatorID = operatorID
        self.operatorActive = operatorActive
        self.grants = grants
    }
}

/// Why a door did not open. The raw value is the reason code written to the history with `door.refused`.
public enum DoorRefusal: String, Hashable, Sendable, CaseIterable {
    /// The card is not in the registry, or its identifier could not be read.
    case unknownCard = "unknown-card"
    /// The card is revoked.
    case revoked = "revoked"
    /// The card failed the challenge (a clone, a mute or foreign card).
    case notGenuine = "not-genuine"
    /// The card is blocked.
    case blocked = "blocked"
    /// The card is past its expiry date.
    case cardExpired = "card-expired"
    /// The holder has not replaced the initial PIN yet.
    case pinChangeRequired = "pin-change-required"
    /// The holder's operator record is not active.
    case operatorInactive = "operator-inactive"
    /// No grant for this operator and room.
    case noGrant = "no-grant"
    /// Grants exist but none is open at this weekday and hour.
    case outsideHours = "outside-hours"
    /// Every grant has expired.
    case grantExpired = "grant-expired"
    /// No grant is valid yet.
    case grantNotYetValid = "grant-not-yet-valid"
    /// The PIN was wrong.
    case pinWrong = "pin-wrong"
    /// The PIN failure blocked the card.
    case pinBlocked = "pin-blocked"
    /// No PIN within the timeout.
    case pinTimeout = "pin-timeout"
    /// Anti-passback: entering while already inside, or leaving while not inside.
    case antiPassback = "anti-passback"
    /// Another card was presented while this one waited for its PIN.
    case superseded = "superseded"
    /// The door's reader or pcscd went away during the decision.
    case readerLost = "reader-lost"
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
    case cardPresented(reader: String, cardGUID: String?)
    /// The verdict for that presentation, answering ``DoorEffect/verifyCard(_:)``.
    case cardVerified(PresenceID, DoorCardVerdict)
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
    /// Verify the card (challenge, registry, grants for this room) and feed ``DoorInput/cardVerified(_:_:)``.
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
    public let cardGUID: String?
    /// The card's holder, when known.
    public let operatorID: String?
    /// For refusals, why.
    public let refusal: DoorRefusal?
    /// When.
    public let at: Date

    /// Creates an event; normally only ``DoorStateMachine`` does this.
    public init(
        kind: DoorEventKind, doorID: String, roomID: String, direction: DoorDirection, reader: String, cardGUID: String?,
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
