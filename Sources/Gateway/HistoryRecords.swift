import AccessPolicy
import Foundation
import History
import Vocabulary

/// How the policy's events are written to the history (the kinds are mapped onto the closed ``EventKind`` list).
///
/// | AccessPolicy | history kind |
/// |---|---|
/// | `auth.card.accepted` / `auth.card.refused` | the same (a refusal for `unavailable` is a `failure`, else `denied`) |
/// | `auth.pin.wrong` | `auth.pin.failed` (with `retriesLeft`) |
/// | `auth.pin.blocked` | `auth.pin.locked` |
/// | `auth.unavailable` | the same (`failure`) |
/// | `session.start` | `session.started` |
/// | `session.end` | `session.ended` for a manual lock, else `session.locked` (reason) |
/// | `terminal.lock` | `session.terminal-locked` (reason) |
/// | `terminal.lock-failed` | `session.lock-failed` (`failure`) |
/// | `terminal.reader-ready` | `system.notice` (reason `reader-ready`) |
/// | `door.entry` / `door.exit` / `door.refused` | the same; place is the room, the door a detail; a visitor's name and organisation are details |
/// | `door.alarm` / `door.alarm.cleared` | the same (`failure` / `success`), reason `forced-open` or `held-open` |
/// | `door.override` / `door.released` / `door.restored` | the same; the actor is the client (`uid:N`) |
enum HistoryRecords {
    /// The history event of a terminal event.
    static func event(_ event: TerminalEvent) -> NewEvent {
        let kind: EventKind
        let result: EventResult
        switch event.kind {
        case .cardAccepted: (kind, result) = (.cardAccepted, .success)
        case .cardRefused: (kind, result) = (.cardRefused, event.reason == CardRefusal.unavailable.rawValue ? .failure : .denied)
        case .pinWrong: (kind, result) = (.pinFailed, .failure)
        case .pinBlocked: (kind, result) = (.pinLocked, .failure)
        case .pinUnavailable: (kind, result) = (.authUnavailable, .failure)
        case .sessionStart: (kind, result) = (.sessionStarted, .success)
        case .sessionEnd: (kind, result) = (event.reason == LockReason.manual.rawValue ? .sessionEnded : .sessionLocked, .success)
        case .terminalLock: (kind, result) = (.terminalLocked, .success)
        case .lockFailed: (kind, result) = (.terminalLockFailed, .failure)
        case .readerReady: (kind, result) = (.systemNotice, .success)
        }
        let reason = event.kind == .readerReady ? "reader-ready" : event.reason
        return NewEvent(
            kind: kind, result: result, actor: event.operatorID, card: event.cardGUID?.hex, place: event.terminalID,
            details: EventDetails(
                reason: reason, session: event.sessionNumber.map { sessionID(terminal: event.terminalID, number: $0) },
                retriesLeft: event.kind == .pinWrong ? event.attemptsLeft : nil))
    }

    /// The history event of a door event.
    static func event(_ event: AccessPolicy.DoorEvent) -> NewEvent {
        let kind: EventKind
        let result: EventResult
        switch event.kind {
        case .entry: (kind, result) = (.doorEntry, .success)
        case .exit: (kind, result) = (.doorExit, .success)
        case .refused: (kind, result) = (.doorRefused, event.refusal?.isFault == true ? .failure : .denied)
        case .alarm: (kind, result) = (.doorAlarm, .failure)
        case .alarmCleared: (kind, result) = (.doorAlarmCleared, .success)
        case .override: (kind, result) = (.doorOverride, .success)
        case .released: (kind, result) = (.doorReleased, .success)
        case .restored: (kind, result) = (.doorRestored, .success)
        }
        let reason = event.refusal?.code ?? event.alarm?.rawValue ?? event.cause ?? (event.by == nil ? event.direction.rawValue : nil)
        // The place is the room, so that the room's entry book (入退室管理簿) reads one place; the door is a detail.
        // The actor is the card's holder, or for an override, a release or a restore, the client that asked.
        return NewEvent(
            kind: kind, result: result, actor: event.operatorID ?? event.by, card: event.cardGUID?.hex, place: event.roomID,
            details: EventDetails(reason: reason, door: event.doorID, visitor: event.visitor?.name, organisation: event.visitor?.organisation))
    }

    /// The session identifier written with terminal events: `T01-3`.
    static func sessionID(terminal: String, number: UInt64) -> String { "\(terminal)-\(number)" }

    /// The door events of the history, oldest first, as the policy's events (for rebuilding the occupancy);
    /// `rooms` maps door ids to their rooms: only events of a configured door of that room count.
    static func doorEvents(_ history: HistoryStore, rooms: [String: String]) throws(HistoryError) -> [AccessPolicy.DoorEvent] {
        try history.events(matching: EventFilter(kinds: [EventKind.doorEntry.rawValue, EventKind.doorExit.rawValue])).compactMap { stored in
            guard let door = stored.details.door, let room = rooms[door], stored.place == room else { return nil }
            let kind: DoorEventKind = stored.kind == .doorEntry ? .entry : .exit
            let visitor = stored.details.visitor.flatMap { name in stored.details.organisation.flatMap { Visitor(name: name, organisation: $0) } }
            return AccessPolicy.DoorEvent(
                kind: kind, doorID: door, roomID: room, direction: kind == .entry ? .entry : .exit, reader: "",
                cardGUID: stored.card.flatMap { CardGUID(hex: $0) }, operatorID: stored.actor, refusal: nil, at: stored.time,
                visitor: visitor)
        }
    }
}
