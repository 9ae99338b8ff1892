import Foundation
import GatewayAPI
import Testing
@_spi(PINDigits) import Vocabulary

@Suite("Terminal front end: locale, model and screen")
struct LockScreenTests {
    static let now = Date(timeIntervalSince1970: 1_000_000)

    @Test(arguments: [
        (["LANG": "ja_JP.UTF-8"], ScreenLanguage.japanese),
        (["LANG": "en_US.UTF-8"], .english),
        ([:], .english),
        (["LANG": "C"], .english),
        (["LC_ALL": "ja_JP.UTF-8", "LANG": "en_US.UTF-8"], .japanese),
        (["LC_ALL": "en_GB.UTF-8", "LC_MESSAGES": "ja_JP.UTF-8"], .english),
        (["LC_MESSAGES": "ja_JP.eucJP", "LANG": "en_US.UTF-8"], .japanese),
        (["LC_ALL": "", "LC_MESSAGES": "", "LANG": "ja"], .japanese),
        (["LANG": "jam_JM"], .japanese),
    ])
    func languageFollowsLCAllThenLCMessagesThenLang(environment: [String: String], language: ScreenLanguage) {
        #expect(ScreenLanguage.from(environment: environment) == language)
    }

    private func model(_ view: TerminalView, connected: Bool = true) -> LockScreenModel {
        var model = LockScreenModel(terminalID: view.id)
        if connected { _ = model.handle(.connectionRestored) }
        _ = model.handle(.view(view))
        return model
    }

    @Test func lockedScreenAsksForTheCardInJapaneseAndEnglish() {
        let m = model(.locked("T01", reason: .cardRemoved))
        let ja = LockScreenRenderer(language: .japanese).body(for: m, now: Self.now)
        #expect(ja == ["職員カードを挿入してください", "", "この端末はロックされています", "カードが抜かれたためロックしました"])
        let en = LockScreenRenderer(language: .english).body(for: m, now: Self.now)
        #expect(en == ["Insert your card", "", "This terminal is locked", "Locked: the card was removed"])
    }

    @Test func unlockedScreenShowsWhoAndTheTimeUntilTheIdleLock() {
        let m = model(TerminalView(
            id: "T01", state: .unlocked, operator: OperatorSummary(id: "op-1", name: "山田 太郎"),
            unlockedAt: Self.now, idleLockAt: Self.now.addingTimeInterval(598.2), sessionEndsAt: Self.now.addingTimeInterval(8 * 3600)))
        let ja = LockScreenRenderer(language: .japanese).body(for: m, now: Self.now)
        #expect(ja.contains("山田 太郎 さんがサインインしています"))
        #expect(ja.contains("自動ロックまで 9:59"))
        #expect(ja.contains("セッション終了まで 8:00:00"))
        let en = LockScreenRenderer(language: .english).body(for: m, now: Self.now.addingTimeInterval(590))
        #expect(en.contains("Signed in: 山田 太郎"))
        #expect(en.contains("Idle lock in 0:09"))
    }

    @Test func remainingTimeIsNeverNegative() {
        #expect(LockScreenRenderer.remaining(until: Self.now, now: Self.now.addingTimeInterval(5)) == "0:00")
        #expect(LockScreenRenderer.remaining(until: Self.now.addingTimeInterval(3661), now: Self.now) == "1:01:01")
    }

