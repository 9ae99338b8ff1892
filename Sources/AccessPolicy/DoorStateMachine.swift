import Foundation
import Vocabulary

/// Where a door's decision stands.
public enum DoorState: Hashable, Sendable {
    /// Nothing pending.
    case idle
    /// A presented card is being verified.
    case verifying(DoorPresentation)
    /// The card is accepted and the holder's PIN is awaited until `deadline`.
    case awaitingPIN(DoorPresentation, use: CardUse, mayEscort: Bool, deadline: Date)
    /// Released for evacuation: open and held until restored; cards decide nothing.
    case released(since: Date)
}

/// A person let through by the rules, waiting (in a two-person room) for the second person.
public struct DoorAdmission: Hashable, Sendable {
    /// The card as presented.
    public let presentation: DoorPresentation
    /// The holder.
    public let operatorID: String
    /// Until when the second person may follow.
    public let deadline: Date

    /// Creates an admission.
    public init(presentation: DoorPresentation, operatorID: String, deadline: Date) {
        self.presentation = presentation
        self.operatorID = operatorID
        self.deadline = deadline
    }
}

/// The pure state machine of one door with its entry and exit readers, its contact and its request-to-exit button
/// (clause 12, and the rules of municipal server rooms: 二人制, 立会い, occupancy limits).
///
/// | state | input | effects | next state |
/// |---|---|---|---|
/// | any | card presented at a reader of this door | (pending one refused `superseded`) verify card | verifying |
/// | verifying | card decision or room refuses (card, grant, hours, holiday, anti-passback, occupancy limit) | record `door.refused` + reason | idle |
/// | verifying | the decision needs a PIN | ask PIN with deadline (now + PIN timeout) | awaiting PIN |
/// | verifying, awaiting PIN (good PIN) | the decision opens | see *admission* | idle |
/// | awaiting PIN | wrong / blocked / must change / unavailable | record `door.refused` with the code | idle |
/// | awaiting PIN | now ≥ deadline (any input) | record `door.refused` `pin-timeout` | idle |
/// | idle | contact opens within a passage | the held-open deadline starts | idle |
/// | idle | contact opens with no passage and no request-to-exit | record `door.alarm forced-open`, raise it | idle |
/// | idle | contact open past the held-open deadline | record `door.alarm held-open`, raise it | idle |
/// | idle | contact closes | record `door.alarm.cleared` for each raised alarm, clear it | idle |
/// | idle | request-to-exit | record `door.exit` of an unknown person (unless a card was shown), open | idle |
/// | not released | release | record `door.released`, hold the door open | released |
/// | released | restore | record `door.restored`, secure the door | idle |
///
/// *Admission*: entering with a visitor announced, the holder must have an escort grant (else `not-an-escort`): both
/// entries are recorded, one opening. In a two-person room the first authorised card waits for a second, different
/// one within the window (both recorded, one opening; alone: `two-person-timeout`); leaving when it would leave one
/// person alone inside waits likewise (`two-person-rule`) unless a supervisor's override is pending. An escort's
/// exit takes their visitors out with them. Otherwise: record `door.entry`/`door.exit`, open the door.
public struct DoorStateMachine: Sendable {
    /// The door's rules.
    public var configuration: DoorConfiguration
    /// The PC/SC name of the entry (outside) reader, if any.
    public let entryReader: String?
    /// The PC/SC name of the exit (inside) reader, if any.
    public let exitReader: String?
    /// The current state.
    public private(set) var state: DoorState = .idle
    /// The first person of a two-person passage, waiting for the second.
    public private(set) var waitingForSecond: DoorAdmission?
    /// The door contact reports the door open.
    public private(set) var contactOpen = false
    /// The door controller has reported the contact at least once.
    public private(set) var contactReported = false
    /// The alarms raised and not yet cleared.
    public private(set) var activeAlarms: Set<DoorAlarm> = []
    /// The visitor announced at the door, and until when the escort's card may come.
    public private(set) var announcedVisitor: (visitor: Visitor, until: Date)?

