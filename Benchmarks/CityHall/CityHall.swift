import Foundation
import History

/// A small, fast, deterministic random number generator (SplitMix64), so that a seed and a day always give the same
/// events.
public struct SplitMix: RandomNumberGenerator {
    private var state: UInt64

    /// A generator that starts from `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One event of the simulated city hall, at its time.
public struct TimedEvent: Sendable {
    /// When, in milliseconds since 1970.
    public var millis: Int64
    /// The event.
    public var event: NewEvent
}

/// A city hall's resident-registry office as the gateway records it: 60 terminals, 8 guarded rooms, 400 operators.
///
/// On a working day (Monday to Friday, except 29 December to 3 January) about 85 % of the operators come in; each
/// signs in two to four times at their terminal (card accepted, session started, a few dozen operations, the card
/// pulled), now and then with a wrong PIN first or a refused card; the 120 operators with a room grant enter and leave
/// their room one to three times; the PIN administrator records a few administrative acts. Saturdays carry 5 %
/// of a working day, Sundays and the year-end closure 2 % (on-call work). `scale` multiplies the operators present.
public struct CityHall: Sendable {
    public static let terminals = 60
    public static let rooms = 8
    public static let operators = 400
    public static let operatorsWithRoomGrant = 120
    /// Japan Standard Time, a fixed offset (no daylight saving).
    public static let jstOffsetMillis: Int64 = 9 * 3_600_000

    /// The seed of the day generators.
    public let seed: UInt64
    /// The share of the operators present, relative to a full city hall.
    public let scale: Double

    /// A city hall of `scale` times the full size, its days drawn from `seed`.
    public init(seed: UInt64, scale: Double) {
        self.seed = seed
        self.scale = scale
    }

    /// The id of operator `index` (0-based).
    public static func operatorID(_ index: Int) -> String { String(format: "op%03d", index + 1) }
    /// The card GUID of operator `index`.
    public static func card(_ index: Int) -> String { String(format: "%032X", UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15) }
    /// The terminal id of `index`.
    public static func terminal(_ index: Int) -> String { String(format: "T%02d", index + 1) }
    /// The room id of `index`.
    public static func room(_ index: Int) -> String { "R\(index + 1)" }

    /// The share of a working day's activity on a day (`weekday` 1 = Sunday … 7 = Saturday, as Foundation counts).
    public static func activity(month: Int, day: Int, weekday: Int) -> Double {
        if (month == 12 && day >= 29) || (month == 1 && day <= 3) { return 0.02 }
        switch weekday {
        case 1: return 0.02
        case 7: return 0.05
        default: return 1
        }
    }

