import Foundation
import Vocabulary

/// The outcome of ``DoorPolicy/decide(use:direction:door:occupancy:pinVerified:)``.
public enum DoorDecision: Hashable, Sendable {
    /// Keep the door shut, for this reason.
    case refuse(DoorRefusal)
    /// Everything holds, but the holder's PIN is needed first.
    case requirePIN(operatorID: String)
    /// Open the door for this operator.
    case open(operatorID: String)
}

/// The pure decision rules of a door (clause 12), on top of the one card decision (``CardUsePolicy``).
///
/// The card decision covers the card, its holder and, going in, an open grant for this room (and whether it asks for
/// the PIN). The door adds the room's own state: with anti-passback the holder must not already be inside to enter,
/// and must be inside to leave; an entry that would take the room beyond its occupancy limit is refused. Grant hours and the PIN are not asked on the way out, so that nobody is shut in a
/// room because their hours ended.
public enum DoorPolicy {
    /// Where a card presented at `door` going `direction` is, for ``CardUsePolicy/decide(_:at:now:timeZone:)``.
    public static func place(of door: DoorConfiguration, direction: DoorDirection) -> CardPlace {
        .door(room: door.roomID, direction: direction, roomRequiresPIN: door.roomRequiresPIN)
    }

    /// Decides what a door does with a checked card.
    ///
    /// - Parameters:
    ///   - use: the card decision for this door and direction.
    ///   - pinVerified: `true` when the holder's PIN was just accepted for this presentation.
    ///   - visitors: visitors entering with this person (they count towards the occupancy limit).
    public static func decide(
        use: CardUse, direction: DoorDirection, door: DoorConfiguration, occupancy: RoomOccupancy, pinVerified: Bool,
        visitors: Int = 0
    ) -> DoorDecision {
        switch use {
        case .refused(let refusal, _):
            return .refuse(.card(refusal))
        case .allowed(let operatorID, let needsPIN):
            let inside = occupancy.isInside(operatorID, room: door.roomID)
            switch direction {
            case .exit:
                if door.antiPassback && !inside { return .refuse(.antiPassback) }
                return .open(operatorID: operatorID)
            case .entry:
                if door.antiPassback && inside { return .refuse(.antiPassback) }
                if needsPIN && !pinVerified { return .requirePIN(operatorID: operatorID) }
                if let limit = door.occupancyLimit, occupancy.count(in: door.roomID) + (inside ? 0 : 1) + visitors > limit {
                    return .refuse(.occupancyLimit)
                }
                return .open(operatorID: operatorID)
            }
        }
    }
}
