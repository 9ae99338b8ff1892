/// What happened: the closed vocabulary of history event kinds.
///
/// The raw value is what the database stores and what `cardgate history query --kind` matches. A kind that is
/// not in this list cannot be written, and a stored kind that is not in it makes `verify` fail. Families:
/// `auth.card.*` (a card shown at a terminal or door), `auth.pin.*` (PIN checks and PIN administration),
/// `session.*` (terminal sessions), `door.*` (room doors), `operation` (an act on a resident record, named in
/// the details), `admin.*` (administrative acts), `ledger.*` (equipment ledger changes), `system.*` (the service
/// itself and the history's own upkeep). Adding a kind is a change to this file and to the README table.
public enum EventKind: String, CaseIterable, Sendable, Codable {
    /// A card was read and proved genuine (challenge answered with its card-authentication key).
    case cardAccepted = "auth.card.accepted"
    /// A card was refused; the details' `reason` says why (`revoked`, `expired`, `unknown`, `clone`, `suspended`).
    case cardRefused = "auth.card.refused"
    /// A card was removed from a terminal reader.
    case cardRemoved = "auth.card.removed"
    /// A PIN was checked and found right.
    case pinAccepted = "auth.pin.accepted"
    /// A PIN was checked and found wrong; the details carry `retriesLeft`.
    case pinFailed = "auth.pin.failed"
    /// Too many wrong PINs: the credential is locked until the PIN administrator unblocks it.
    case pinLocked = "auth.pin.locked"
    /// An operator changed their own PIN.
    case pinChanged = "auth.pin.changed"
    /// The PIN administrator set or reset a PIN.
    case pinReset = "auth.pin.reset"
    /// The PIN administrator unblocked a locked PIN.
    case pinUnblocked = "auth.pin.unblocked"
    /// A terminal session began after card and PIN.
    case sessionStarted = "session.started"
    /// A session ended normally (logout).
    case sessionEnded = "session.ended"
    /// A session was locked (card removed, idle timeout, maximum length, emergency).
    case sessionLocked = "session.locked"
    /// A terminal was locked while no session was open (start-up, a card pulled while its PIN was asked, a
    /// refused card, a reader fault); the details' `reason` says why. Written by the gateway before the lock runs.
    case terminalLocked = "session.terminal-locked"
    /// A door opened for a person entering a room.
    case doorEntry = "door.entry"
    /// A person left a room.
    case doorExit = "door.exit"
    /// A door stayed shut: no grant, wrong PIN, or a refused card.
    case doorRefused = "door.refused"
    /// A door alarm was raised: `forced-open` or `held-open` (details' `reason`, `door`).
    case doorAlarm = "door.alarm"
    /// A door alarm is over: the door closed, or it was released (details' `reason`, `door`).
    case doorAlarmCleared = "door.alarm.cleared"
    /// A supervisor acknowledged a door alarm (actor: the client's `uid:N`).
    case doorAlarmAcknowledged = "door.alarm.acknowledged"
    /// A supervisor let the next exit of a two-person room pass alone (actor: the client's `uid:N`).
    case doorOverride = "door.override"
    /// A door was released for evacuation: opened and held (actor: the client's `uid:N`).
    case doorReleased = "door.released"
    /// A released door was secured again (actor: the client's `uid:N`).
    case doorRestored = "door.restored"
    /// An act on a resident record, by identifier; the details name the operation and the record.
    case operation = "operation"
    /// The PIN administrator issued a card.
    case adminCardIssued = "admin.card.issued"
    /// A card was suspended, revoked, collected or destroyed; the details' `reason` names the step.
    case adminCardStatus = "admin.card.status"
    /// An operator record was created or changed.
    case adminOperator = "admin.operator"
    /// A room grant was added, changed or removed.
    case adminGrant = "admin.grant"
    /// An administrative session was opened or ended, or a login was refused; the details' `reason` says which.
    case adminSession = "admin.session"
    /// A room was added (rooms are the places room grants refer to).
    case adminRoom = "admin.room"
    /// The emergency stop: every terminal locked, every session ended.
    case adminEmergency = "admin.emergency"
    /// An entry was added to the equipment ledger.
    case ledgerAdded = "ledger.added"
    /// A ledger entry was changed or retired.
    case ledgerChanged = "ledger.changed"
    /// A reader or program not on the ledger was refused.
    case ledgerRefused = "ledger.refused"
    /// The service started; the details carry its program identity.
    case systemStart = "system.start"
    /// A new installation was created (`cardgate init`): secret files, databases, first PIN administrator.
    case systemInit = "system.init"
    /// The service stopped.
    case systemStop = "system.stop"
    /// A closed year was written to its archive file (details: year, count, file digest).
    case historyArchived = "system.history.archived"
    /// An archived year older than the retention period was removed (details: year, count, seal digest).
    case historyPurged = "system.history.purged"
    /// Something noteworthy about the service itself (details' `reason`), e.g. a checkpoint copy failure.
    case systemNotice = "system.notice"
    /// A card or PIN check could not be decided because the registry or a reader failed (the gateway's fault, not the
    /// card's; nothing was counted against it).
    case authUnavailable = "auth.unavailable"
    /// A terminal's lock command failed after its retries; the screen may still be open and an alarm was raised.
    case terminalLockFailed = "session.lock-failed"
    /// A local API or administration client was refused for what it asked (details: the route, the caller's uid, and
    /// how many refusals were left unrecorded since the last record of this caller).
    case apiRefused = "system.api.refused"
    /// The service cannot do its work safely and fails closed: pcscd stopped answering, the machine resumed from
    /// suspend (details' `reason`). Everything is locked and every door refuses until `system.recovered`.
    case systemFault = "system.fault"
    /// The service works again after a `system.fault` (details' `reason`).
    case systemRecovered = "system.recovered"
    /// The witness alarm: the database is shorter than, or does not extend, a checkpoint its witness holds. The
    /// store records this event without signing and refuses every later write until an administrator acts
    /// (details: `reason` witness-truncated, witness-rewritten or witness-invalid; `count` the witnessed size;
    /// `digest` the witnessed root).
    case historyAlarm = "system.history.alarm"
    /// An administrator answered a witness alarm: the witnessed checkpoints the database does not extend are set
    /// aside by the next checkpoint (actor: the administrator; details: `reason`, `count` the witnessed size,
    /// `digest` the text hash of the checkpoint set aside).
    case historyAcknowledged = "system.history.acknowledged"
    /// The clock went back by a second or more since the last event (it had jumped ahead, or was set back); the
    /// events keep their real times from here on (details: `reason` clock-went-back, `count` the step in ms).
    case clockJump = "system.clock.jump"

    /// The family: the part before the first dot (`auth`, `session`, `door`, `operation`, `admin`, `ledger`, `system`).
    public var family: String { String(rawValue.prefix { $0 != "." }) }

    /// Whether `pattern` selects this kind: an exact kind, or a prefix ending in `.*` (`auth.pin.*`).
    public func matches(_ pattern: String) -> Bool {
        if pattern.hasSuffix(".*") { return rawValue.hasPrefix(String(pattern.dropLast(1))) }
        return rawValue == pattern
    }
}

/// How an event ended.
public enum EventResult: String, CaseIterable, Sendable, Codable {
    /// The act was allowed or succeeded.
    case success
    /// The act was attempted and failed (a wrong PIN, an error).
    case failure
    /// The act was refused by policy (no grant, revoked card).
    case denied
}
