import Foundation

extension EntryBookPage {
    /// The book's tables, grouped by day in the book's time zone: the daily totals, the stays, the visitors, and apart
    /// the refusals, the door alarms, and the overrides, fire releases and restores.
    func sheet(_ clock: EntryBookClock) -> EntryBookSheet {
        EntryBookSheet(sections: [days(clock), stays(clock), visitorSection(clock), refusals(clock), alarms(clock), actions(clock)])
    }

    private typealias Column = EntryBookSheet.Column
    private typealias Line = EntryBookSheet.Line
    private typealias Row = EntryBookSheet.Row

    private func days(_ clock: EntryBookClock) -> EntryBookSheet.Section {
        var counts: [Date: [Int]] = [:]
        func count(_ date: Date?, _ column: Int) {
            guard let date else { return }
            counts[clock.startOfDay(date), default: Array(repeating: 0, count: 6)][column] += 1
        }
        for v in book.visits {
            count(v.entry, 0)
            count(v.exit, 1)
        }
        for s in book.visitors { count(s.entry ?? s.exit, 2) }
        for r in book.refusals { count(r.time, 3) }
        for a in book.alarms { count(a.raised ?? a.cleared ?? a.acknowledged, 4) }
        for a in book.actions { count(a.time, 5) }
        let rows = counts.keys.sorted().map { day in
            Row(day: nil, cells: [EntryBookSheet.cell(clock.day(day))] + (counts[day] ?? []).map { EntryBookSheet.cell(String($0)) })
        }
        return EntryBookSheet.Section(
            id: "days", japanese: "日別集計", english: "Daily totals",
            columns: [Column("日付", "Date", 22, .time), Column("入室", "Entries", 13, .number), Column("退室", "Exits", 13, .number),
                      Column("来訪者", "Visitors", 13, .number), Column("入室拒否", "Refusals", 13, .number),
                      Column("扉の警報", "Alarms", 13, .number), Column("解除・非常開放", "Overrides, releases", 13, .number)],
            rows: rows, counter: "日")
    }

    private func stays(_ clock: EntryBookClock) -> EntryBookSheet.Section {
        let rows = book.visits.map { v -> Row in
            let first = v.entry ?? v.exit
            return Row(day: first.map(clock.startOfDay), cells: [
                EntryBookSheet.cell(v.entry.map { clock.time($0) } ?? "—"),
                EntryBookSheet.cell(v.exit.map { clock.time($0, sameDayAs: v.entry ?? first) } ?? "—"),
                EntryBookSheet.cell(EntryBook.format(duration: v.duration)),
                v.isUnknownPerson ? EntryBookSheet.cell("（不明）") : person(v.person ?? v.card),
                EntryBookSheet.cell(shortCard(v.card)),
                EntryBookSheet.cell(doors(v.entryDoor, v.exitDoor)),
                notes(v).map { Line($0) },
            ])
        }
        return EntryBookSheet.Section(
            id: "stays", japanese: "入退室記録", english: "Entries and exits",
            columns: [Column("入室", "In", 8, .time), Column("退室", "Out", 10, .time), Column("滞在時間", "Stay", 8, .number),
                      Column("氏名", "Name", 20), Column("カード", "Card", 11, .card), Column("扉", "Door", 9),
                      Column("備考", "Remarks", 34)],
            rows: rows, counter: "件")
    }

    private func notes(_ v: EntryBook.Visit) -> [String] {
        var notes: [String] = []
        if v.outsideGrantedHours { notes.append("許可時間外の入室") }
        if let other = v.enteredWith { notes.append("二人制入室（同行: \(plainName(other))）") }
        if let other = v.leftWith { notes.append("二人制退室（同行: \(plainName(other))）") }
        if !v.visitors.isEmpty { notes.append("来訪者の立会い: " + v.visitors.joined(separator: "、")) }
        if v.exitByButton {
            notes.append("退室ボタンによる退室（人物不明）")
        } else if v.isUnknownPerson {
            notes.append("人物不明の退室")
        } else if v.entry == nil {
            notes.append("入室の記録なし（期間前の入室など）")
        }
        if v.exit == nil { notes.append("退室の記録なし（在室中または記録漏れ）") }
        return notes
    }

    private func visitorSection(_ clock: EntryBookClock) -> EntryBookSheet.Section {
        let rows = book.visitors.map { s -> Row in
            let first = s.entry ?? s.exit
            return Row(day: first.map(clock.startOfDay), cells: [
                EntryBookSheet.cell(s.entry.map { clock.time($0) } ?? "—"),
                EntryBookSheet.cell(s.exit.map { clock.time($0, sameDayAs: s.entry ?? first) } ?? "—"),
                EntryBookSheet.cell(EntryBook.format(duration: s.duration)),
                [Line(s.name, .visitor)],
                EntryBookSheet.cell(s.organisation),
                s.escort.map(person) ?? EntryBookSheet.cell("（不明）"),
                EntryBookSheet.cell(doors(s.entryDoor, s.exitDoor)),
            ])
        }
        return EntryBookSheet.Section(
            id: "visitors", japanese: "来訪者（立会者同伴）", english: "Visitors and their escorts",
            columns: [Column("入室", "In", 8, .time), Column("退室", "Out", 10, .time), Column("滞在時間", "Stay", 8, .number),
                      Column("来訪者氏名", "Visitor", 20), Column("所属", "Organisation", 23), Column("立会者", "Escort", 20),
                      Column("扉", "Door", 11)],
            rows: rows, counter: "名")
    }

