import GatewayAPI
import Vocabulary

/// What the status shows of the readers and of pcscd: which readers pcscd reports and in what state, which are
/// approved. Changed only by the ``ReaderRouter``.
actor ReaderBoard {
    private var states: [String: ReaderState] = [:]
    private(set) var approved: Set<String> = []
    /// Readers whose refusal was already recorded in this run (recorded once, not at each pcscd restart).
    private var refusalRecorded: Set<String> = []
    /// Whether pcscd answers (false while it is gone or stopped).
    private(set) var pcscdAnswering = false

    func set(_ reader: String, _ state: ReaderState?) {
        states[reader] = state
    }

    func state(of reader: String) -> ReaderState {
        states[reader] ?? .unavailable
    }

    func approve(_ reader: String, _ yes: Bool) {
        if yes { approved.insert(reader) } else { approved.remove(reader) }
    }

    func isApproved(_ reader: String) -> Bool { approved.contains(reader) }

    /// True the first time `reader` is refused in this run.
    func firstRefusal(_ reader: String) -> Bool {
        refusalRecorded.insert(reader).inserted
    }

    func setPCSCD(answering: Bool) {
        pcscdAnswering = answering
    }

    /// Every reader seen, with its state.
    var seen: [String: ReaderState] { states }

    /// Forgets every reader (pcscd stopped answering: nothing it reported can be trusted).
    func forgetAll() {
        for reader in states.keys { states[reader] = .unavailable }
        approved.removeAll()
    }
}