    private var passageUntil: Date?
    private var heldOpenDeadline: Date?
    private var overrideUntil: Date?
    private var lastCardExit: Date?
    private var presenceCounter: UInt64 = 0

    /// How long after a granted passage the door may be opened before an opening counts as forced.
    static let passageGrace: Duration = .seconds(5)

    /// Creates an idle door machine.
    public init(configuration: DoorConfiguration, entryReader: String?, exitReader: String?) {
        self.configuration = configuration
        self.entryReader = entryReader
        self.exitReader = exitReader
    }

    /// The earliest instant at which a ``DoorInput/tick`` would change something (PIN time-out, the second person's
    /// window, the held-open deadline); nil when nothing waits.
    public var nextDeadline: Date? {
        var deadlines: [Date] = []
        if case .awaitingPIN(_, _, _, let deadline) = state { deadlines.append(deadline) }
        if let waiting = waitingForSecond { deadlines.append(waiting.deadline) }
        if contactOpen, let held = heldOpenDeadline, !activeAlarms.contains(.heldOpen) { deadlines.append(held) }
        return deadlines.min()
    }

    /// The presentation whose PIN is awaited, if any (for `POST /v1/doors/{id}/pin`), with the holder.
    public var pendingPIN: (presentation: DoorPresentation, operatorID: String)? {
        if case .awaitingPIN(let presentation, let use, _, _) = state, let operatorID = use.operatorID {
            return (presentation, operatorID)
        }
        return nil
    }

    /// Whether a supervisor's override for the next lone exit is pending at `now`.
    public func overridePending(at now: Date) -> Bool {
        overrideUntil.map { now < $0 } ?? false
    }

    /// Whether the door is released for evacuation.
    public var isReleased: Bool {
        if case .released = state { return true }
        return false
    }

    /// Applies one input that happened at `now`, given who is in which room now, and returns the effects in order.
    public mutating func handle(_ input: DoorInput, at now: Date, occupancy: RoomOccupancy) -> [DoorEffect] {
        var effects = expire(at: now)
        effects += apply(input, at: now, occupancy: occupancy)
        return effects
    }

    // MARK: - Transitions

    private mutating func expire(at now: Date) -> [DoorEffect] {
        var effects: [DoorEffect] = []
        if case .awaitingPIN(let presentation, let use, _, let deadline) = state, now >= deadline {
            effects.append(refuse(presentation, operatorID: use.operatorID, .pinTimeout, at: now))
        }
        if let waiting = waitingForSecond, now >= waiting.deadline {
            waitingForSecond = nil
            let reason: DoorRefusal = waiting.presentation.direction == .entry ? .twoPersonTimeout : .twoPersonRule
            effects.append(.record(event(.refused, waiting.presentation, operatorID: waiting.operatorID, refusal: reason, at: now)))
        }
        if contactOpen, let held = heldOpenDeadline, now >= held, !activeAlarms.contains(.heldOpen) {
            effects += raise(.heldOpen, at: now)
        }
        if let announced = announcedVisitor, now >= announced.until { announcedVisitor = nil }
        if let until = overrideUntil, now >= until { overrideUntil = nil }
        return effects
    }