    private func refusals(_ clock: EntryBookClock) -> EntryBookSheet.Section {
        let rows = book.refusals.map { e -> Row in
            Row(day: clock.startOfDay(e.time), cells: [
                EntryBookSheet.cell(clock.timeWithSeconds(e.time)),
                EntryBookSheet.cell(e.details.door),
                e.actor.map(person) ?? EntryBookSheet.cell("（不明）"),
                EntryBookSheet.cell(shortCard(e.card)),
                [Line(EntryBookLabels.refusal(e.details.reason))] + (e.details.reason.map { [Line($0, .sub)] } ?? []),
            ])
        }
        return EntryBookSheet.Section(
            id: "refusals", japanese: "入室拒否", english: "Refusals",
            columns: [Column("時刻", "Time", 12, .time), Column("扉", "Door", 10), Column("氏名", "Name", 22),
                      Column("カード", "Card", 14, .card), Column("理由", "Reason", 42)],
            rows: rows, counter: "件")
    }

    private func alarms(_ clock: EntryBookClock) -> EntryBookSheet.Section {
        let rows = book.alarms.map { a -> Row in
            let day = (a.raised ?? a.cleared ?? a.acknowledged).map(clock.startOfDay)
            func at(_ date: Date?) -> EntryBookSheet.Cell {
                EntryBookSheet.cell(date.map { clock.timeWithSeconds($0, sameDayAs: day) })
            }
            return Row(day: day, cells: [
                EntryBookSheet.cell(a.door),
                [Line(EntryBookLabels.alarm(a.reason)), Line(a.reason, .sub)],
                a.raised == nil ? EntryBookSheet.cell("（期間前）") : at(a.raised),
                a.cleared == nil ? EntryBookSheet.cell("—") : at(a.cleared),
                a.acknowledged == nil ? EntryBookSheet.cell("—") : at(a.acknowledged),
                a.acknowledgedBy.map(person) ?? [],
            ])
        }
        return EntryBookSheet.Section(
            id: "alarms", japanese: "扉の警報", english: "Door alarms",
            columns: [Column("扉", "Door", 10), Column("種別", "Alarm", 24), Column("発生", "Raised", 15, .time),
                      Column("解除", "Cleared", 15, .time), Column("確認", "Acknowledged", 15, .time), Column("確認者", "By", 21)],
            rows: rows, counter: "件")
    }

    private func actions(_ clock: EntryBookClock) -> EntryBookSheet.Section {
        let rows = book.actions.map { a -> Row in
            Row(day: clock.startOfDay(a.time), cells: [
                EntryBookSheet.cell(clock.timeWithSeconds(a.time)),
                EntryBookSheet.cell(a.door ?? "全扉"),
                [Line(EntryBookLabels.action(a.kind)), Line(a.kind.rawValue, .sub)],
                a.by.map(person) ?? [],
                EntryBookSheet.cell(a.reason),
            ])
        }
        return EntryBookSheet.Section(
            id: "actions", japanese: "二人制の解除・非常開放・復旧", english: "Two-person overrides, fire releases and restores",
            columns: [Column("時刻", "Time", 12, .time), Column("扉", "Door", 10), Column("操作", "Action", 38),
                      Column("指示者", "By", 20), Column("理由", "Reason", 20)],
            rows: rows, counter: "件")
    }

    // MARK: Pieces

    /// A person: the name with the id beneath it, or the id alone.
    private func person(_ id: String?) -> EntryBookSheet.Cell {
        guard let id else { return [] }
        guard let name = operatorNames[id] else { return [Line(id)] }
        return [Line(name), Line(id, .sub)]
    }

    /// A person in running text: `山田花子（op-0042）` or the id.
    private func plainName(_ id: String) -> String {
        operatorNames[id].map { "\($0)（\(id)）" } ?? id
    }

    /// A card's short GUID: the first 8 hex digits.
    private func shortCard(_ guid: String?) -> String? {
        guard let guid else { return nil }
        return guid.count > 10 ? String(guid.prefix(8)) + "…" : guid
    }

    private func doors(_ entry: String?, _ exit: String?) -> String? {
        switch (entry, exit) {
        case let (e?, x?) where e != x: "\(e) → \(x)"
        case let (e?, _): e
        case let (nil, x?): x
        default: nil
        }
    }
}
