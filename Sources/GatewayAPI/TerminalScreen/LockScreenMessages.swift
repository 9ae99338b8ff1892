import Vocabulary

/// Every text the lock screen shows, in Japanese and English.
public struct LockScreenMessages: Sendable {
    /// The language of these messages.
    public let language: ScreenLanguage

    /// The messages of `language`.
    public init(_ language: ScreenLanguage) {
        self.language = language
    }

    private func pick(_ japanese: String, _ english: String) -> String {
        language == .japanese ? japanese : english
    }

    /// The title line.
    public func title(_ terminal: String) -> String { pick("CardGate 端末 \(terminal)", "CardGate terminal \(terminal)") }
    /// The locked screen's request.
    public var insertCard: String { pick("職員カードを挿入してください", "Insert your card") }
    /// Under it.
    public var locked: String { pick("この端末はロックされています", "This terminal is locked") }
    /// The PIN prompt.
    public var enterPIN: String { pick("暗証番号を入力してください", "Enter your PIN") }
    /// How to use the PIN prompt.
    public var pinHelp: String { pick("Enter: 確定   Backspace: 1文字消去   Esc: 全消去", "Enter: confirm   Backspace: erase   Esc: clear") }
    /// While the PIN is being checked.
    public var checking: String { pick("確認しています…", "Checking…") }
    /// Who is signed in.
    public func signedIn(_ name: String) -> String { pick("\(name) さんがサインインしています", "Signed in: \(name)") }
    /// Time until the idle lock.
    public func idleLock(_ remaining: String) -> String { pick("自動ロックまで \(remaining)", "Idle lock in \(remaining)") }
    /// Time until the session ends.
    public func sessionEnds(_ remaining: String) -> String { pick("セッション終了まで \(remaining)", "Session ends in \(remaining)") }
    /// Reminder of clause 16.5.
    public var pullCardToLock: String { pick("席を離れるときはカードを抜いてください", "Pull your card when you leave the seat") }
    /// A wrong PIN.
    public func wrongPIN(attemptsLeft: Int?) -> String {
        guard let attemptsLeft else { return pick("暗証番号が違います", "Wrong PIN") }
        return pick("暗証番号が違います（残り \(attemptsLeft) 回）", "Wrong PIN (\(attemptsLeft) attempts left)")
    }
    /// A blocked card.
    public var cardBlocked: String {
        pick("カードがロックされました。暗証番号管理者に連絡してください", "This card is blocked. Ask the PIN administrator.")
    }
    /// The history cannot be written.
    public var historyUnavailable: String {
        pick("記録できないため利用できません。システム管理者に連絡してください", "Cannot record, so access is refused. Call the system administrator.")
    }
    /// pcscd or the reader is down.
    public var readerUnavailable: String {
        pick("カードリーダーが使えません。システム管理者に連絡してください", "The card reader is unavailable. Call the system administrator.")
    }
    /// The gateway cannot be reached.
    public var disconnected: String {
        pick("ゲートウェイに接続できません。再接続しています…", "Cannot reach the gateway. Reconnecting…")
    }
    /// Any other refusal.
    public var refused: String { pick("受け付けられませんでした", "Refused") }
    /// Why the terminal was locked.
    public func lockReason(_ reason: LockReason) -> String {
        switch reason {
        case .cardRemoved, .cardReplaced: pick("カードが抜かれたためロックしました", "Locked: the card was removed")
        case .idleTimeout: pick("操作がなかったためロックしました", "Locked after inactivity")
        case .maximumSession: pick("利用時間の上限に達したためロックしました", "Locked: maximum session length reached")
        case .manual: pick("ロックしました", "Locked on request")
        case .emergency: pick("緊急停止によりロックしました", "Locked by an emergency stop")
        case .readerLost, .pcscServiceLost: pick("カードリーダーとの接続が切れたためロックしました", "Locked: the card reader was lost")
        case .cardRefused, .unlockFailed: pick("このカードは使用できません", "This card cannot be used here")
        case .shutdown: pick("ゲートウェイが停止したためロックしました", "Locked: the gateway stopped")
        case .start: pick("ゲートウェイが起動しました", "Locked: the gateway started")
        case .resumed: pick("スリープから復帰したためロックしました", "Locked: the machine resumed from sleep")
        }
    }
    /// The lock command failed: the screen may not be locked. An alarm was raised.
    public var lockFailed: String {
        pick("ロックに失敗しました。システム管理者に連絡してください", "Locking failed. Call the system administrator.")
    }
    /// The PIN was accepted and the terminal is being unlocked.
    public var unlocking: String { pick("ロックを解除しています…", "Unlocking…") }
    /// The quit hint at the bottom.
    public var quitHint: String { pick("Ctrl-C: 終了", "Ctrl-C: quit") }
}
