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
    /// A door open longer than this after a granted passage raises the held-open alarm; default 30 seconds.
    public var heldOpenAfter: Duration
    /// The room needs two different authorised people (二人制): nobody enters alone, and the last-but-one does not
    /// leave while one remains inside (unless a supervisor overrides).
    public var twoPerson: Bool
    /// How long the second person of a two-person entry or exit may take; default 30 seconds.
    public var twoPersonWindow: Duration
    /// The most people (visitors included) the room may hold; nil for no limit.
    public var occupancyLimit: Int?
    /// How long a visitor announced at the door waits for the escort's card; default 60 seconds.
    public var visitorWindow: Duration

    /// Creates a door configuration.
    public init(
        doorID: String, roomID: String, openDuration: Duration = .seconds(5), pinTimeout: Duration = .seconds(30),
        roomRequiresPIN: Bool = false, antiPassback: Bool = false,
        timeZone: TimeZone = TimeZone(identifier: "Asia/Tokyo")!, heldOpenAfter: Duration = .seconds(30),
        twoPerson: Bool = false, twoPersonWindow: Duration = .seconds(30), occupancyLimit: Int? = nil,
        visitorWindow: Duration = .seconds(60)
    ) {
        self.doorID = doorID
        self.roomID = roomID
        self.openDuration = openDuration
        self.pinTimeout = pinTimeout
        self.roomRequiresPIN = roomRequiresPIN
        self.antiPassback = antiPassback
        self.timeZone = timeZone
        self.heldOpenAfter = heldOpenAfter
        self.twoPerson = twoPerson
        self.twoPersonWindow = twoPersonWindow
        self.occupancyLimit = occupancyLimit
        self.visitorWindow = visitorWindow
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
    /// The room holds as many people as it may.
    case occupancyLimit
    /// A two-person room: no second authorised person followed within the window.
    case twoPersonTimeout
    /// A two-person room: the second card was the first person's own.
    case twoPersonSamePerson
    /// A two-person room: leaving would leave one person alone inside (and nobody followed within the window).
    case twoPersonRule
    /// A visitor was announced, but the card's holder has no escort grant open now.
    case notAnEscort

    /// The reason code: a ``CardRefusal`` raw value, or `pin-wrong`, `pin-blocked`, `pin-timeout`, `anti-passback`,
    /// `superseded`, `reader-lost`, `occupancy-limit`, `two-person-timeout`, `two-person-same-person`,
    /// `two-person-rule`, `not-an-escort`.
    public var code: String {
        switch self {
        case .card(let refusal): refusal.rawValue
        case .pinWrong: "pin-wrong"
        case .pinBlocked: "pin-blocked"
        case .pinTimeout: "pin-timeout"
        case .antiPassback: "anti-passback"
        case .superseded: "superseded"
        case .readerLost: "reader-lost"
        case .occupancyLimit: "occupancy-limit"
        case .twoPersonTimeout: "two-person-timeout"
        case .twoPersonSamePerson: "two-person-same-person"
        case .twoPersonRule: "two-person-rule"
        case .notAnEscort: "not-an-escort"
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
    /// The one card decision (``CardUsePolicy``) for that presentation, answering ``DoorEffect/verifyCard(_:)``;
    /// `mayEscort` tells whether the holder has an escort grant open now (``CardUsePolicy/mayEscort(_:room:now:timeZone:holidays:)``).
    case cardChecked(PresenceID, CardUse, mayEscort: Bool = false)
    /// The result of the PIN check for that presentation.
    case pinResult(PresenceID, PINResult)
    /// The door contact reports the door open or closed (the door controller).
    case contact(open: Bool)
    /// The request-to-exit button was pressed inside.
    case requestToExit
    /// A visitor without a card is announced at the door (its client, or the admin station): the next card with an
    /// escort grant lets both in.
    case visitorAnnounced(Visitor)
    /// A supervisor lets the next exit of a two-person room pass alone (`by`: who, for the record).
    case overrideTwoPerson(by: String)
    /// Fire and evacuation: the door is opened and held until ``restore(by:)`` (`by`: who, for the record).
    case release(by: String)
    /// The end of a release: the door is secured again.
    case restore(by: String)
    /// The clock moved: checks the PIN, two-person and held-open deadlines.
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
    /// Open the door and hold it open (fire release).
    case holdDoor(doorID: String)
    /// Secure the door again (the end of a release).
    case secureDoor(doorID: String)
    /// Raise this alarm (the alarm command, the event stream, the alarm list).
    case raiseAlarm(DoorAlarm)
    /// This alarm is over (the door closed).
    case clearAlarm(DoorAlarm)
    /// Tell the door's client that a second person must present their card before `deadline` (two-person rooms).
    case askForSecondPerson(DoorPresentation, operatorID: String, deadline: Date)

    /// Whether this effect lets someone in; it must not happen if a record before it failed. A fire release's
    /// ``holdDoor(doorID:)`` is egress, not access: it happens even when its record failed.
    public var grantsAccess: Bool {
        switch self {
        case .openDoor: return true
        default: return false
        }
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
    /// A door alarm was raised (forced open, held open).
    case alarm = "door.alarm"
    /// A door alarm is over (the door closed).
    case alarmCleared = "door.alarm.cleared"
    /// A supervisor let the next exit of a two-person room pass alone.
    case override = "door.override"
    /// The door was released for evacuation (opened and held).
    case released = "door.released"
    /// The release ended: the door is secured again.
    case restored = "door.restored"
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
    /// The visitor who entered or left beside the escort (`operatorID`), for a visitor's entry or exit.
    public let visitor: Visitor?
    /// The alarm, for `door.alarm` and `door.alarm.cleared`.
    public let alarm: DoorAlarm?
    /// Who asked, for an override, a release or a restore (the caller's uid as the API saw it).
    public let by: String?
    /// What caused a passage other than a card, for the record: `request-to-exit`.
    public let cause: String?

    /// Creates an event; normally only ``DoorStateMachine`` does this.
    public init(
        kind: DoorEventKind, doorID: String, roomID: String, direction: DoorDirection, reader: String, cardGUID: CardGUID?,
        operatorID: String?, refusal: DoorRefusal?, at: Date, visitor: Visitor? = nil, alarm: DoorAlarm? = nil, by: String? = nil,
        cause: String? = nil
    ) {
        self.cause = cause
        self.visitor = visitor
        self.alarm = alarm
        self.by = by
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
