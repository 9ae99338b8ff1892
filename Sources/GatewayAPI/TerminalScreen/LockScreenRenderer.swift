import Foundation

/// Draws a ``LockScreenModel`` as text: pure, so that tests can read the screen.
public struct LockScreenRenderer: Sendable {
    /// The texts to use.
    public let messages: LockScreenMessages

    /// A renderer in `language`.
    public init(language: ScreenLanguage) {
        self.messages = LockScreenMessages(language)
    }

    /// The lines of the screen body, top to bottom (without title and hint).
    public func body(for model: LockScreenModel, now: Date) -> [String] {
        var lines: [String] = []
        switch model.view?.state {
        case nil:
            lines = [messages.insertCard]
        case .locked:
            lines = [messages.insertCard, "", messages.locked]
            if let reason = model.view?.lockReason { lines.append(messages.lockReason(reason)) }
        case .awaitingPIN:
            let dots = String(repeating: "●", count: model.typedCount)
            let blanks = String(repeating: "_", count: max(0, 4 - model.typedCount))
            lines = [messages.enterPIN, "", "[ \(dots)\(blanks) ]", "", model.checking ? messages.checking : messages.pinHelp]
        case .unlocking:
            lines = [messages.unlocking]
        case .lockFailed:
            lines = [messages.lockFailed]
            if let reason = model.view?.lockReason { lines.append(messages.lockReason(reason)) }
        case .unlocked:
            let view = model.view!
            lines = [messages.signedIn(view.operator?.name ?? "?"), ""]
            if let idle = view.idleLockAt { lines.append(messages.idleLock(Self.remaining(until: idle, now: now))) }
            if let end = view.sessionEndsAt { lines.append(messages.sessionEnds(Self.remaining(until: end, now: now))) }
            lines += ["", messages.pullCardToLock]
        }
        if let notice = model.notice {
            lines += ["", text(of: notice)]
        }
        if !model.connected {
            lines += ["", messages.disconnected]
        }
        return lines
    }

    /// The whole screen as ANSI text for a terminal of `columns` × `rows`: clear, title on the first row,
    /// the body centred, the hint on the last row.
    public func frame(for model: LockScreenModel, now: Date, columns: Int, rows: Int) -> String {
        let columns = max(columns, 20)
        let rows = max(rows, 8)
        var out = "\u{1B}[H\u{1B}[2J"
        let title = Self.fit(messages.title(model.terminalID), columns)
        out += "\u{1B}[1;1H\u{1B}[7m" + title + String(repeating: " ", count: max(0, columns - DisplayWidth.of(title))) + "\u{1B}[0m"
        let body = self.body(for: model, now: now)
        let top = max(3, (rows - body.count) / 2)
        for (index, line) in body.enumerated() where top + index < rows && !line.isEmpty {
            let text = Self.fit(line, columns)
            let column = max(1, (columns - DisplayWidth.of(text)) / 2 + 1)
            out += "\u{1B}[\(top + index);\(column)H" + (index == 0 ? "\u{1B}[1m\(text)\u{1B}[0m" : text)
        }
        out += "\u{1B}[\(rows);1H" + Self.fit(messages.quitHint, columns)
        return out
    }

    /// `m:ss` below an hour, `h:mm:ss` above; never negative.
    public static func remaining(until deadline: Date, now: Date) -> String {
        let seconds = max(0, Int(deadline.timeIntervalSince(now).rounded(.up)))
        let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60)
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, s) : String(format: "%d:%02d", m, s)
    }

    private func text(of notice: LockScreenModel.Notice) -> String {
        switch notice {
        case .wrongPIN(let left): messages.wrongPIN(attemptsLeft: left)
        case .cardBlocked: messages.cardBlocked
        case .historyUnavailable: messages.historyUnavailable
        case .readerUnavailable: messages.readerUnavailable
        case .refused: messages.refused
        }
    }

    /// Cuts `text` to `columns` display columns.
    static func fit(_ text: String, _ columns: Int) -> String {
        var width = 0
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let w = DisplayWidth.of(scalar)
            if width + w > columns { break }
            width += w
            result.append(scalar)
        }
        return String(result)
    }
}
