import Foundation
import Testing
@testable import History

/// The printed entry book through the real tools: the built `cardgate`, weasyprint and pdftotext (poppler-utils).
@Suite(.serialized) struct EntryBookPDFTests {
    static let weasyprint = "/usr/bin/weasyprint"
    static let pdftotext = "/usr/bin/pdftotext"
    static var toolsPresent: Bool {
        FileManager.default.isExecutableFile(atPath: weasyprint) && FileManager.default.isExecutableFile(atPath: pdftotext)
    }

    /// Runs a program; standard error goes to a file, so neither pipe can fill up.
    static func run(_ path: String, _ arguments: [String], in dir: String,
                    environment: [String: String] = [:]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let out = Pipe()
        let errorFile = dir + "/stderr-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: errorFile, contents: nil)
        let errors = try FileHandle(forWritingTo: URL(fileURLWithPath: errorFile))
        process.standardOutput = out
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try errors.close()
        let message = try String(contentsOfFile: errorFile, encoding: .utf8)
        return (process.terminationStatus, String(decoding: data, as: UTF8.self), message)
    }

    /// A month of a server room: two-person morning checks, a maintenance visitor, refusals, an alarm, a fire drill.
    static func fill(_ store: HistoryStore, clock: FixedClock) throws {
        func add(_ day: Int, _ hour: Int, _ minute: Double, _ e: NewEvent) throws {
            clock.set(date(2026, 4, day) + Double(hour - 9) * 3600 + minute * 60)  // hour in Tokyo (UTC+9)
            try store.append(e)
        }
        func door(_ kind: EventKind, _ who: String?, _ details: EventDetails = EventDetails(door: "D1"), result: EventResult = .success) -> NewEvent {
            NewEvent(kind: kind, result: result, actor: who, card: who.flatMap { $0.hasPrefix("op-") ? "C0FFEE\($0.suffix(2))000000000000000000000000" : nil }, place: "SR-3F",
                     details: details)
        }
        for day in 1...30 {
            try add(day, 9, 0, door(.doorEntry, "op-12", EventDetails(reason: "in", door: "D1")))
            try add(day, 9, 0.01, door(.doorEntry, "op-27", EventDetails(reason: "in", door: "D1")))
            if day == 3 {
                try add(day, 9, 0.02, door(.doorEntry, "op-27", EventDetails(reason: "in", door: "D1", visitor: "保守 太郎", organisation: "東都システム保守")))
            }
            try add(day, 11, 30, door(.doorExit, "op-12", EventDetails(reason: "out", door: "D1")))
            try add(day, 11, 30.01, door(.doorExit, "op-27", EventDetails(reason: "out", door: "D1")))
            if day == 3 {
                try add(day, 11, 30.02, door(.doorExit, "op-27", EventDetails(reason: "out", door: "D1", visitor: "保守 太郎", organisation: "東都システム保守")))
            }
            // The history is in time order: each day's other events after its stays.
            if day == 5 { try add(day, 22, 15, door(.doorRefused, "op-45", EventDetails(reason: "outside-hours", door: "D1"), result: .denied)) }
            if day == 7 {
                try add(day, 14, 0, door(.doorAlarm, nil, EventDetails(reason: "forced-open", door: "D1"), result: .failure))
                try add(day, 14, 2, door(.doorAlarmAcknowledged, "uid:1001", EventDetails(reason: "forced-open", door: "D1")))
                try add(day, 14, 3, door(.doorAlarmCleared, nil, EventDetails(reason: "forced-open", door: "D1")))
            }
            if day == 10 {
                try add(day, 15, 0, NewEvent(kind: .adminEmergency, result: .success, actor: "uid:0",
                                             details: EventDetails(reason: "fire-drill", operation: "release-doors")))
                try add(day, 15, 0.01, door(.doorReleased, "uid:0"))
                try add(day, 15, 20, door(.doorRestored, "uid:0"))
            }
        }
    }

