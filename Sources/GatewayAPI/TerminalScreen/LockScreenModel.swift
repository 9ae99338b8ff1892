import Vocabulary

/// The state of the lock screen of one terminal, changed only by ``handle(_:)``: a pure state machine that
/// the terminal front end drives with keys, gateway views and connection changes.
public struct LockScreenModel: Sendable {
    /// A key the operator pressed.
    public enum Key: Sendable, Equatable {
        /// A digit 0–9.
        case digit(Character)
        /// Erase the last digit.
        case backspace
        /// Erase every digit (Esc, Ctrl-U).
        case clear
        /// Send the PIN.
        case enter
    }

    /// Something that happened.
    public enum Input: Sendable {
        /// The gateway reported this terminal's view (event stream, poll or answer).
        case view(TerminalView)
        /// A key was pressed.
        case key(Key)
        /// The event stream failed: the state is unknown until the next view.
        case connectionLost
        /// The event stream is open again.
        case connectionRestored
        /// The gateway refused the PIN.
        case pinRefused(GatewayError)
    }

    /// What the front end must do.
    public enum Effect: Sendable {
        /// Send this PIN to the gateway.
        case submitPIN(PIN)
    }

    /// A message under the main text.
    public enum Notice: Sendable, Equatable {
        /// The PIN was wrong.
        case wrongPIN(attemptsLeft: Int?)
        /// The card is blocked.
        case cardBlocked
        /// The history cannot be written.
        case historyUnavailable
        /// pcscd or the reader is down.
        case readerUnavailable
        /// Any other refusal.
        case refused
    }

    /// The terminal shown.
    public let terminalID: String
    /// The last view the gateway reported.
    public private(set) var view: TerminalView?
    /// Whether the event stream is open.
    public private(set) var connected = false
    /// The current notice.
    public private(set) var notice: Notice?
    /// Whether a PIN was sent and the answer is awaited.
    public private(set) var checking = false
    // The digits typed so far; never rendered, only counted.
    private var typed: [Character] = []

    /// How many digits are typed (the screen shows this many dots).
    public var typedCount: Int { typed.count }

    /// A model with no view yet.
    public init(terminalID: String) {
        self.terminalID = terminalID
    }

    /// Applies `input`; returns what the front end must do, if anything.
    public mutating func handle(_ input: Input) -> Effect? {
        switch input {
        case .view(let newView):
            apply(newView)
        case .key(let key):
            return press(key)
        case .connectionLost:
            // The state is unknown until the gateway answers again: show the locked screen (fail closed).
            connected = false
            checking = false
            typed.removeAll()
            view = nil
        case .connectionRestored:
            connected = true
        case .pinRefused(let error):
            checking = false
            typed.removeAll()
            switch error.code {
            case .wrongPIN:
                notice = .wrongPIN(attemptsLeft: error.attemptsLeft)
                if let attemptsLeft = error.attemptsLeft, var view, view.state == .awaitingPIN {
                    view.attemptsLeft = attemptsLeft
                    self.view = view
                }
            case .cardBlocked: notice = .cardBlocked
            case .historyUnavailable: notice = .historyUnavailable
            case .readerUnavailable: notice = .readerUnavailable
            case .notAwaitingPIN: notice = nil  // the state changed under us; its event follows
            default: notice = .refused
            }
        }
        return nil
    }

    private mutating func apply(_ newView: TerminalView) {
        guard newView.id == terminalID else { return }
        let old = view?.state
        view = newView
        if newView.state != .awaitingPIN {
            typed.removeAll()
            checking = false
        }
        switch newView.state {
        case .unlocked:
            notice = nil
        case .locked, .lockFailed:
            // A blocked card or a history failure stays on screen after the lock; the rest goes.
            if old != .locked, notice != .cardBlocked, notice != .historyUnavailable { notice = nil }
        case .awaitingPIN:
            if old == .locked { notice = nil }
        case .unlocking:
            break
        }
    }

    private mutating func press(_ key: Key) -> Effect? {
        guard view?.state == .awaitingPIN, !checking else { return nil }
        switch key {
        case .digit(let digit):
            guard digit.isASCII, digit.isNumber, typed.count < InputRules.pinLengths.upperBound else { return nil }
            typed.append(digit)
        case .backspace:
            if !typed.isEmpty { typed.removeLast() }
        case .clear:
            typed.removeAll()
        case .enter:
            guard let pin = try? InputRules.pin(String(typed)) else { return nil }
            typed.removeAll()
            checking = true
            return .submitPIN(pin)
        }
        return nil
    }
}
