import AccessPolicy
import Foundation
import Vocabulary

/// A clock the tests move by hand.
struct FakeClock {
    var now: Date

    init(_ iso: String = "2026-11-23T09:00:00+09:00") { now = instant(iso) }

    mutating func advance(seconds: Double) { now = now.addingTimeInterval(seconds) }
}

/// An instant from an ISO 8601 string with its offset.
func instant(_ iso: String) -> Date {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    guard let date = formatter.date(from: iso) else { fatalError("bad test instant \(iso)") }
    return date
}

/// A card GUID from 32 hex digits known to be valid.
func guid(_ hex: String) -> CardGUID {
    guard let guid = CardGUID(hex: hex) else { fatalError("bad test GUID \(hex)") }
    return guid
}

let tokyo = TimeZone(identifier: "Asia/Tokyo")!
let terminalReader = "CardGate T01 00 00"
let cardA = guid("3F2A00112233445566778899AABBCCDD")
let cardB = guid("0B0B00112233445566778899AABBCCDD")

/// The expiry of the test cards unless a test says otherwise: well after every test instant.
let cardExpiry = instant("2030-01-01T00:00:00+09:00")

// MARK: - Presented cards

/// A holder record; by default enabled, without validity bounds, assigned to `T01`, not administrative, no grants.
func holderRecord(
    _ id: String = "op-1", name: String = "山田 太郎", enabled: Bool = true, validFrom: Date? = nil, validTo: Date? = nil,
    terminals: Set<String> = ["T01"], administrative: Bool = false, grants: [AccessGrant] = []
) -> HolderRecord {
    HolderRecord(
        id: id, name: name, enabled: enabled, validFrom: validFrom, validTo: validTo, terminals: terminals,
        administrative: administrative, grants: grants)
}

/// A card record; by default active, unexpired, PIN changed, held by `holder` (whose id is the record's holder id
/// unless `holderID` says otherwise; a `nil` holder is a missing operator record).
func cardRecord(
    holder: HolderRecord? = holderRecord(), holderID: String? = nil, status: CardStatus = .active,
    expiresAt: Date = cardExpiry, pinMustChange: Bool = false
) -> CardRecord {
    CardRecord(
        holderID: holderID ?? holder?.id ?? "op-1", status: status, expiresAt: expiresAt, pinMustChange: pinMustChange,
        holder: holder)
}

/// A card that answered the challenge with its pinned key.
func proven(_ record: CardRecord = cardRecord(), guid: CardGUID? = cardA) -> PresentedCard {
    PresentedCard(guid: guid, finding: .proven(record))
}

/// A card the check could say nothing about, a card the registry does not know, and a registered card that failed its
/// challenge.
func unavailableCard(guid: CardGUID? = cardA) -> PresentedCard { PresentedCard(guid: guid, finding: .unavailable) }
func unknownCard(guid: CardGUID? = cardA) -> PresentedCard { PresentedCard(guid: guid, finding: .unknown) }
func cloneCard(of holder: String = "op-1", guid: CardGUID? = cardA) -> PresentedCard {
    PresentedCard(guid: guid, finding: .notGenuine(holder: holder))
}

/// The card decision a terminal receives for a card its holder may use there.
func allowedUse(_ operatorID: String = "op-1") -> CardUse { .allowed(operatorID: operatorID, needsPIN: true) }

// MARK: - Terminal

extension Array where Element == TerminalEffect {
    /// The records among the effects.
    var records: [TerminalEvent] {
        compactMap { if case .record(let event) = $0 { return event } else { return nil } }
    }

    /// The effects with their payloads reduced to a name, to assert the order.
    var shape: [String] {
        map {
            switch $0 {
            case .record(let event): return "record \(event.kind.rawValue)" + (event.reason.map { " \($0)" } ?? "")
            case .verifyCard: return "verify"
            case .askForPIN(_, _, let left): return "ask-pin" + (left.map { " \($0)" } ?? "")
            case .runLockCommand: return "lock"
            case .runUnlockCommand: return "unlock"
            case .raiseAlarm(let reason): return "alarm \(reason)"
            case .endSession(_, let reason): return "end-session \(reason.rawValue)"
            }
        }
    }

    /// The session of the unlock command among the effects, if any.
    var unlockSession: TerminalSession? {
        for effect in self { if case .runUnlockCommand(let session) = effect { return session } }
        return nil
    }

    /// The session ended among the effects, if any.
    var endedSession: TerminalSession? {
        for effect in self { if case .endSession(let session, _) = effect { return session } }
        return nil
    }
}

/// A terminal machine driven with a fake clock.
struct TerminalRig {
    var machine = TerminalStateMachine(
        terminalID: "T01", reader: terminalReader,
        policy: TerminalPolicy(idleTimeout: .seconds(600), maximumSession: .seconds(3600)))
    var clock = FakeClock()

    @discardableResult
    mutating func send(_ input: TerminalInput) -> [TerminalEffect] { machine.handle(input, at: clock.now) }

    /// Inserts a card and returns its presence.
    mutating func insert(_ guid: CardGUID? = cardA) -> CardPresence {
        let effects = send(.cardInserted(reader: terminalReader, cardGUID: guid))
        guard case .verifyCard(let card)? = effects.last else { fatalError("no verify effect: \(effects)") }
        return card
    }

    /// Inserts a card and accepts it: the PIN is asked.
    mutating func insertAndAccept(_ guid: CardGUID? = cardA, operatorID: String = "op-1") -> CardPresence {
        let card = insert(guid)
        send(.cardChecked(card.id, allowedUse(operatorID)))
        return card
    }