    private mutating func apply(_ input: DoorInput, at now: Date, occupancy: RoomOccupancy) -> [DoorEffect] {
        if case .released = state {
            return applyWhileReleased(input, at: now)
        }
        switch input {
        case .cardPresented(let reader, let cardGUID):
            let direction: DoorDirection
            if reader == entryReader {
                direction = .entry
            } else if reader == exitReader {
                direction = .exit
            } else {
                return []
            }
            var effects: [DoorEffect] = []
            switch state {
            case .idle, .released: break
            case .verifying(let pending): effects.append(refuse(pending, operatorID: nil, .superseded, at: now))
            case .awaitingPIN(let pending, let use, _, _):
                effects.append(refuse(pending, operatorID: use.operatorID, .superseded, at: now))
            }
            presenceCounter += 1
            let presentation = DoorPresentation(
                card: CardPresence(id: PresenceID(presenceCounter), reader: reader, cardGUID: cardGUID, since: now),
                direction: direction)
            state = .verifying(presentation)
            effects.append(.verifyCard(presentation))
            return effects

        case .cardChecked(let id, let use, let mayEscort):
            guard case .verifying(let presentation) = state, presentation.card.id == id else { return [] }
            let decision = DoorPolicy.decide(
                use: use, direction: presentation.direction, door: configuration, occupancy: occupancy, pinVerified: false,
                visitors: visitorsEntering(presentation))
            switch decision {
            case .refuse(let refusal):
                return [refuse(presentation, operatorID: use.operatorID, refusal, at: now)]
            case .requirePIN:
                let deadline = now.adding(configuration.pinTimeout)
                state = .awaitingPIN(presentation, use: use, mayEscort: mayEscort, deadline: deadline)
                return [.askForPIN(presentation, operatorID: use.operatorID ?? "", deadline: deadline)]
            case .open(let operatorID):
                return admit(presentation, operatorID: operatorID, mayEscort: mayEscort, at: now, occupancy: occupancy)
            }

        case .pinResult(let id, let result):
            guard case .awaitingPIN(let presentation, let use, let mayEscort, _) = state, presentation.card.id == id else { return [] }
            switch result {
            case .good:
                let decision = DoorPolicy.decide(
                    use: use, direction: presentation.direction, door: configuration, occupancy: occupancy, pinVerified: true,
                    visitors: visitorsEntering(presentation))
                switch decision {
                case .open(let operatorID): return admit(presentation, operatorID: operatorID, mayEscort: mayEscort, at: now, occupancy: occupancy)
                case .refuse(let refusal): return [refuse(presentation, operatorID: use.operatorID, refusal, at: now)]
                case .requirePIN: return [refuse(presentation, operatorID: use.operatorID, .pinWrong, at: now)]
                }
            case .mustChange:
                return [refuse(presentation, operatorID: use.operatorID, .card(.pinChangeRequired), at: now)]
            case .unavailable:
                return [refuse(presentation, operatorID: use.operatorID, .card(.unavailable), at: now)]
            case .refused(let refusal):
                return [refuse(presentation, operatorID: use.operatorID, .card(refusal), at: now)]
            case .wrong(let attemptsLeft) where attemptsLeft > 0:
                return [refuse(presentation, operatorID: use.operatorID, .pinWrong, at: now)]
            case .wrong, .blocked:
                return [refuse(presentation, operatorID: use.operatorID, .pinBlocked, at: now)]
            }

        case .contact(let open):
            return contact(open: open, at: now)

        case .requestToExit:
            passageUntil = now.adding(configuration.openDuration + Self.passageGrace)
            if let exit = lastCardExit, now < exit.adding(configuration.openDuration + Self.passageGrace) {
                return [.openDoor(doorID: configuration.doorID, for: configuration.openDuration)]  // the card's exit is recorded
            }
            let exit = DoorEvent(
                kind: .exit, doorID: configuration.doorID, roomID: configuration.roomID, direction: .exit, reader: exitReader ?? "",
                cardGUID: nil, operatorID: nil, refusal: nil, at: now, cause: "request-to-exit")
            return [.record(exit), .openDoor(doorID: configuration.doorID, for: configuration.openDuration)]

        case .visitorAnnounced(let visitor):
            announcedVisitor = (visitor, now.adding(configuration.visitorWindow))
            return []

        case .overrideTwoPerson(let by):
            overrideUntil = now.adding(configuration.twoPersonWindow)
            return [.record(DoorEvent(
                kind: .override, doorID: configuration.doorID, roomID: configuration.roomID, direction: .exit, reader: "",
                cardGUID: nil, operatorID: nil, refusal: nil, at: now, by: by))]

        case .release(let by):
            var effects: [DoorEffect] = []
            switch state {
            case .verifying(let pending): effects.append(refuse(pending, operatorID: nil, .superseded, at: now))
            case .awaitingPIN(let pending, let use, _, _): effects.append(refuse(pending, operatorID: use.operatorID, .superseded, at: now))
            case .idle, .released: break
            }
            waitingForSecond = nil
            announcedVisitor = nil
            state = .released(since: now)
            effects.append(.record(DoorEvent(
                kind: .released, doorID: configuration.doorID, roomID: configuration.roomID, direction: .exit, reader: "",
                cardGUID: nil, operatorID: nil, refusal: nil, at: now, by: by)))
            effects.append(.holdDoor(doorID: configuration.doorID))
            effects += clearAlarms(at: now)
            return effects

        case .restore:
            return []

        case .tick:
            return []

        case .readerLost:
            var effects: [DoorEffect] = []
            switch state {
            case .idle, .released: break
            case .verifying(let pending): effects.append(refuse(pending, operatorID: nil, .readerLost, at: now))
            case .awaitingPIN(let pending, let use, _, _): effects.append(refuse(pending, operatorID: use.operatorID, .readerLost, at: now))
            }
            if let waiting = waitingForSecond {
                waitingForSecond = nil
                effects.append(.record(event(.refused, waiting.presentation, operatorID: waiting.operatorID, refusal: .readerLost, at: now)))
            }
            return effects
        }
    }

