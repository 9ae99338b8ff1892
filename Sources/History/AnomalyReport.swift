import Foundation

/// Signs of improper use (clauses 13, 16.4, 22): PIN failure bursts, lockouts, refused revoked, unknown,
/// expired or cloned cards, entries outside granted hours, and entries without an exit.
public struct AnomalyReport: Sendable, Equatable {
    /// What was found.
    public enum Finding: String, Sendable, CaseIterable {
        /// Several wrong PINs for one card or operator within a short window.
        case pinFailureBurst = "pin-failure-burst"
        /// A PIN was locked after too many failures.
        case lockout
        /// A card that is revoked, suspended, expired, unknown or a suspected clone was shown.
        case refusedCard = "refused-card"
        /// A door let someone in outside their granted hours.
        case outsideGrantedHours = "outside-granted-hours"
        /// An entry with no exit recorded afterwards.
        case entryWithoutExit = "entry-without-exit"
    }

    /// One anomaly, pointing at the event that shows it.
    public struct Item: Sendable, Equatable {
        /// What.
        public let finding: Finding
        /// The event's sequence number (the last failure of a burst).
        public let sequence: Int64
        /// When.
        public let time: Date
        /// Who.
        public let actor: String?
        /// Which card.
        public let card: String?
        /// Where.
        public let place: String?
        /// A short explanation.
        public let note: String
    }

    /// Findings in time order.
    public let items: [Item]

    /// Card refusal reasons that count as anomalies.
    public static let suspiciousReasons: Set<String> = ["revoked", "suspended", "expired", "unknown", "clone"]

    /// Analyses events (oldest first). A burst is `burstCount` failed PINs for one card (or operator) within `burstWindow` seconds.
    public init(events: [HistoryEvent], burstCount: Int = 3, burstWindow: TimeInterval = 600) {
        var items: [Item] = []
        var failures: [String: [HistoryEvent]] = [:]
        var inside: [String: HistoryEvent] = [:]
        func item(_ f: Finding, _ e: HistoryEvent, _ note: String) -> Item {
            Item(finding: f, sequence: e.sequence, time: e.time, actor: e.actor, card: e.card, place: e.place, note: note)
        }
        for e in events {
            switch e.kind {
            case .pinFailed:
                let key = e.card ?? e.actor ?? "?"
                var recent = (failures[key] ?? []).filter { e.time.timeIntervalSince($0.time) <= burstWindow }
                recent.append(e)
                if recent.count == burstCount {
                    items.append(item(.pinFailureBurst, e, "\(burstCount) wrong PINs within \(Int(burstWindow / 60)) minutes"))
                }
                failures[key] = recent
            case .pinLocked:
                items.append(item(.lockout, e, "PIN locked; only the PIN administrator can unblock it"))
            case .cardRefused, .doorRefused:
                if let r = e.details.reason, Self.suspiciousReasons.contains(r) {
                    items.append(item(.refusedCard, e, "\(r) card refused"))
                }
            case .doorEntry where e.result == .success:
                if e.details.outsideGrantedHours == true {
                    items.append(item(.outsideGrantedHours, e, "entered outside granted hours"))
                }
                let key = (e.actor ?? e.card ?? "?") + "\u{0}" + (e.place ?? "")
                if let previous = inside[key] {
                    items.append(item(.entryWithoutExit, previous, "entered again at \(HistoryTime.iso(e.time)) without an exit"))
                }
                inside[key] = e
            case .doorExit:
                inside[(e.actor ?? e.card ?? "?") + "\u{0}" + (e.place ?? "")] = nil
            default:
                break
            }
        }
        for e in inside.values {
            items.append(item(.entryWithoutExit, e, "no exit recorded"))
        }
        self.items = items.sorted { ($0.time, $0.sequence) < ($1.time, $1.sequence) }
    }

    /// The event kinds the report reads.
    public static let kinds = ["auth.pin.failed", "auth.pin.locked", "auth.card.refused", "door.*"]

    /// Reads the events of a period from a store and analyses them.
    public static func read(from store: HistoryStore, from: Date?, to: Date?) throws(HistoryError) -> AnomalyReport {
        AnomalyReport(events: try store.events(matching: EventFilter(kinds: kinds, from: from, to: to)))
    }
}
