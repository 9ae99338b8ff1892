import Foundation

/// The outcome of ``DoorPolicy/decide(verdict:direction:door:occupancy:pinVerified:at:)``.
public enum DoorDecision: Hashable, Sendable {
    /// Keep the door shut, for this reason.
    case refuse(DoorRefusal)
    /// Everything holds, but the holder's PIN is needed first.
    case requirePIN(operatorID: String)
    /// Open the door for this operator.
    case open(operatorID: String)
}

/// The pure decision rules of a door (clause 12).
///
/// Entry: the card must be genuine and active, its holder active, a grant for the holder and this room open now
/// (weekdays, hours, validity in the door's time zone), then the PIN if the room or an open grant asks for one, and,
/// with anti-passback, the holder must not already be inside. Exit: the card must be genuine and active and, with
/// anti-passback, the holder must be inside; grant hours and the PIN are not asked on the way out, so that nobody is
/// shut in a room because their hours ended.
public enum DoorPolicy {
    /// Decides what a door does with a verified card.
    ///
    /// - Parameters:
    ///   - pinVerified: `true` when the holder's PIN was just accepted for this presentation.
    public static func decide(
        verdict: DoorCardVerdict, direction: DoorDirection, door: DoorConfiguration, occupancy: RoomOccupancy,
        pinVerified: Bool, at instant: Date
    ) -> DoorDecision {
        if let refusal = cardRefusal(verdict) { return .refuse(refusal) }
        guard let operatorID = verdict.operatorID else { return .refuse(.unknownCard) }

        switch direction {
        case .exit:
            if door.antiPassback && !occupancy.isInside(operatorID, room: door.roomID) { return .refuse(.antiPassback) }
            return .open(operatorID: operatorID)
        case .entry:
            let grants = verdict.grants.filter { $0.operatorID == operatorID && $0.roomID == door.roomID }
            let evaluations = grants.map { ($0, $0.evaluate(at: instant, in: door.timeZone)) }
            let openGrants = evaluations.filter { $0.1 == .open }.map(\.0)
            if openGrants.isEmpty { return .refuse(closedRefusal(evaluations.map(\.1))) }
            if door.antiPassback && occupancy.isInside(operatorID, room: door.roomID) { return .refuse(.antiPassback) }
            // Stricter wins: one open grant asking for a PIN is enough to ask for it.
            let needsPIN = door.roomRequiresPIN || openGrants.contains { $0.requiresPIN }
            if needsPIN && !pinVerified { return .requirePIN(operatorID: operatorID) }
            return .open(operatorID: operatorID)
        }
    }

    /// The refusal a card's own status causes, if any.
    public static func cardRefusal(_ verdict: DoorCardVerdict) -> DoorRefusal? {
        if !verdict.genuine { return .notGenuine }
        switch verdict.cardStatus {
        case .unknown: return .unknownCard
        case .revoked: return .revoked
        case .expired: return .cardExpired
        case .blocked: return .blocked
        case .pinChangeRequired: return .pinChangeRequired
        case .active: break
        }
        guard verdict.operatorID != nil else { return .unknownCard }
        guard verdict.operatorActive else { return .operatorInactive }
        return nil
    }

    /// The most telling reason when no grant is open: hours, then not yet valid, then expired, else no grant.
    private static func closedRefusal(_ evaluations: [GrantEvaluation]) -> DoorRefusal {
        let closures = evaluations.compactMap { evaluation -> GrantClosure? in
            if case .closed(let closure) = evaluation { return closure }
            return nil
        }
        if closures.contains(.outsideHours) { return .outsideHours }
        if closures.contains(.notYetValid) { return .grantNotYetValid }
        if closures.contains(.expired) { return .grantExpired }
        return .noGrant
    }
}