    @Test(.enabled(if: toolsPresent, "needs weasyprint and pdftotext: apt-get install weasyprint poppler-utils fonts-ipaexfont-gothic"))
    func thePrintedBookHoldsTheRoomPeopleVisitorsRefusalsStampsAndPageNumbers() throws {
        let tool = try BuiltTool("cardgate")
        let f = try HistoryFixture()
        let clock = FixedClock(date(2026, 4, 1))
        try Self.fill(try f.store(clock: clock), clock: clock)
        let history = ["--database", f.configuration.databasePath, "--archive-dir", f.configuration.archiveDirectory]
        let book = ["history", "report", "entry-book", "--room", "SR-3F", "--from", "2026-04-01", "--to", "2026-05-01"] + history
        let pdf = f.dir + "/SR-3F-2026-04.pdf"

        let made = try Self.run(tool.path, book + ["--format", "pdf", "--output", pdf], in: f.dir)
        #expect(made.status == 0, "\(made.errors)")
        #expect(made.output.isEmpty)
        #expect(made.errors.contains("names not printed"))  // no registry beside this history
        let mode = try FileManager.default.attributesOfItem(atPath: pdf)[.posixPermissions] as? Int
        #expect(mode == 0o640)

        let text = try Self.run(Self.pdftotext, ["-layout", pdf, "-"], in: f.dir).output
        for expected in ["入退室管理簿", "SR-3F", "op-12", "op-27", "保守 太郎", "東都システム保守", "許可時間外", "outside-hours",
                         "確認印", "担当", "係長", "課長", "強制開扉", "uid:1001", "非常開放", "2026年4月1日（水） 〜 2026年4月30日（木）"] {
            #expect(text.contains(expected), "the PDF's text lacks \(expected)")
        }
        // The footer's `1 / N` (pdftotext may drop the spaces around the slash).
        let pages = text.firstMatch(of: /\s1 ?\/ ?(\d+)\s/).flatMap { Int($0.1) } ?? 0
        #expect(pages >= 2, "no page numbering 1 / N in: \(text.prefix(3000))")
        let second = try Self.run(Self.pdftotext, ["-layout", "-f", "2", "-l", "2", pdf, "-"], in: f.dir).output
        let pageTwo = try Regex("\\s2 ?/ ?\(pages)\\s")
        #expect(second.contains("滞在時間") && second.contains(pageTwo), "page 2 repeats the table header: \(second.prefix(2000))")

        let again = try Self.run(tool.path, book + ["--format", "pdf", "--output", pdf], in: f.dir)
        #expect(again.status != 0 && again.errors.contains("exists; add --force"))
        let forced = try Self.run(tool.path, book + ["--format", "pdf", "--output", pdf, "--force", "--no-names"], in: f.dir)
        #expect(forced.status == 0 && forced.errors.isEmpty, "\(forced.errors)")
        let toTerminal = try Self.run(tool.path, book + ["--format", "pdf"], in: f.dir)
        #expect(toTerminal.status != 0 && toTerminal.errors.contains("--output FILE.pdf"))
        // Written atomically: no temporary file is left beside the PDF.
        let left = try FileManager.default.contentsOfDirectory(atPath: f.dir).filter { $0.hasSuffix(".tmp") }
        #expect(left.isEmpty, "\(left)")
    }

