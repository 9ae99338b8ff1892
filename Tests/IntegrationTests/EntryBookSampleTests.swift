import Credentials
import Foundation
import History
import Registry
import Testing
import Vocabulary

/// The printed entry book with names from the registry, made by the built `cardgate` from a fictitious week in the
/// computer room (電算室). It is also the generator of the sample in docs/:
///
///     CARDGATE_SAMPLE_DIR=$PWD/docs swift test --skip-build --filter EntryBookSampleTests
///
/// writes docs/entry-book-sample.html and docs/entry-book-sample.pdf. Needs weasyprint and pdftotext; no pcscd.
@Suite struct EntryBookSampleTests {
    static var toolsPresent: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/weasyprint") && FileManager.default.isExecutableFile(atPath: "/usr/bin/pdftotext")
    }

    /// A registry with the people and the room, and a history of one week, in a new folder (the registry beside the
    /// history database, where the report looks for it).
    static func makeInstallation() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("entry-book-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let hasher = PINHasher(pepper: try Pepper.create(at: folder + "/pepper"),
                               parameters: try ScryptParameters(logN: 10, r: 8, p: 1, allowBelowMinimum: true))
        let registry = try Registry(path: folder + "/" + Registry.defaultFileName, hasher: hasher, create: true)
        try registry.initialEnrolment.enrol(NewOperator(id: "pa-001", name: "山田 花子", roles: [.pinAdmin, .administrator]),
                                            card: GatewayRig.randomBinding(), pin: PIN("739104"))
        for (id, name) in [("op-0012", "佐藤 一郎"), ("op-0027", "鈴木 美咲"), ("op-0031", "高橋 健太"), ("op-0045", "田村 翔")] {
            try registry.operators.add(NewOperator(id: id, name: name), by: "pa-001")
        }
        try registry.rooms.add(Room(id: "R1", name: "電算室", requiresPIN: true, antiPassback: false, twoPerson: true), by: "pa-001")

        let clock = FixedClock(Date(timeIntervalSince1970: 0))
        try FileManager.default.createDirectory(atPath: folder + "/witness", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let store = try HistoryStore(
            configuration: HistoryConfiguration(databasePath: folder + "/history.sqlite", archiveDirectory: folder + "/archive",
                                                signingKeyPath: folder + "/history-signing.key",
                                                witness: WitnessConfiguration(files: [folder + "/witness/history.witness"])),
            signingKey: try CheckpointSigningKey.create(folder + "/history-signing.key"), clock: clock)
        try SampleWeek(store: store, clock: clock).write()
        return folder
    }

    @Test(.enabled(if: toolsPresent, "needs weasyprint and pdftotext: apt-get install weasyprint poppler-utils fonts-ipaexfont-gothic"))
    func namesComeFromTheRegistryAndTheSampleIsMade() throws {
        let folder = try Self.makeInstallation()
        let book = ["history", "report", "entry-book", "--room", "R1", "--from", "2026-04-06", "--to", "2026-04-13",
                    "--database", folder + "/history.sqlite", "--archive-dir", folder + "/archive", "--printed-at", "2026-04-13T01:30:00Z"]
        let html = folder + "/entry-book-sample.html"
        let pdf = folder + "/entry-book-sample.pdf"
        let madeHTML = try BuiltTools.run(try BuiltTools.cardgate(), book + ["--format", "html", "--output", html])
        #expect(madeHTML.status == 0, "\(madeHTML.output)")
        let madePDF = try BuiltTools.run(try BuiltTools.cardgate(), book + ["--format", "pdf", "--output", pdf])
        #expect(madePDF.status == 0, "\(madePDF.output)")

        let page = try String(contentsOfFile: html, encoding: .utf8)
        for expected in ["<span class=\"room\">電算室</span>（R1）", "佐藤 一郎<br><span class=\"id\">op-0012</span>",
                         "二人制入室（同行: 鈴木 美咲（op-0027））", "<span class=\"visitor\">中村 誠</span>", "東都システム保守株式会社",
                         "退室ボタンによる退室（人物不明）", "4/11 01:10", "未登録のカード", "全扉の非常開放（指令）"] {
            #expect(page.contains(expected), "the page lacks \(expected)")
        }
        #expect(!page.contains("class=\"notice\""))  // names were read
        let text = try BuiltTools.run(try BuiltTools.cardgate(), book + ["--format", "text"])
        #expect(text.status == 0 && text.output.contains("電算室（R1）") && text.output.contains("佐藤 一郎 (op-0012)"), "\(text.output)")
        let printed = try BuiltTools.run("/usr/bin/pdftotext", ["-layout", pdf, "-"]).output
        for expected in ["電算室", "佐藤 一郎", "中村 誠", "高橋 健太", "確認印", "Entries and exits", "2026年4月6日（月）"] {
            #expect(printed.contains(expected), "the PDF's text lacks \(expected)")
        }
        #expect(printed.contains(/\s1 ?\/ ?\d+\s/), "no page number 1 / N")

        if let docs = ProcessInfo.processInfo.environment["CARDGATE_SAMPLE_DIR"] {
            for file in ["entry-book-sample.html", "entry-book-sample.pdf"] {
                let target = docs + "/" + file
                try? FileManager.default.removeItem(atPath: target)
                try FileManager.default.copyItem(atPath: folder + "/" + file, toPath: target)
                try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: target)
            }
        }
        try? FileManager.default.removeItem(atPath: folder)
    }
}

