import Foundation
import Testing
@testable import History

@Suite struct EntryBookPageTests {
    static let tokyo = TimeZone(identifier: "Asia/Tokyo")!

    /// A day in the computer room with a bit of everything.
    static func sampleLog() -> DoorLog {
        var log = DoorLog()
        log.enter("op-yamada", at: 0)  // 09:00 in Tokyo
        log.enter("op-sato", at: 0.005)
        log.visitor(.doorEntry, "田中一郎", of: "op-sato", at: 0.01)
        log.add(.doorRefused, .denied, actor: "op-suzuki", card: "9F00AA11223344556677889900AABBCC", at: 5,
                EventDetails(reason: "no-grant", door: "D1"))
        log.add(.doorAlarm, .failure, at: 30, EventDetails(reason: "held-open", door: "D1"))
        log.add(.doorAlarmAcknowledged, actor: "uid:1001", at: 31, EventDetails(reason: "held-open", door: "D1"))
        log.add(.doorAlarmCleared, at: 32, EventDetails(reason: "held-open", door: "D1"))
        log.add(.doorOverride, actor: "uid:1001", at: 59, EventDetails(door: "D1"))
        log.leave("op-yamada", at: 60)
        log.add(.doorExit, at: 61, EventDetails(reason: "request-to-exit", door: "D1"))
        log.leave("op-sato", at: 125)
        log.visitor(.doorExit, "田中一郎", of: "op-sato", at: 125.001)
        log.enter("op-yamada", at: 600, EventDetails(reason: "in", door: "D1", visitor: nil))  // 19:00, still inside
        return log
    }

    static func page(_ log: DoorLog = sampleLog(), names: [String: String] = ["op-yamada": "山田花子", "op-sato": "佐藤一郎"],
                     room: String? = "電算室") -> EntryBookPage {
        let from = date(2026, 3, 31, 15)  // 1 April 00:00 in Tokyo
        return EntryBookPage(book: EntryBook(room: log.room, events: log.events), roomName: room, operatorNames: names,
                             from: from, to: from + 86_400, printedAt: date(2026, 4, 2, 1), timeZone: tokyo)
    }

    /// The `<tr>…</tr>` rows of one section.
    static func rows(_ html: String, section: String) -> [String] {
        guard let start = html.range(of: "<section id=\"\(section)\">"),
              let end = html.range(of: "</section>", range: start.upperBound..<html.endIndex) else { return [] }
        return html[start.upperBound..<end.lowerBound].components(separatedBy: "<tr>").dropFirst().map { String($0) }
    }