    @Test func withoutWeasyprintThePDFIsRefusedClearlyAndNoFileIsMade() throws {
        let tool = try BuiltTool("cardgate")
        let f = try HistoryFixture()
        let clock = FixedClock(date(2026, 4, 1))
        try Self.fill(try f.store(clock: clock), clock: clock)
        let pdf = f.dir + "/book.pdf"
        let run = try Self.run(tool.path, ["history", "report", "entry-book", "--room", "SR-3F", "--format", "pdf", "--output", pdf,
                                           "--database", f.configuration.databasePath, "--archive-dir", f.configuration.archiveDirectory],
                               in: f.dir, environment: ["CARDGATE_WEASYPRINT": f.dir + "/no-such-weasyprint"])
        #expect(run.status != 0)
        #expect(run.errors.contains("--format pdf needs weasyprint, which is not installed") && run.errors.contains("apt-get install weasyprint"),
                "\(run.errors)")
        #expect(!FileManager.default.fileExists(atPath: pdf))
        let left = try FileManager.default.contentsOfDirectory(atPath: f.dir).filter { $0.hasSuffix(".tmp") }
        #expect(left.isEmpty, "\(left)")
    }

    @Test func theTextBookGoesToAFileWithMode0640AndIsNotOverwrittenWithoutForce() throws {
        let tool = try BuiltTool("cardgate")
        let f = try HistoryFixture()
        let clock = FixedClock(date(2026, 4, 1))
        try Self.fill(try f.store(clock: clock), clock: clock)
        let book = ["history", "report", "entry-book", "--room", "SR-3F", "--from", "2026-04-05", "--to", "2026-04-08", "--no-names",
                    "--database", f.configuration.databasePath, "--archive-dir", f.configuration.archiveDirectory]
        let out = try Self.run(tool.path, book + ["--format", "text"], in: f.dir)
        #expect(out.status == 0, "\(out.errors)")
        for expected in ["入退室管理簿 — Room entry and exit book", "■ 入退室記録 — Entries and exits（6 件）", "── 2026年4月5日（日） ──",
                         "── 2026年4月7日（火） ──", "許可時間外 (outside-hours)", "強制開扉（こじ開け） (forced-open)", "uid:1001"] {
            #expect(out.output.contains(expected), "the text lacks \(expected)")
        }
        let file = f.dir + "/book.txt"
        _ = FileManager.default.createFile(atPath: file, contents: Data("kept".utf8))
        let refused = try Self.run(tool.path, book + ["--format", "text", "--output", file], in: f.dir)
        #expect(refused.status != 0 && refused.errors.contains("exists; add --force"))
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "kept")
        let forced = try Self.run(tool.path, book + ["--format", "text", "--output", file, "--force"], in: f.dir)
        #expect(forced.status == 0, "\(forced.errors)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == out.output)
        #expect(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int == 0o640)
        let link = f.dir + "/link.txt"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: file)
        let throughLink = try Self.run(tool.path, book + ["--format", "text", "--output", link, "--force"], in: f.dir)
        #expect(throughLink.status != 0 && throughLink.errors.contains("not a regular file"))
        let backwards = try Self.run(tool.path, book.map { $0 == "2026-04-05" ? "2026-04-09" : $0 } + ["--format", "text"], in: f.dir)
        #expect(backwards.status != 0 && backwards.errors.contains("--from must be before --to"))
    }

    @Test func htmlGoesToStandardOutputAndCsvIsAsBefore() throws {
        let tool = try BuiltTool("cardgate")
        let f = try HistoryFixture()
        let clock = FixedClock(date(2026, 4, 1))
        try Self.fill(try f.store(clock: clock), clock: clock)
        let book = ["history", "report", "entry-book", "--room", "SR-3F", "--from", "2026-04-01", "--to", "2026-04-02",
                    "--database", f.configuration.databasePath, "--archive-dir", f.configuration.archiveDirectory]
        let html = try Self.run(tool.path, book + ["--format", "html", "--no-names", "--stamps", "担当,課長"], in: f.dir)
        #expect(html.status == 0, "\(html.errors)")
        #expect(html.output.hasPrefix("<!DOCTYPE html>") && html.output.contains("<tr><th>担当</th><th>課長</th></tr>"))
        #expect(html.output.contains("09:00") && html.output.contains("二人制入室（同行: op-27）"))
        let csv = try Self.run(tool.path, book + ["--csv"], in: f.dir)
        #expect(csv.status == 0)
        #expect(csv.output.hasPrefix("person,card,entry,exit,duration,note\r\nop-12,C0FFEE12"))
        #expect(csv.output.contains("2026-04-01T00:00:00.000Z,2026-04-01T02:30:00.000Z,2:30,\r\n"))
        let wrong = try Self.run(tool.path, book + ["--csv", "--format", "html"], in: f.dir)
        #expect(wrong.status != 0)
    }
}