    /// While released: cards and buttons change nothing (the door stands open); the contact is followed; restore ends it.
    private mutating func applyWhileReleased(_ input: DoorInput, at now: Date) -> [DoorEffect] {
        switch input {
        case .contact(let open):
            contactOpen = open
            contactReported = true
            return []
        case .restore(let by):
            state = .idle
            passageUntil = nil
            heldOpenDeadline = nil
            return [
                .record(DoorEvent(
                    kind: .restored, doorID: configuration.doorID, roomID: configuration.roomID, direction: .entry, reader: "",
                    cardGUID: nil, operatorID: nil, refusal: nil, at: now, by: by)),
                .secureDoor(doorID: configuration.doorID),
            ]
        default:
            return []
        }
    }

    /// The visitors who would enter with `presentation` (an announced visitor, at the entry reader).
    private func visitorsEntering(_ presentation: DoorPresentation) -> Int {
        presentation.direction == .entry && announcedVisitor != nil ? 1 : 0
    }

    /// The rules passed: the escort, two-person and ordinary passages.
    private mutating func admit(
        _ presentation: DoorPresentation, operatorID: String, mayEscort: Bool, at now: Date, occupancy: RoomOccupancy
    ) -> [DoorEffect] {
        state = .idle
        let room = configuration.roomID
        var visitor: Visitor?
        if presentation.direction == .entry, let announced = announcedVisitor {
            announcedVisitor = nil
            guard mayEscort else { return [refuse(presentation, operatorID: operatorID, .notAnEscort, at: now)] }
            visitor = announced.visitor
        }
        let admission = DoorAdmission(presentation: presentation, operatorID: operatorID, deadline: now.adding(configuration.twoPersonWindow))
        if configuration.twoPerson {
            let needsSecond: Bool
            switch presentation.direction {
            case .entry:
                needsSecond = true
            case .exit:
                // Leaving would leave exactly one person with a card alone inside.
                let inside = occupancy.occupants(of: room).map(\.operatorID)
                needsSecond = inside.contains(operatorID) && inside.count == 2
                if needsSecond, let until = overrideUntil, now < until {
                    overrideUntil = nil
                    return pass([admission], visitor: nil, at: now, occupancy: occupancy)
                }
            }
            if needsSecond {
                if let first = waitingForSecond, first.presentation.direction == presentation.direction, now < first.deadline {
                    guard first.operatorID != operatorID else {
                        return [refuse(presentation, operatorID: operatorID, .twoPersonSamePerson, at: now)]
                    }
                    waitingForSecond = nil
                    return pass([first, admission], visitor: visitor, at: now, occupancy: occupancy)
                }
                var effects: [DoorEffect] = []
                if let earlier = waitingForSecond {
                    // A first person going the other way is replaced.
                    effects.append(.record(event(.refused, earlier.presentation, operatorID: earlier.operatorID, refusal: .superseded, at: now)))
                }
                waitingForSecond = admission
                if let visitor { announcedVisitor = (visitor, now.adding(configuration.visitorWindow)) }
                effects.append(.askForSecondPerson(presentation, operatorID: operatorID, deadline: admission.deadline))
                return effects
            }
        }
        return pass([admission], visitor: visitor, at: now, occupancy: occupancy)
    }