    @Test func typedPINShowsDotsNeverDigitsAndEnterSendsIt() throws {
        var m = model(TerminalView(id: "T01", state: .awaitingPIN))
        for digit in "7395" { #expect(m.handle(.key(.digit(digit))) == nil) }
        _ = m.handle(.key(.digit("x")))
        let frame = LockScreenRenderer(language: .english).frame(for: m, now: Self.now, columns: 80, rows: 24)
        #expect(frame.contains("[ ●●●● ]"))
        let visible = frame.replacing(/\x1B\[[0-9;]*[A-Za-z]/, with: "")
        #expect(visible.contains("Enter your PIN"))
        for digit in "7395" { #expect(!visible.contains(digit)) }
        let effect = m.handle(.key(.enter))
        guard case .submitPIN(let pin) = effect else { Issue.record("expected a PIN to send"); return }
        #expect(String(decoding: pin.digits, as: UTF8.self) == "7395")
        #expect(m.checking && m.typedCount == 0)
        #expect(m.handle(.key(.digit("1"))) == nil && m.typedCount == 0)  // no typing while checking
    }

    @Test func enterWithATooShortPINSendsNothingAndBackspaceErases() {
        var m = model(TerminalView(id: "T01", state: .awaitingPIN))
        for digit in "123" { _ = m.handle(.key(.digit(digit))) }
        #expect(m.handle(.key(.enter)) == nil)
        _ = m.handle(.key(.backspace))
        #expect(m.typedCount == 2)
        _ = m.handle(.key(.clear))
        #expect(m.typedCount == 0)
        for _ in 0..<20 { _ = m.handle(.key(.digit("9"))) }
        #expect(m.typedCount == InputRules.pinLengths.upperBound)
    }

    @Test func keysAreIgnoredUnlessAPINIsAwaited() {
        var m = model(.locked("T01"))
        _ = m.handle(.key(.digit("1")))
        #expect(m.typedCount == 0)
    }

    @Test func lockEventClearsTypedDigitsAtOnce() {
        var m = model(TerminalView(id: "T01", state: .awaitingPIN))
        for digit in "12" { _ = m.handle(.key(.digit(digit))) }
        _ = m.handle(.view(.locked("T01", reason: .cardRemoved)))
        #expect(m.typedCount == 0)
        #expect(m.view?.state == .locked)
        let en = LockScreenRenderer(language: .english).body(for: m, now: Self.now)
        #expect(en.first == "Insert your card")
    }

    @Test func unlockedToLockedReturnsToTheCardScreen() {
        var m = model(TerminalView(id: "T01", state: .unlocked, operator: OperatorSummary(id: "o", name: "Sato")))
        _ = m.handle(.view(.locked("T01", reason: .idleTimeout)))
        let ja = LockScreenRenderer(language: .japanese).body(for: m, now: Self.now)
        #expect(ja.first == "職員カードを挿入してください")
        #expect(ja.contains("操作がなかったためロックしました"))
        #expect(!ja.contains { $0.contains("Sato") })
    }

    @Test func viewsOfOtherTerminalsAreIgnored() {
        var m = model(.locked("T01"))
        _ = m.handle(.view(TerminalView(id: "T02", state: .unlocked)))
        #expect(m.view?.state == .locked)
    }

    @Test func wrongPINShowsAttemptsLeftAndBlockedCardStaysAfterTheLock() {
        var m = model(TerminalView(id: "T01", state: .awaitingPIN))
        for digit in "0000" { _ = m.handle(.key(.digit(digit))) }
        _ = m.handle(.key(.enter))
        _ = m.handle(.pinRefused(GatewayError(.wrongPIN, "wrong PIN", attemptsLeft: 2)))
        #expect(!m.checking)
        #expect(LockScreenRenderer(language: .japanese).body(for: m, now: Self.now).contains("暗証番号が違います（残り 2 回）"))
        #expect(LockScreenRenderer(language: .english).body(for: m, now: Self.now).contains("Wrong PIN (2 attempts left)"))
        _ = m.handle(.pinRefused(GatewayError(.cardBlocked, "blocked")))
        _ = m.handle(.view(.locked("T01", reason: .cardRefused)))
        #expect(LockScreenRenderer(language: .english).body(for: m, now: Self.now).contains("This card is blocked. Ask the PIN administrator."))
    }

    @Test func lostConnectionShowsTheLockedScreenUntilTheGatewayAnswers() {
        var m = model(TerminalView(id: "T01", state: .unlocked, operator: OperatorSummary(id: "o", name: "Sato")))
        _ = m.handle(.connectionLost)
        #expect(LockScreenRenderer(language: .english).body(for: m, now: Self.now) == [
            "Insert your card", "", "Cannot reach the gateway. Reconnecting…",
        ])
        _ = m.handle(.connectionRestored)
        _ = m.handle(.view(.locked("T01")))
        #expect(LockScreenRenderer(language: .english).body(for: m, now: Self.now).last == "This terminal is locked")
    }

    @Test func keyDecoderReadsDigitsEditingKeysAndSwallowsEscapeSequences() {
        var decoder = KeyDecoder()
        #expect(decoder.feed(Array("12".utf8) + [0x7F, 0x08, 0x0D, 0x15]) == [.digit("1"), .digit("2"), .backspace, .backspace, .enter, .clear])
        #expect(decoder.feed([0x1B, UInt8(ascii: "["), UInt8(ascii: "A"), UInt8(ascii: "5")]) == [.digit("5")])  // up arrow, then 5
        #expect(decoder.feed([0x1B, UInt8(ascii: "O")]) == [])
        #expect(decoder.feed([UInt8(ascii: "P"), UInt8(ascii: "x")]) == [])  // F1 then a letter
        #expect(decoder.feed([0x1B]) == [])
        #expect(decoder.flush() == [.clear])
        #expect(decoder.feed(Array("０９ａ".utf8)) == [.digit("0"), .digit("9")])  // full-width digits from an IME
        #expect(decoder.feed([0xEF, 0xBC]) == [] && decoder.feed([0x93]) == [.digit("3")])  // split across reads
    }

    @Test func frameCentresWideTextAndFitsTheWidth() {
        let m = model(.locked("T01"))
        let frame = LockScreenRenderer(language: .japanese).frame(for: m, now: Self.now, columns: 40, rows: 12)
        #expect(frame.hasPrefix("\u{1B}[H\u{1B}[2J"))
        // 3 body lines in 12 rows start on row 4; "職員カードを挿入してください" is 14 wide characters:
        // 28 columns, centred in 40 → column 7.
        #expect(frame.contains("\u{1B}[4;7H\u{1B}[1m職員カードを挿入してください"))
        #expect(frame.contains("\u{1B}[6;7Hこの端末はロックされています"))
        #expect(DisplayWidth.of("山田 太郎") == 9)
        #expect(DisplayWidth.of("Ｔ01") == 4)
    }
}

extension LockScreenModel.Effect: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.submitPIN(let a), .submitPIN(let b)): a.digits == b.digits
        }
    }
}
