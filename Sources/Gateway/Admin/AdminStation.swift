import AccessPolicy
import CardGateConfig
import Foundation
import GatewayAPI
import History
import Logging
import Registry
import Synchronization
import Vocabulary

/// The admin station, run by the daemon: the administrator's card stays in the `admin` reader for the whole
/// session, the card being issued, checked or reset goes into the `admin-subject` reader. Administrative requests
/// come from the administration socket with the caller the kernel identified.
///
/// The session lives here and nowhere else: it is bound to the caller's uid and to the card staying in the admin
/// reader. Pulling the card ends it at once (lock-on-removal for administrators too), as do the idle and maximum
/// time-outs, logout and a pcscd fault. Roles and separation of duties are checked where the registry lives (the
/// Registry services) and here before anything is read; every act is recorded in the history before it takes effect.
final class AdminStation: Sendable {
    /// What the station hears from the readers.
    enum Signal: Sendable {
        case cardInserted(reader: String)
        case cardRemoved(reader: String)
        case fault
    }

    let context: PlaceContext
    /// The reader the administrator's card stays in.
    let adminReader: String?
    /// The reader of the card being issued, checked or reset.
    let subjectReader: String?
    private let idle: TimeInterval
    private let maximum: TimeInterval
    /// The admin reader's insertions: bumped at every insertion and removal.
    private let insertion = Mutex<(count: UInt64, present: Bool)>((0, false))
    private let session = Mutex<AdminSessionState?>(nil)
    /// Called after every change of the equipment ledger (the readers are checked again).
    let ledgerChanged: @Sendable () async -> Void
    /// Called after a room was added or its rules changed (its doors take the new rules).
    let roomChanged: @Sendable (String) async -> Void
    /// Announces a visitor at a door (`cardgate room visitor`); throws `unknown-door`.
    let announceVisitor: @Sendable (String, Visitor) async throws -> Void

    init(
        context: PlaceContext, ledgerChanged: @escaping @Sendable () async -> Void,
        roomChanged: @escaping @Sendable (String) async -> Void = { _ in },
        announceVisitor: @escaping @Sendable (String, Visitor) async throws -> Void = { door, _ in throw GatewayError.unknownDoor(door) }
    ) {
        self.context = context
        self.ledgerChanged = ledgerChanged
        self.roomChanged = roomChanged
        self.announceVisitor = announceVisitor
        let station = context.configuration.adminStation
        adminReader = station.admin
        subjectReader = station.subject
        idle = context.configuration.admin.sessionIdle.timeInterval
        maximum = context.configuration.admin.sessionMaximum.timeInterval
    }

    /// A reader event or a fault: a change in the admin reader ends the session at once.
    func send(_ signal: Signal) {
        switch signal {
        case .cardInserted(let reader) where reader == adminReader:
            insertion.withLock { $0 = ($0.count + 1, true) }
            end(AdminSessionEnd.cardRemoved)  // a new card in the admin reader is not the session's card
        case .cardRemoved(let reader) where reader == adminReader:
            insertion.withLock { $0 = ($0.count + 1, false) }
            end(AdminSessionEnd.cardRemoved)
        case .fault:
            insertion.withLock { $0 = ($0.count + 1, false) }
            end(AdminSessionEnd.fault)
        default:
            break
        }
    }

    /// Ends the session, if any (only when it is `expected`, if given), and records why, once: `ended: <reason>`.
    func end(_ reason: String, only expected: AdminSessionState? = nil) {
        guard let ended = session.withLock({ state -> AdminSessionState? in
            guard let open = state, expected.map({ $0.isSame(as: open) }) ?? true else { return nil }
            state = nil
            return open
        }) else { return }
        recordEnd(ended, reason: reason)
    }

    /// Logs and records the end of `ended`.
    private func recordEnd(_ ended: AdminSessionState, reason: String) {
        context.logger.notice("administrative session ended", metadata: ["operator": "\(ended.operatorID)", "reason": "\(reason)"])
        let history = context.history
        let place = adminReader.map { String($0.prefix(128)) }
        Task {
            await history.append(NewEvent(
                kind: .adminSession, result: .success, actor: ended.operatorID, card: ended.card.hex, place: place,
                details: EventDetails(reason: String("ended: \(reason)".prefix(EventDetails.maximumTextBytes)))))
        }
    }

