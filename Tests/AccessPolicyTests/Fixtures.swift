import AccessPolicy
import Foundation

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

let tokyo = TimeZone(identifier: "Asia/Tokyo")!
let terminalReader = "CardGate T01 00 00"
let cardA = "3F2A00112233445566778899AABBCCDD"
let cardB = "0B0B00112233445566778899AABBCCDD"

func acceptedVerdict(_ operatorID: String = "op-1") -> CardVerdict {
    CardVerdict(genuine: true, cardStatus: .active, operatorID: operatorID, operatorActive: true, allowedOnTerminal: true)
}

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
            case .endSession(_, let reason): return "end-session \(reason.rawValue)"
            }
        }
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
    mutating func insert(_ guid: String = cardA) -> CardPresence {
        let effects = send(.cardInserted(reader: terminalReader, cardGUID: guid))
        guard case .verifyCard(let card)? = effects.last else { fatalError("no verify effect: \(effects)") }
        return card
    }

    /// Inserts a card, accepts it and enters a good PIN.
    mutating func unlock(_ guid: String = cardA) -> CardPresence {
        let card = insert(guid)
        send(.cardVerified(card.id, acceptedVerdict()))
        send(.pinResult(card.id, .good))
        return card
    }
}
