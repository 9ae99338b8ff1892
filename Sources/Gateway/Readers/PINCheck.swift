import AccessPolicy
import Registry
import Vocabulary

/// Checks a PIN against the registry (scrypt, persisted failure counter) and says it as the policy's result. Blocks
/// (scrypt, SQLite): run it on the gateway's PIN threads.
enum PINCheck {
    /// The result for `pin` on card `guid`. A registry fault is `unavailable` (nothing counted), never "blocked".
    static func run(card guid: CardGUID, pin: PIN, registry: Registry) -> PINResult {
        do {
            switch try registry.pins.verify(card: guid, pin: pin) {
            case .accepted(let mustChange): return mustChange ? .mustChange : .good
            case .rejected(let remaining): return remaining > 0 ? .wrong(attemptsLeft: remaining) : .blocked
            case .blocked: return .blocked
            }
        } catch {
            switch error.code {
            case .pinBlocked: return .blocked
            case .cardRevoked: return .refused(.revoked)
            case .cardExpired: return .refused(.expired)
            case .cardNotUsable: return .refused(.suspended)
            case .operatorNotActive, .unknownOperator: return .refused(.operatorInactive)
            case .unknownCard: return .refused(.unknownCard)
            default: return .unavailable
            }
        }
    }
}
