import Foundation
import Vocabulary

/// Where a card is presented, for ``CardUsePolicy/decide(_:at:now:timeZone:)``.
public enum CardPlace: Hashable, Sendable {
    /// A terminal's reader: the holder must be assigned to the terminal.
    case terminal(id: String)
    /// A door reader of `room`, going in or out; entering needs an open grant, leaving does not (nobody is shut in).
    case door(room: String, direction: DoorDirection, roomRequiresPIN: Bool)
    /// The admin station: logging in needs an administrative role; changing one's own PIN is the one act allowed
    /// while the PIN must be changed.
    case adminStation(AdminStationUse)
}

/// What a card is used for at the admin station.
public enum AdminStationUse: Hashable, Sendable {
    /// An administrator opens a session.
    case login
    /// The holder changes their own PIN (allowed while the PIN must be changed).
    case pinChange
}

/// The answer of ``CardUsePolicy/decide(_:at:now:timeZone:)``.
public enum CardUse: Hashable, Sendable {
    /// The card may be used by this operator; `needsPIN` tells whether the holder's PIN must follow.
    case allowed(operatorID: String, needsPIN: Bool)
    /// The card may not be used, for this reason; the holder when known (for the record).
    case refused(CardRefusal, operatorID: String?)

    /// The refusal, if any.
    public var refusal: CardRefusal? {
        if case .refused(let refusal, _) = self { return refusal }
        return nil
    }

    /// The operator concerned, when known.
    public var operatorID: String? {
        switch self {
        case .allowed(let id, _): return id
        case .refused(_, let id): return id
        }
    }
}

/// The one decision about a presented card, used by terminals, doors and the admin station alike: whether the card
/// may be used at this place now. Pure; time and zone come in as arguments.
///
/// Order of the checks (the first that fails is the reason): the check itself (`unavailable`), registration
/// (`unknown-card`), the challenge (`not-genuine`), the card's lifecycle (`revoked`, `suspended`, `blocked`), its
/// expiry (`card-expired`), the forced PIN change (`pin-change-required`, except for a PIN change at the admin
/// station), the holder's record and validity (`operator-inactive`), then the place: terminal assignment, room grant
/// (entering only) or administrative role.
public enum CardUsePolicy {
    /// Decides whether `card` may be used at `place` at `now`; grant hours are read in `timeZone`, and grants that
    /// exclude holidays are closed on `holidays`.
    public static func decide(
        _ card: PresentedCard, at place: CardPlace, now: Date, timeZone: TimeZone, holidays: Set<CivilDate> = []
    ) -> CardUse {
        let record: CardRecord
        switch card.finding {
        case .unavailable: return .refused(.unavailable, operatorID: nil)
        case .unknown: return .refused(.unknownCard, operatorID: nil)
        case .notGenuine(let holder): return .refused(.notGenuine, operatorID: holder)
        case .proven(let found): record = found
        }
        let holderID = record.holderID
        switch record.status {
        case .revoked, .collected, .destroyed: return .refused(.revoked, operatorID: holderID)
        case .suspended: return .refused(.suspended, operatorID: holderID)
        case .blocked: return .refused(.blocked, operatorID: holderID)
        case .issued, .active: break
        }
        guard now < record.expiresAt else { return .refused(.expired, operatorID: holderID) }
        let changingPIN = place == .adminStation(.pinChange)
        if (record.pinMustChange || record.status == .issued) && !changingPIN {
            return .refused(.pinChangeRequired, operatorID: holderID)
        }
        guard let holder = record.holder, holder.id == holderID, holder.isActive(at: now) else {
            return .refused(.operatorInactive, operatorID: holderID)
        }
        switch place {
        case .terminal(let id):
            guard holder.terminals.contains(id) else { return .refused(.notAllowedOnTerminal, operatorID: holderID) }
            return .allowed(operatorID: holderID, needsPIN: true)
        case .door(_, .exit, _):
            return .allowed(operatorID: holderID, needsPIN: false)
        case .door(let room, .entry, let roomRequiresPIN):
            let evaluations = holder.grants.filter { $0.roomID == room && $0.operatorID == holderID }
                .map { ($0, $0.evaluate(at: now, in: timeZone, holidays: holidays)) }
            let open = evaluations.filter { $0.1 == .open }.map(\.0)
            guard !open.isEmpty else { return .refused(closedRefusal(evaluations.map(\.1)), operatorID: holderID) }
            // Stricter wins: one open grant asking for a PIN is enough to ask for it.
            return .allowed(operatorID: holderID, needsPIN: roomRequiresPIN || open.contains { $0.requiresPIN })
        case .adminStation(.login):
            guard holder.administrative else { return .refused(.noAdministrativeRole, operatorID: holderID) }
            return .allowed(operatorID: holderID, needsPIN: true)
        case .adminStation(.pinChange):
            return .allowed(operatorID: holderID, needsPIN: true)
        }
    }

    /// Whether `card`'s holder may escort a visitor into `room` now: an escort grant of theirs for the room is open.
    /// (The card itself must also pass ``decide(_:at:now:timeZone:holidays:)``.)
    public static func mayEscort(
        _ card: PresentedCard, room: String, now: Date, timeZone: TimeZone, holidays: Set<CivilDate> = []
    ) -> Bool {
        guard case .proven(let record) = card.finding, let holder = record.holder else { return false }
        return holder.grants.contains {
            $0.escort && $0.roomID == room && $0.operatorID == holder.id && $0.evaluate(at: now, in: timeZone, holidays: holidays) == .open
        }
    }

    /// The most telling reason when no grant is open: holiday, hours, then not yet valid, then expired, else no grant.
    static func closedRefusal(_ evaluations: [GrantEvaluation]) -> CardRefusal {
        let closures = evaluations.compactMap { evaluation -> GrantClosure? in
            if case .closed(let closure) = evaluation { return closure }
            return nil
        }
        if closures.contains(.holiday) { return .holiday }
        if closures.contains(.outsideHours) { return .outsideHours }
        if closures.contains(.notYetValid) { return .grantNotYetValid }
        if closures.contains(.expired) { return .grantExpired }
        return .noGrant
    }
}
