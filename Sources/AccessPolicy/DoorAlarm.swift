/// A door alarm (Mercury and uhppoted call them door-forced and door-held): raised, recorded and sent to the alarm
/// command and the event stream; cleared when the door closes.
public enum DoorAlarm: String, Hashable, Sendable, CaseIterable {
    /// The door opened with no granted entry or exit and no request-to-exit.
    case forcedOpen = "forced-open"
    /// The door stayed open longer than allowed after a granted passage.
    case heldOpen = "held-open"
}
