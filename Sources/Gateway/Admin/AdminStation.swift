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
            end(.cardRemoved)  // a new card in the admin reader is not the session's card
        case .cardRemoved(let reader) where reader == adminReader:
            insertion.withLock { $0 = ($0.count + 1, false) }
            end(.cardRemoved)
        case .fault:
            insertion.withLock { $0 = ($0.count + 1, false) }
            end(.fault)
        default:
            break
        }
    }

    /// Ends the session, if any, and records why.
    private func end(_ reason: AdminSessionEnd) {
        guard let ended = session.withLock({ state -> AdminSessionState? in
            defer { state = nil }
            return state
        }) else { return }
        context.logger.notice("administrative session ended", metadata: ["operator": "\(ended.operatorID)", "reason": "\(reason.rawValue)"])
        let history = context.history
        Task {
            await history.append(NewEvent(
                kind: .adminSession, result: .success, actor: ended.operatorID, card: ended.card.hex, place: self.adminReader.map { String($0.prefix(128)) },
                details: EventDetails(reason: "ended: \(reason.rawValue)")))
        }
    }

    /// The open session of `caller`, touched (idle time-out restarts); throws `not-logged-in` when there is none,
    /// when it belongs to another uid, or when its card left or it timed out (then it ends).
    func requireSession(_ caller: Peer, now: Date = Date()) throws(GatewayError) -> AdminSessionState {
        let current = insertion.withLock { $0 }
        var ending: AdminSessionEnd?
        let found = session.withLock { state -> AdminSessionState? in
            guard var open = state else { return nil }
            if open.insertion != current.count || !current.present {
                ending = .cardRemoved
            } else if now.timeIntervalSince(open.lastUsed) >= idle {
                ending = .idle
            } else if now.timeIntervalSince(open.openedAt) >= maximum {
                ending = .maximum
            } else if open.uid != caller.uid {
                return nil
            } else {
                open.lastUsed = now
                state = open
                return open
            }
            return nil
        }
        if let ending {
            end(ending)
            throw GatewayError(.notLoggedIn, "the administrative session ended (\(ending.rawValue)); log in again with cardgate admin login")
        }
        guard let found else {
            let other = session.withLock { $0 }
            if let other, other.uid != caller.uid {
                throw GatewayError(.notLoggedIn, "the admin station's session belongs to another user (uid \(other.uid)); only they can use it, or it ends when the card is pulled")
            }
            throw GatewayError(.notLoggedIn, "not logged in: put your card in the admin reader and run cardgate admin login")
        }
        return found
    }

    /// Opens a session after card and PIN were proven.
    func open(operatorID: String, card: CardGUID, caller: Peer, insertionCount: UInt64, now: Date) throws(GatewayError) -> AdminSessionState {
        try session.withLock { state throws(GatewayError) -> AdminSessionState in
            if let other = state, other.uid != caller.uid, now.timeIntervalSince(other.lastUsed) < idle {
                throw GatewayError(.conflict, "the admin station is in use by another user (uid \(other.uid)); they must log out or pull their card first")
            }
            let opened = AdminSessionState(operatorID: operatorID, card: card, uid: caller.uid, insertion: insertionCount, openedAt: now, lastUsed: now)
            state = opened
            return opened
        }
    }

    /// The current insertion of the admin reader: its count and whether a card is in it.
    var adminInsertion: (count: UInt64, present: Bool) { insertion.withLock { $0 } }

    /// Ends `caller`'s session (logout).
    func logout(_ caller: Peer) throws(GatewayError) -> AdminSessionState {
        let open = try requireSession(caller)
        end(.logout)
        return open
    }

    /// The session's expiry: the earlier of the idle and the maximum time-out.
    func expiry(of state: AdminSessionState) -> Date {
        min(state.lastUsed.addingTimeInterval(idle), state.openedAt.addingTimeInterval(maximum))
    }
}