/// One fictitious week in the computer room R1 (times in Tokyo), as the gateway records it.
private struct SampleWeek {
    let store: HistoryStore
    let clock: FixedClock

    static let cards = ["op-0012": "3F2A9C0E51B74D21A0C3E8F6D2B15A77", "op-0027": "81D04B6A2F3C4E5D9A8B7C6D5E4F3A21",
                        "op-0031": "C47E1D2A3B4C5D6E7F8091A2B3C4D5E6", "op-0045": "0B9A8C7D6E5F40312A3B4C5D6E7F8091"]

    /// `day` of April 2026, at `time` ("09:02" or "09:02:05") in Tokyo.
    func at(_ day: Int, _ time: String) {
        let p = time.split(separator: ":").map { Int($0)! }
        let seconds = Double(p[0] - 9) * 3600 + Double(p[1]) * 60 + Double(p.count > 2 ? p[2] : 0)
        clock.set(Date(timeIntervalSince1970: 1_775_001_600) + Double(day - 1) * 86_400 + seconds)  // 2026-04-01 00:00 UTC
    }

    func door(_ kind: EventKind, _ who: String?, _ details: EventDetails, result: EventResult = .success) throws {
        try store.append(NewEvent(kind: kind, result: result, actor: who, card: who.flatMap { Self.cards[$0] }, place: "R1", details: details))
    }

    func pass(_ kind: EventKind, _ people: [String], door d: String = "D1", outside: Bool = false) throws {
        for (i, who) in people.enumerated() {
            if i > 0 { clock.advance(0.004) }
            try door(kind, who, EventDetails(reason: kind == .doorEntry ? "in" : "out", outsideGrantedHours: outside ? true : nil, door: d))
        }
    }

    func visitor(_ kind: EventKind, escort: String) throws {
        clock.advance(0.003)
        try door(kind, escort, EventDetails(reason: kind == .doorEntry ? "in" : "out", door: "D1", visitor: "中村 誠", organisation: "東都システム保守株式会社"))
    }

    func write() throws {
        // Monday 6: the morning check by two; a maintenance engineer escorted by 高橋.
        at(6, "09:02:10"); try pass(.doorEntry, ["op-0012", "op-0027"])
        at(6, "09:45:31"); try pass(.doorEntry, ["op-0031"]); try visitor(.doorEntry, escort: "op-0031")
        at(6, "11:30:02"); try pass(.doorExit, ["op-0031"]); try visitor(.doorExit, escort: "op-0031")
        at(6, "11:58:40"); try pass(.doorExit, ["op-0012", "op-0027"])
        // Tuesday 7: a refusal before hours; the door held open during a delivery, acknowledged by the supervisor.
        at(7, "08:15:09"); try door(.doorRefused, "op-0045", EventDetails(reason: "outside-hours", door: "D1"), result: .denied)
        at(7, "09:00:55"); try pass(.doorEntry, ["op-0012", "op-0031"])
        at(7, "10:20:00"); try door(.doorAlarm, nil, EventDetails(reason: "held-open", door: "D1"), result: .failure)
        at(7, "10:21:13"); try door(.doorAlarmAcknowledged, "uid:1001", EventDetails(reason: "held-open", door: "D1"))
        at(7, "10:22:40"); try door(.doorAlarmCleared, nil, EventDetails(reason: "held-open", door: "D1"))
        at(7, "12:05:18"); try pass(.doorExit, ["op-0012", "op-0031"])
        // Wednesday 8: the supervisor lets 鈴木 leave alone; 高橋 leaves by the exit button.
        at(8, "13:00:04"); try pass(.doorEntry, ["op-0027", "op-0031"])
        at(8, "14:10:00"); try door(.doorOverride, "uid:1001", EventDetails(door: "D1"))
        at(8, "14:10:21"); try pass(.doorExit, ["op-0027"])
        at(8, "16:30:47"); try door(.doorExit, nil, EventDetails(reason: "request-to-exit", door: "D1"))
        // Thursday 9: an unknown card; the fire drill releases every door.
        at(9, "10:00:12"); try store.append(NewEvent(kind: .doorRefused, result: .denied, card: "5A1B2C3D4E5F60718293A4B5C6D7E8F9", place: "R1",
                                                     details: EventDetails(reason: "unknown-card", door: "D2")))
        at(9, "14:00:00"); try store.append(NewEvent(kind: .adminEmergency, result: .success, actor: "uid:0",
                                                     details: EventDetails(reason: "fire-drill", operation: "release-doors")))
        clock.advance(0.01); try door(.doorReleased, "uid:0", EventDetails(door: "D1"))
        clock.advance(0.01); try door(.doorReleased, "uid:0", EventDetails(door: "D2"))
        at(9, "14:15:30"); try door(.doorRestored, "uid:0", EventDetails(door: "D1"))
        clock.advance(0.01); try door(.doorRestored, "uid:0", EventDetails(door: "D2"))
        clock.advance(0.01); try store.append(NewEvent(kind: .adminEmergency, result: .success, actor: "uid:0",
                                                       details: EventDetails(reason: "restore", operation: "restore-doors")))
        // Friday 10: night work past midnight, one wrong PIN first.
        at(10, "22:28:03"); try door(.doorRefused, "op-0012", EventDetails(reason: "pin-wrong", door: "D1"), result: .denied)
        at(10, "22:30:26"); try pass(.doorEntry, ["op-0012", "op-0027"], outside: true)
        at(11, "01:10:09"); try pass(.doorExit, ["op-0012", "op-0027"], door: "D2")
    }
}