    /// Records every passage (with the visitor entering, or the escorts' visitors leaving), then one opening.
    private mutating func pass(_ admissions: [DoorAdmission], visitor: Visitor?, at now: Date, occupancy: RoomOccupancy) -> [DoorEffect] {
        var effects: [DoorEffect] = []
        for admission in admissions {
            let kind: DoorEventKind = admission.presentation.direction == .entry ? .entry : .exit
            effects.append(.record(event(kind, admission.presentation, operatorID: admission.operatorID, refusal: nil, at: now)))
            if kind == .exit {
                lastCardExit = now
                for leaving in occupancy.visitors(of: admission.operatorID, in: configuration.roomID) {
                    effects.append(.record(event(.exit, admission.presentation, operatorID: admission.operatorID, refusal: nil, at: now, visitor: leaving)))
                }
            }
        }
        if let visitor, let escort = admissions.last {
            effects.append(.record(event(.entry, escort.presentation, operatorID: escort.operatorID, refusal: nil, at: now, visitor: visitor)))
        }
        passageUntil = now.adding(configuration.openDuration + Self.passageGrace)
        effects.append(.openDoor(doorID: configuration.doorID, for: configuration.openDuration))
        return effects
    }

    /// The door contact changed.
    private mutating func contact(open: Bool, at now: Date) -> [DoorEffect] {
        let first = !contactReported
        contactReported = true
        guard open != contactOpen || (first && open) else { return [] }
        contactOpen = open
        if open {
            if let until = passageUntil, now <= until {
                heldOpenDeadline = now.adding(configuration.heldOpenAfter)
                return []
            }
            return raise(.forcedOpen, at: now)
        }
        heldOpenDeadline = nil
        passageUntil = nil
        return clearAlarms(at: now)
    }

    private mutating func raise(_ alarm: DoorAlarm, at now: Date) -> [DoorEffect] {
        guard activeAlarms.insert(alarm).inserted else { return [] }
        return [.record(alarmEvent(.alarm, alarm, at: now)), .raiseAlarm(alarm)]
    }

    private mutating func clearAlarms(at now: Date) -> [DoorEffect] {
        let cleared = activeAlarms.sorted { $0.rawValue < $1.rawValue }
        activeAlarms = []
        return cleared.flatMap { [DoorEffect.record(alarmEvent(.alarmCleared, $0, at: now)), .clearAlarm($0)] }
    }

    private func alarmEvent(_ kind: DoorEventKind, _ alarm: DoorAlarm, at now: Date) -> DoorEvent {
        DoorEvent(
            kind: kind, doorID: configuration.doorID, roomID: configuration.roomID, direction: .entry, reader: "", cardGUID: nil,
            operatorID: nil, refusal: nil, at: now, alarm: alarm)
    }

    private mutating func refuse(_ presentation: DoorPresentation, operatorID: String?, _ refusal: DoorRefusal, at now: Date) -> DoorEffect {
        state = .idle
        return .record(event(.refused, presentation, operatorID: operatorID, refusal: refusal, at: now))
    }

    private func event(
        _ kind: DoorEventKind, _ presentation: DoorPresentation, operatorID: String?, refusal: DoorRefusal?, at now: Date,
        visitor: Visitor? = nil
    ) -> DoorEvent {
        DoorEvent(
            kind: kind, doorID: configuration.doorID, roomID: configuration.roomID, direction: presentation.direction,
            reader: presentation.card.reader, cardGUID: presentation.card.cardGUID, operatorID: operatorID,
            refusal: refusal, at: now, visitor: visitor)
    }
}