    /// The events of one day, in time order. `dayStartMillis` is local midnight (JST) in milliseconds since 1970.
    public func events(dayIndex: Int, dayStartMillis: Int64, activity: Double) -> [TimedEvent] {
        var rng = SplitMix(seed: seed &+ UInt64(dayIndex) &* 0x2545_F491_4F6C_DD1D)
        var out: [TimedEvent] = []
        out.reserveCapacity(Int(25_000 * scale * activity) + 64)
        let minute: Int64 = 60_000
        func at(_ minuteOfDay: Double) -> Int64 { dayStartMillis + Int64(minuteOfDay * Double(minute)) }
        let presence = 0.85 * activity * scale
        for index in 0..<Self.operators where Double.random(in: 0..<1, using: &rng) < presence {
            let actor = Self.operatorID(index), card = Self.card(index)
            let terminal = Self.terminal(index % Self.terminals)
            // Sessions between 8:30 and 17:15, each after the previous one.
            let sessions = Int.random(in: 2...4, using: &rng)
            var clock = 510.0 + Double.random(in: 0..<40, using: &rng)
            let dayEnd = 1035.0
            for _ in 0..<sessions where clock < dayEnd {
                var t = at(clock)
                func add(_ kind: EventKind, _ result: EventResult, _ details: EventDetails = EventDetails(), afterMillis: Int64) {
                    t += afterMillis
                    out.append(TimedEvent(millis: t, event: NewEvent(kind: kind, result: result, actor: actor, card: card, place: terminal, details: details)))
                }
                if Double.random(in: 0..<1, using: &rng) < 0.002 {
                    add(.cardRefused, .denied, EventDetails(reason: "card-expired"), afterMillis: 0)
                    continue
                }
                add(.cardAccepted, .success, afterMillis: 0)
                if Double.random(in: 0..<1, using: &rng) < 0.03 {
                    add(.pinFailed, .failure, EventDetails(retriesLeft: 4), afterMillis: Int64.random(in: 3000...9000, using: &rng))
                }
                add(.sessionStarted, .success, afterMillis: Int64.random(in: 3000...9000, using: &rng))
                let operations = Int.random(in: 8...40, using: &rng)
                for _ in 0..<operations {
                    let record = "resident:" + String(format: "%012d", Int.random(in: 0..<250_000, using: &rng))
                    let action = ["resident.view", "resident.view", "resident.view", "resident.update", "certificate.issue"].randomElement(using: &rng)!
                    add(.operation, .success, EventDetails(operation: action, record: record), afterMillis: Int64.random(in: 15_000...150_000, using: &rng))
                }
                let idle = Double.random(in: 0..<1, using: &rng) < 0.15
                add(.sessionLocked, .success, EventDetails(reason: idle ? "idle-timeout" : "card-removed"),
                    afterMillis: idle ? 600_000 : Int64.random(in: 2000...30_000, using: &rng))
                add(.terminalLocked, .success, EventDetails(reason: idle ? "idle-timeout" : "card-removed"), afterMillis: 40)
                clock = Double(t - dayStartMillis) / Double(minute) + Double.random(in: 10...90, using: &rng)
            }
            // The room: one to three visits, now and then a refusal (anti-passback, outside the granted hours).
            if index < Self.operatorsWithRoomGrant {
                let room = Self.room(index % Self.rooms), door = "D\(index % Self.rooms + 1)"
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    let enter = at(540 + Double.random(in: 0..<460, using: &rng))
                    if Double.random(in: 0..<1, using: &rng) < 0.02 {
                        out.append(TimedEvent(millis: enter, event: NewEvent(kind: .doorRefused, result: .denied, actor: actor, card: card, place: room,
                                                                             details: EventDetails(reason: "anti-passback", door: door))))
                        continue
                    }
                    out.append(TimedEvent(millis: enter, event: NewEvent(kind: .doorEntry, result: .success, actor: actor, card: card, place: room,
                                                                         details: EventDetails(door: door))))
                    let leave = enter + Int64.random(in: 5...90, using: &rng) * minute
                    out.append(TimedEvent(millis: leave, event: NewEvent(kind: .doorExit, result: .success, actor: actor, card: card, place: room,
                                                                         details: EventDetails(door: door))))
                }
            }
        }
        // The PIN administrator's acts and the door contacts' alarms.
        for _ in 0..<Int((4 * activity * scale).rounded()) {
            let index = Int.random(in: 0..<Self.operators, using: &rng)
            out.append(TimedEvent(millis: at(Double.random(in: 540..<1000, using: &rng)),
                                  event: NewEvent(kind: .adminOperator, result: .success, actor: "pinadmin", card: Self.card(index),
                                                  details: EventDetails(reason: "updated", record: Self.operatorID(index)))))
        }
        if Double.random(in: 0..<1, using: &rng) < 0.05 * activity {
            let room = Int.random(in: 0..<Self.rooms, using: &rng)
            out.append(TimedEvent(millis: at(Double.random(in: 540..<1000, using: &rng)),
                                  event: NewEvent(kind: .doorAlarm, result: .failure, place: Self.room(room),
                                                  details: EventDetails(reason: "held-open", door: "D\(room + 1)"))))
        }
        out.sort { $0.millis < $1.millis }
        return out
    }
}