    private func end(_ reason: AdminSessionEnd, only expected: AdminSessionState? = nil) {
        end(reason.rawValue, only: expected)
    }

    /// Why `open` can no longer be used at `now`, if it cannot: its card left the admin reader, or a time-out.
    private func staleness(of open: AdminSessionState, now: Date) -> AdminSessionEnd? {
        let current = insertion.withLock { $0 }
        if open.insertion != current.count || !current.present { return .cardRemoved }
        if now.timeIntervalSince(open.lastUsed) >= idle { return .idle }
        if now.timeIntervalSince(open.openedAt) >= maximum { return .maximum }
        return nil
    }

    /// The open session of `caller`, touched (idle time-out restarts); throws `not-logged-in` when there is none,
    /// when it belongs to another uid, or when its card left or it timed out (then it ends). The registry's view of
    /// the card and its holder is checked by the desk (``AdminDesk/checkedSession(_:)``).
    func requireSession(_ caller: Peer, now: Date = Date()) throws(GatewayError) -> AdminSessionState {
        guard let open = session.withLock({ $0 }) else {
            throw GatewayError(.notLoggedIn, "not logged in: put your card in the admin reader and run cardgate admin login")
        }
        if let ending = staleness(of: open, now: now) {
            end(ending, only: open)
            throw GatewayError(.notLoggedIn, "the administrative session ended (\(ending.rawValue)); log in again with cardgate admin login")
        }
        guard open.uid == caller.uid else {
            throw GatewayError(.notLoggedIn, "the admin station's session belongs to another user (uid \(open.uid)); only they can use it, or it ends when the card is pulled")
        }
        let touched = session.withLock { state -> AdminSessionState? in
            guard var current = state, current.isSame(as: open) else { return nil }
            current.lastUsed = now
            state = current
            return current
        }
        guard let touched else {
            throw GatewayError(.notLoggedIn, "the administrative session ended meanwhile; log in again with cardgate admin login")
        }
        return touched
    }

    /// The uid of the user whose live session holds the station, when that is not `caller` (a session that timed out
    /// or lost its card ends here and frees the station).
    func otherUser(than caller: Peer, now: Date = Date()) -> UInt32? {
        guard let open = session.withLock({ $0 }), open.uid != caller.uid else { return nil }
        if let ending = staleness(of: open, now: now) {
            end(ending, only: open)
            return nil
        }
        return open.uid
    }

    /// Opens a session after card and PIN were proven; throws `station-in-use` when another user's live session holds
    /// the station. A session of the same user is replaced (`ended: replaced`).
    func open(operatorID: String, card: CardGUID, caller: Peer, insertionCount: UInt64, now: Date) throws(GatewayError) -> AdminSessionState {
        _ = otherUser(than: caller, now: now)  // ends another user's stale session, freeing the station
        let opened = AdminSessionState(operatorID: operatorID, card: card, uid: caller.uid, insertion: insertionCount, openedAt: now, lastUsed: now)
        let replaced = try session.withLock { state throws(GatewayError) -> AdminSessionState? in
            let previous = state
            if let other = previous, other.uid != caller.uid {
                throw GatewayError(.conflict, "the admin station is in use by another user (uid \(other.uid)); they must log out or pull their card first")
            }
            state = opened
            return previous
        }
        if let replaced {
            recordEnd(replaced, reason: "replaced")
        }
        return opened
    }

    /// Withdraws a session just opened whose login could not be recorded (nothing is recorded for it).
    func withdraw(_ opened: AdminSessionState) {
        session.withLock { state in
            if let open = state, open.isSame(as: opened) { state = nil }
        }
    }

    /// The current insertion of the admin reader: its count and whether a card is in it.
    var adminInsertion: (count: UInt64, present: Bool) { insertion.withLock { $0 } }

    /// Ends `caller`'s session (logout).
    func logout(_ caller: Peer) throws(GatewayError) -> AdminSessionState {
        let open = try requireSession(caller)
        end(.logout, only: open)
        return open
    }

    /// The session's expiry: the earlier of the idle and the maximum time-out.
    func expiry(of state: AdminSessionState) -> Date {
        min(state.lastUsed.addingTimeInterval(idle), state.openedAt.addingTimeInterval(maximum))
    }
}
