import Foundation
import Vocabulary

/// Where a door's decision stands.
public enum DoorState: Hashable, Sendable {
    /// Nothing pending.
    case idle
    /// A presented card is being verified.
    case verifying(DoorPresentation)
    /// The card is accepted and the holder's PIN is awaited until `deadline`.
    case awaitingPIN(DoorPresentation, use: CardUse, deadline: Date)
}

/// The pure state machine of one door with its entry and exit readers (clause 12).
///
/// | state | input | effects | next state |
/// |---|---|---|---|
/// | any | card presented at a reader of this door | (pending one refused `superseded`) verify card | verifying |
/// | verifying | card decision or room refuses (card, grant, hours, anti-passback) | record `door.refused` + reason | idle |
/// | verifying | the decision needs a PIN | ask PIN with deadline (now + PIN timeout) | awaiting PIN |
/// | verifying | the decision opens | record `door.entry`/`door.exit`, open door | idle |
/// | awaiting PIN | good PIN (decision taken again, with the occupancy of now) | record entry, open door | idle |
/// | awaiting PIN | wrong / blocked PIN | record `door.refused` `pin-wrong` / `pin-blocked` | idle |
/// | awaiting PIN | PIN must be changed / PIN check unavailable | record `door.refused` `pin-change-required` / `unavailable` | idle |
/// | awaiting PIN | now ≥ deadline (any input) | record `door.refused` `pin-timeout` | idle |
/// | verifying, awaiting PIN | reader lost | record `door.refused` `reader-lost` | idle |
/// | any | result for another presentation | nothing (stale) | unchanged |
public struct DoorStateMachine: Sendable {
    /// The door's rules.
    public var configuration: DoorConfiguration
    /// The PC/SC name of the entry (outside) reader, if any.
    public let entryReader: String?
    /// The PC/SC name of the exit (inside) reader, if any.
    public let exitReader: String?
    /// The current state.
    public private(set) var state: DoorState = .idle

    private var presenceCounter: UInt64 = 0

    /// Creates an idle door machine.
    public init(configuration: DoorConfiguration, entryReader: String?, exitReader: String?) {
        self.configuration = configuration
        self.entryReader = entryReader
        self.exitReader = exitReader
    }

    /// The PIN deadline when one is pending; the caller feeds ``DoorInput/tick`` then.
    public var nextDeadline: Date? {
        if case .awaitingPIN(_, _, let deadline) = state { return deadline }
        return nil
    }

    /// The presentation whose PIN is awaited, if any (for `POST /v1/doors/{id}/pin`), with the holder.
    public var pendingPIN: (presentation: DoorPresentation, operatorID: String)? {
        if case .awaitingPIN(let presentation, let use, _) = state, let operatorID = use.operatorID {
            return (presentation, operatorID)
        }
        return nil
    }

    /// Applies one input that happened at `now`, given who is in which room now, and returns the effects in order.
    public mutating func handle(_ input: DoorInput, at now: Date, occupancy: RoomOccupancy) -> [DoorEffect] {
        var effects: [DoorEffect] = []
        if case .awaitingPIN(let presentation, let use, let deadline) = state, now >= deadline {
            effects.append(refuse(presentation, operatorID: use.operatorID, .pinTimeout, at: now))
        }
        effects += apply(input, at: now, occupancy: occupancy)
        return effects
    }

    private mutating func apply(_ input: DoorInput, at now: Date, occupancy: RoomOccupancy) -> [DoorEffect] {
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
            case .idle: break
            case .verifying(let pending): effects.append(refuse(pending, operatorID: nil, .superseded, at: now))
            case .awaitingPIN(let pending, let use, _):
                effects.append(refuse(pending, operatorID: use.operatorID, .superseded, at: now))
            }
            presenceCounter += 1
            let presentation = DoorPresentation(
                card: CardPresence(id: PresenceID(presenceCounter), reader: reader, cardGUID: cardGUID, since: now),
                direction: direction)
            state = .verifying(presentation)
            effects.append(.verifyCard(presentation))
            return effects

        case .cardChecked(let id, let use):
            guard case .verifying(let presentation) = state, presentation.card.id == id else { return [] }
            let decision = DoorPolicy.decide(
                use: use, direction: presentation.direction, door: configuration, occupancy: occupancy, pinVerified: false)
            switch decision {
            case .refuse(let refusal):
                return [refuse(presentation, operatorID: use.operatorID, refusal, at: now)]
            case .requirePIN(let operatorID):
                let deadline = now.adding(configuration.pinTimeout)
                state = .awaitingPIN(presentation, use: use, deadline: deadline)
                return [.askForPIN(presentation, operatorID: operatorID, deadline: deadline)]
            case .open(let operatorID):
                return pass(presentation, operatorID: operatorID, at: now)
            }

        case .pinResult(let id, let result):
            guard case .awaitingPIN(let presentation, let use, _) = state, presentation.card.id == id else { return [] }
            switch result {
            case .good:
                let decision = DoorPolicy.decide(
                    use: use, direction: presentation.direction, door: configuration, occupancy: occupancy, pinVerified: true)
                switch decision {
                case .open(let operatorID): return pass(presentation, operatorID: operatorID, at: now)
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

        case .tick:
            return []

        case .readerLost:
            switch state {
            case .idle: return []
            case .verifying(let pending): return [refuse(pending, operatorID: nil, .readerLost, at: now)]
            case .awaitingPIN(let pending, let use, _):
                return [refuse(pending, operatorID: use.operatorID, .readerLost, at: now)]
            }
        }
    }

    private mutating func pass(_ presentation: DoorPresentation, operatorID: String, at now: Date) -> [DoorEffect] {
        state = .idle
        let kind: DoorEventKind = presentation.direction == .entry ? .entry : .exit
        return [
            .record(event(kind, presentation, operatorID: operatorID, refusal: nil, at: now)),
            .openDoor(doorID: configuration.doorID, for: configuration.openDuration),
        ]
    }

    private mutating func refuse(_ presentation: DoorPresentation, operatorID: String?, _ refusal: DoorRefusal, at now: Date) -> DoorEffect {
        state = .idle
        return .record(event(.refused, presentation, operatorID: operatorID, refusal: refusal, at: now))
    }

    private func event(_ kind: DoorEventKind, _ presentation: DoorPresentation, operatorID: String?, refusal: DoorRefusal?, at now: Date) -> DoorEvent {
        DoorEvent(
            kind: kind, doorID: configuration.doorID, roomID: configuration.roomID, direction: presentation.direction,
            reader: presentation.card.reader, cardGUID: presentation.card.cardGUID, operatorID: operatorID,
            refusal: refusal, at: now)
    }
}
