#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import Foundation
import History
import Installation

extension EntryBookCommand {
    /// `--format text`, `html` and `pdf`: the whole book (``EntryBookPage``), to standard output or a file (a PDF only to a
    /// file).
    func printBook() throws {
        // Refuse before reading a month of history: without weasyprint there will be no PDF.
        let weasyprint = chosenFormat == .pdf ? WeasyPrint.find() : nil
        if chosenFormat == .pdf, weasyprint == nil { throw CommandFailure(WeasyPrint.missing) }
        if let output { try ReportOutputFile.checkTarget(output, force: force) }
        let store = try options.openForReading()
        let zone = try bookTimeZone()
        let (r, f, t) = (room, try parseBookDate(from, option: "--from", zone: zone), try parseBookDate(to, option: "--to", zone: zone))
        if let f, let t, f >= t { throw ValidationError("--from must be before --to (--to is exclusive)") }
        let progress = ReportProgress()
        let book = try orExit { () throws(HistoryError) in
            try EntryBook.read(from: store, room: r, from: f, to: t) { progress.say("\($0) events read") }
        }
        let printed = try parseDate(printedAt, option: "--printed-at") ?? Date()
        var page = EntryBookPage(book: book, from: f, to: t, printedAt: printed, timeZone: zone)
        if let stamps { page.stampTitles = stamps.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        if noNames {
            page.notice = "操作者・室は ID で表示（氏名は登録簿を参照していない）。"
        } else {
            do {
                let names = try RegistryNames.read(path: try registryPath())
                page.operatorNames = names.operators
                page.roomName = names.rooms[room]
            } catch {
                warn("names not printed: \(error); operator and room ids only (or pass --no-names)")
                page.notice = "氏名・室名は登録簿を参照できなかったため ID で表示（登録簿はサービスアカウントのみ読み取り可）。"
            }
        }
        if chosenFormat == .text || chosenFormat == .html {
            let text = chosenFormat == .text ? page.text() : page.html()
            if let output { try ReportOutputFile.write(Data(text.utf8), to: output, force: force) } else { printOut(text) }
            progress.done()
            return
        }
        let html = page.html()
        guard let weasyprint, let output else { throw ValidationError("--format pdf needs --output FILE.pdf") }
        progress.say("\(book.visits.count) stays: rendering the PDF with weasyprint")
        let file = try ReportOutputFile(output, force: force)
        do {
            try WeasyPrint.render(html: html, with: weasyprint, into: file.handle)
        } catch {
            file.discard()  // never leave half a PDF behind
            throw error
        }
        try file.commit()
        progress.done()
    }

    /// The book's time zone: `--time-zone`, else the configuration file's `time-zone`, else Asia/Tokyo.
    private func bookTimeZone() throws -> TimeZone {
        if let timeZone, let zone = TimeZone(identifier: timeZone) { return zone }
        let file = options.config ?? Installation.defaultConfigurationFile()
        if options.config != nil || FileManager.default.fileExists(atPath: file),
           let installation = try? Installation(configurationFile: file) {
            return installation.configuration.timeZone
        }
        return TimeZone(identifier: "Asia/Tokyo") ?? .gmt
    }

    /// `--registry`, else `registry.sqlite` beside the history database (where the installation keeps it).
    private func registryPath() throws -> String {
        if let registry { return registry }
        let database = try options.configuration.databasePath
        return ((database as NSString).deletingLastPathComponent as NSString).appendingPathComponent("registry.sqlite")
    }

    /// A plain `YYYY-MM-DD` is midnight in the book's time zone; anything else as ``parseDate(_:option:)``.
    private func parseBookDate(_ text: String?, option: String, zone: TimeZone) throws -> Date? {
        guard let text else { return nil }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard text.count == 10, parts.count == 3, let y = parts[0], let m = parts[1], let d = parts[2] else {
            return try parseDate(text, option: option)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        guard let date = calendar.date(from: DateComponents(year: y, month: m, day: d)),
              calendar.component(.year, from: date) == y, calendar.component(.month, from: date) == m,
              calendar.component(.day, from: date) == d else {
            throw ValidationError("\(option) must be a date (2026-04-01) or an ISO 8601 time (2026-04-01T09:00:00Z)")
        }
        return date
    }

    private func warn(_ text: String) {
        FileHandle.standardError.write(Data("cardgate history report: \(text)\n".utf8))
    }
}

/// A progress line on standard error while a long book is read and rendered (only when standard error is a terminal).
private final class ReportProgress {
    private let shown = isatty(STDERR_FILENO) == 1
    private var said = false

    func say(_ text: String) {
        guard shown else { return }
        said = true
        FileHandle.standardError.write(Data("\r\u{1B}[Kcardgate history report: \(text)…".utf8))
    }

    func done() {
        guard shown, said else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