    @Test func theHeaderHasTheRoomThePeriodTheDatePrintedAndTheStampBoxes() {
        let html = Self.page().html()
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"ja\">"))
        #expect(html.contains("<meta charset=\"utf-8\">"))
        #expect(html.contains("<h1>入退室管理簿</h1>"))
        #expect(html.contains("<span class=\"room\">電算室</span>（R1）"))
        #expect(html.contains("2026年4月1日（水） 〜 2026年4月1日（水）"))
        #expect(html.contains("<span class=\"printed\">2026年4月2日（木）</span> 10:00"))
        #expect(html.contains("日本時間（Asia/Tokyo）"))
        #expect(html.contains("<caption>確認印 <span class=\"en\">Approval</span></caption>\n<tr><th>担当</th><th>係長</th><th>課長</th></tr>\n<tr><td></td><td></td><td></td></tr>"))
        #expect(html.contains("<p class=\"subtitle\">Room entry and exit book</p>") && html.contains("<th>室名 <span class=\"en\">Room</span></th>"))
        #expect(html.contains("table.stamps td { width: 20mm; height: 20mm;"))
    }

    @Test func everySectionIsThereWithJapaneseHeadingsAndEnglishSubtitles() {
        let html = Self.page().html()
        for section in ["days", "stays", "visitors", "refusals", "alarms", "actions"] {
            #expect(html.contains("<section id=\"\(section)\">"), "section \(section)")
        }
        for word in ["<h2>日別集計<span class=\"en\">Daily totals</span>", "<h2>入退室記録<span class=\"en\">Entries and exits</span>",
                     "<th>入室<span class=\"en\">In</span></th><th>退室<span class=\"en\">Out</span></th><th>滞在時間<span class=\"en\">Stay</span></th>"
                        + "<th>氏名<span class=\"en\">Name</span></th><th>カード<span class=\"en\">Card</span></th><th>扉<span class=\"en\">Door</span></th>"
                        + "<th>備考<span class=\"en\">Remarks</span></th>",
                     "<h2>来訪者（立会者同伴）<span class=\"en\">Visitors and their escorts</span>", "<th>来訪者氏名<span class=\"en\">Visitor</span></th>",
                     "<th>立会者<span class=\"en\">Escort</span></th>", "<h2>入室拒否<span class=\"en\">Refusals</span>",
                     "<h2>扉の警報<span class=\"en\">Door alarms</span>",
                     "<h2>二人制の解除・非常開放・復旧<span class=\"en\">Two-person overrides, fire releases and restores</span>",
                     "<th>確認者<span class=\"en\">By</span></th>"] {
            #expect(html.contains(word), "\(word)")
        }
        let stays = Self.rows(html, section: "stays")
        #expect(stays.count == 1 + 4)  // the header row and four stays
        #expect(stays[0].contains("<tr class=\"day\"><td colspan=\"7\">2026年4月1日（水）</td></tr>"))  // the day before its rows
        #expect(stays[1].contains("09:00") && stays[1].contains("10:00") && stays[1].contains("1:00"))
        #expect(stays[1].contains("山田花子<br><span class=\"id\">op-yamada</span>"))
        #expect(stays[1].contains("二人制入室（同行: 佐藤一郎（op-sato））"))
        #expect(stays[1].contains(">CA900000…<"))
        #expect(stays[3].contains("（不明）") && stays[3].contains("退室ボタンによる退室（人物不明）"))
        #expect(stays[4].contains("19:00") && stays[4].contains("退室の記録なし"))
        let refusals = Self.rows(html, section: "refusals")
        #expect(refusals[1].contains("入室許可なし") && refusals[1].contains("no-grant") && refusals[1].contains("op-suzuki"))
        #expect(refusals[1].contains(">09:05:00<") && refusals[1].contains(">9F00AA11…<"))
        let days = Self.rows(html, section: "days")
        #expect(days.count == 2)  // one day: entries 3, exits 3 (one by the button), 1 visitor, 1 refusal, 1 alarm, 1 override
        #expect(days[1].contains("<td class=\"time\">2026/04/01(水)</td><td class=\"num\">3</td><td class=\"num\">3</td><td class=\"num\">1</td>"
                                 + "<td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">1</td>"))
        let alarms = Self.rows(html, section: "alarms")
        #expect(alarms[1].contains("長時間開放") && alarms[1].contains("09:30:00") && alarms[1].contains("09:31:00") && alarms[1].contains("uid:1001"))
        let actions = Self.rows(html, section: "actions")
        #expect(actions[1].contains("二人制の解除") && actions[1].contains("uid:1001") && actions[1].contains("09:59:00"))
    }

    @Test func theVisitorStandsBesideTheEscort() {
        let html = Self.page().html()
        let visitors = Self.rows(html, section: "visitors")
        #expect(visitors.count == 2)
        #expect(visitors[1].contains("<span class=\"visitor\">田中一郎</span></td><td>東都保守株式会社</td><td>佐藤一郎<br><span class=\"id\">op-sato</span></td>"))
        #expect(visitors[1].contains("09:00") && visitors[1].contains("11:05") && visitors[1].contains("2:04"))
        let stays = Self.rows(html, section: "stays")
        #expect(stays[2].contains("佐藤一郎") && stays[2].contains("来訪者の立会い: 田中一郎"))
    }

    @Test func everyValueIsEscaped() {
        var log = DoorLog()
        log.room = "R&D<1>"
        log.enter("<b>op</b>", at: 0)
        log.visitor(.doorEntry, "<script>alert(\"x\")</script>", of: "<b>op</b>", at: 0.001, organisation: "A&B 'co'")
        log.add(.doorRefused, .denied, actor: "\"quoted\"", at: 1, EventDetails(reason: "<img src=x onerror=alert(1)>", door: "D&1"))
        log.enter("op-evil", at: 2)
        let html = Self.page(log, names: ["<b>op</b>": "<i>名前</i>", "op-evil": "<script>alert(1)</script>"], room: "</title><script>").html()
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img") && !html.contains("<b>") && !html.contains("<i>"))
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;<br><span class=\"id\">op-evil</span>"))  // an operator's name
        #expect(html.contains("A&amp;B &#39;co&#39;"))
        #expect(html.contains("<title>入退室管理簿 — &lt;/title&gt;&lt;script&gt;（R&amp;D&lt;1&gt;）</title>"))
        #expect(html.contains("&lt;i&gt;名前&lt;/i&gt;<br><span class=\"id\">&lt;b&gt;op&lt;/b&gt;</span>"))
        #expect(html.contains("&quot;quoted&quot;") && html.contains("D&amp;1") && html.contains("&lt;img src=x onerror=alert(1)&gt;"))
    }

    @Test func thePageIsSelfContainedAndLaidOutForA4() {
        let html = Self.page().html()
        for outside in ["http://", "https://", "<script", "<link", "src=", "@import", "url(", "@font-face"] {
            #expect(!html.contains(outside), "\(outside)")
        }
        for rule in ["size: A4;", "@bottom-center { content: counter(page) \" / \" counter(pages);", "thead { display: table-header-group; }",
                     "page-break-inside: avoid;", "break-inside: avoid;",
                     "font-family: \"IPAexGothic\", \"IPAGothic\", \"Noto Sans CJK JP\", sans-serif;", "string-set: room content();"] {
            #expect(html.contains(rule), "\(rule)")
        }
    }

    @Test func anEmptyBookSaysSoInEverySectionAndIdsStandWithoutNames() {
        var log = DoorLog()
        log.room = "R9"
        var page = Self.page(log, names: [:], room: nil)
        page.from = nil
        page.to = nil
        page.notice = "氏名は表示していない"
        page.stampTitles = ["担当", "主査", "係長", "課長"]
        let html = page.html()
        #expect(html.components(separatedBy: "該当なし").count - 1 == 6)
        #expect(!html.contains("<tr class=\"day\">"))
        #expect(html.contains("<span class=\"room\">R9</span></td>") && html.contains("全期間"))
        #expect(html.contains("<p class=\"notice\">氏名は表示していない</p>"))
        #expect(html.contains("<tr><th>担当</th><th>主査</th><th>係長</th><th>課長</th></tr>"))
    }

    @Test func eachDaysRowsComeUnderThatDayInTheBooksTimeZone() {
        var log = DoorLog()
        log.enter("op-a", at: 0)  // 1 April 09:00 in Tokyo
        log.leave("op-a", at: 60)
        log.enter("op-b", at: 14 * 60 + 59)  // 1 April 23:59
        log.leave("op-b", at: 15 * 60 + 10)  // 2 April 00:10
        log.add(.doorRefused, .denied, actor: "op-c", at: 16 * 60, EventDetails(reason: "outside-hours", door: "D1"))  // 2 April 01:00
        let html = Self.page(log).html()
        let rows = Self.rows(html, section: "stays")
        let staysText = rows.joined()
        #expect(staysText.contains("<tr class=\"day\"><td colspan=\"7\">2026年4月1日（水）</td></tr>"))
        #expect(!staysText.contains("2026年4月2日"))  // the night stay is listed on the day it began
        #expect(rows.count == 3 && rows[2].contains("23:59") && rows[2].contains("4/2 00:10"))  // listed on the day of its entry
        let refusals = Self.rows(html, section: "refusals")
        #expect(refusals[0].contains("<tr class=\"day\"><td colspan=\"5\">2026年4月2日（木）</td></tr>") && refusals[1].contains("01:00:00"))
        let days = Self.rows(html, section: "days")
        #expect(days.count == 3)
        #expect(days[1].contains("2026/04/01(水)</td><td class=\"num\">2</td><td class=\"num\">1</td>"))
        #expect(days[2].contains("2026/04/02(木)</td><td class=\"num\">0</td><td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">1</td>"))
    }

    @Test func theTextBookHasTheSameSectionsDayByDayWithoutMarkup() {
        var log = Self.sampleLog()
        log.enter("op-evil", at: 700)
        let text = Self.page(log, names: ["op-yamada": "山田花子", "op-evil": "<script>\u{1B}[2J</script>"]).text()
        #expect(text.hasPrefix("入退室管理簿 — Room entry and exit book\n"))
        for expected in ["室名 Room", "電算室（R1）", "■ 日別集計 — Daily totals（1 日）", "■ 入退室記録 — Entries and exits（5 件）",
                         "■ 来訪者（立会者同伴） — Visitors and their escorts（1 名）", "■ 入室拒否 — Refusals（1 件）", "■ 扉の警報 — Door alarms（1 件）",
                         "── 2026年4月1日（水） ──", "山田花子 (op-yamada)", "二人制入室（同行: op-sato）", "長時間開放 (held-open)",
                         "入室許可なし (no-grant)", "田中一郎", "<script>[2J</script> (op-evil)"] {
            #expect(text.contains(expected), "the text lacks \(expected)")
        }
        #expect(!text.contains("<span") && !text.contains("<td") && !text.contains("&lt;") && !text.contains("\u{1B}"))
        // Columns line up by display width: the header's second column starts where each row's does.
        let lines = text.components(separatedBy: "\n")
        let header = lines.first { $0.hasPrefix("入室 In") }!
        let row = lines.first { $0.hasPrefix("09:00") }!
        let column = EntryBookPage.width(String(header.prefix { $0 != "退" }))
        #expect(EntryBookPage.width(String(row.dropFirst(5).prefix { $0 == " " })) + 5 == column)
    }

    @Test func htmlTextEscapesMarkupAndDropsControlCharacters() {
        #expect(HTMLText.escape("<script>alert('x') & \"y\"</script>") == "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;")
        #expect(HTMLText.escape("山田\u{0}\u{1B}花子\n") == "山田花子\n")
        #expect(HTMLText.escape("&amp;") == "&amp;amp;")
    }

    @Test func periodsAndTimesAreInTheBooksTimeZone() {
        let clock = EntryBookClock(timeZone: Self.tokyo)
        let april = date(2026, 3, 31, 15)
        let may = date(2026, 4, 30, 15)
        #expect(clock.period(from: april, to: may) == "2026年4月1日（水） 〜 2026年4月30日（木）")
        #expect(clock.period(from: april + 3600, to: nil) == "2026年4月1日（水） 01:00 以降")
        #expect(clock.period(from: nil, to: may) == "2026年4月30日（木） まで")
        #expect(clock.time(date(2026, 4, 1, 22), sameDayAs: date(2026, 4, 1, 1)) == "4/2 07:00")
        #expect(clock.day(date(2026, 4, 4, 15)) == "2026/04/05(日)")
    }
}