    /// Inserts a card, accepts it and enters a good PIN: the unlock command runs; returns its session.
    mutating func startUnlocking(_ guid: CardGUID? = cardA) -> TerminalSession {
        let card = insertAndAccept(guid)
        guard let session = send(.pinResult(card.id, .good)).unlockSession else { fatalError("no unlock command") }
        return session
    }

    /// Inserts a card, accepts it, enters a good PIN and reports the unlock command's success.
    mutating func unlock(_ guid: CardGUID? = cardA) -> CardPresence {
        let session = startUnlocking(guid)
        send(.unlockSucceeded(session: session.number))
        return session.card
    }
}

// MARK: - Door

let doorIn = "CardGate Room1 In 00 00"
let doorOut = "CardGate Room1 Out 00 00"

/// Room R1, Monday to Friday 08:00–20:00.
func weekdayGrant(_ operatorID: String = "op-1", requiresPIN: Bool = false, validFrom: CivilDate? = nil, validTo: CivilDate? = nil) -> AccessGrant {
    AccessGrant(
        operatorID: operatorID, roomID: "R1", weekdays: [.monday, .tuesday, .wednesday, .thursday, .friday],
        fromMinute: 8 * 60, toMinute: 20 * 60, validFrom: validFrom, validTo: validTo, requiresPIN: requiresPIN)
}

/// A genuine, active card whose holder has `grants` (by default the weekday grant for R1).
func doorCard(_ operatorID: String = "op-1", status: CardStatus = .active, grants: [AccessGrant]? = nil) -> PresentedCard {
    proven(cardRecord(holder: holderRecord(operatorID, grants: grants ?? [weekdayGrant(operatorID)]), status: status))
}

extension Array where Element == DoorEffect {
    var shape: [String] {
        map {
            switch $0 {
            case .verifyCard: return "verify"
            case .askForPIN: return "ask-pin"
            case .record(let event):
                let reason = event.refusal?.code ?? event.alarm?.rawValue ?? event.visitor.map { "visitor \($0.name)" }
                return "record \(event.kind.rawValue)" + (reason.map { " \($0)" } ?? "")
            case .openDoor(let door, let duration): return "open \(door) \(duration.components.seconds)s"
            case .holdDoor(let door): return "hold \(door)"
            case .secureDoor(let door): return "secure \(door)"
            case .raiseAlarm(let alarm): return "raise \(alarm.rawValue)"
            case .clearAlarm(let alarm): return "clear \(alarm.rawValue)"
            case .askForSecondPerson: return "ask-second"
            }
        }
    }

    var records: [DoorEvent] { compactMap { if case .record(let event) = $0 { return event } else { return nil } } }
}

/// A door machine, its occupancy and a fake clock; recorded events are applied to the occupancy as the daemon would.
/// Cards are decided with ``CardUsePolicy`` at the door's place and in its time zone, as the daemon does.
struct DoorRig {
    var machine: DoorStateMachine
    var occupancy = RoomOccupancy()
    var clock = FakeClock("2026-11-23T10:00:00+09:00")  // a Monday

    /// Holidays for the card decisions.
    var holidays: Set<CivilDate> = []

    init(requiresPIN: Bool = false, antiPassback: Bool = false, twoPerson: Bool = false, occupancyLimit: Int? = nil) {
        machine = DoorStateMachine(
            configuration: DoorConfiguration(
                doorID: "D1", roomID: "R1", openDuration: .seconds(5), pinTimeout: .seconds(30),
                roomRequiresPIN: requiresPIN, antiPassback: antiPassback, timeZone: tokyo, heldOpenAfter: .seconds(30),
                twoPerson: twoPerson, twoPersonWindow: .seconds(30), occupancyLimit: occupancyLimit, visitorWindow: .seconds(60)),
            entryReader: doorIn, exitReader: doorOut)
    }

    @discardableResult
    mutating func send(_ input: DoorInput) -> [DoorEffect] {
        let effects = machine.handle(input, at: clock.now, occupancy: occupancy)
        for event in effects.records { occupancy.apply(event) }
        return effects
    }

    mutating func present(at reader: String, _ guid: CardGUID? = cardA) -> DoorPresentation {
        let effects = send(.cardPresented(reader: reader, cardGUID: guid))
        guard case .verifyCard(let presentation)? = effects.last else { fatalError("no verify: \(effects)") }
        return presentation
    }

    /// The one card decision for `card` presented as `presentation`, at this door, now.
    func use(of card: PresentedCard, for presentation: DoorPresentation) -> CardUse {
        CardUsePolicy.decide(
            card, at: DoorPolicy.place(of: machine.configuration, direction: presentation.direction), now: clock.now,
            timeZone: machine.configuration.timeZone, holidays: holidays)
    }

    /// Feeds the card decision for `card` for `presentation`; returns the effects.
    @discardableResult
    mutating func check(_ presentation: DoorPresentation, _ card: PresentedCard = doorCard()) -> [DoorEffect] {
        let mayEscort = CardUsePolicy.mayEscort(
            card, room: machine.configuration.roomID, now: clock.now, timeZone: machine.configuration.timeZone, holidays: holidays)
        return send(.cardChecked(presentation.card.id, use(of: card, for: presentation), mayEscort: mayEscort))
    }

    /// Presents a card and answers with its decision; returns the effects of the decision.
    @discardableResult
    mutating func pass(at reader: String, _ card: PresentedCard = doorCard()) -> [DoorEffect] {
        let presentation = present(at: reader, card.guid)
        return check(presentation, card)
    }
}
