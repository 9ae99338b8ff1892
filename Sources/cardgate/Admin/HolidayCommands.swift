import ArgumentParser
import Foundation
import GatewayAPI

/// `cardgate holiday …`: the national holiday calendar that grants made with `--exclude-holidays` follow.
struct HolidayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "holiday",
        abstract: "The holiday calendar: list, import.",
        subcommands: [HolidayListCommand.self, HolidayImportCommand.self]
    )
}

/// `cardgate holiday list`.
struct HolidayListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the national holidays imported and the city's closing days.",
        discussion: """
            An administrator or a supervisor. The city's closing days ([policy] closing-days, 年末年始) apply every year.
            Example: cardgate holiday list --year 2027
            """)
    @OptionGroup var options: AdminOptions
    @Option(help: "Only this calendar year.") var year: Int?
    @Flag(help: "Print a JSON document.") var json = false

    func validate() throws {
        if let year, !(1900...2999).contains(year) {
            throw ValidationError("--year must be a year such as 2027, not \(year)")
        }
    }

    func run() async throws {
        try await options.run(.holidayList(AdminHolidayList(year: year)), json: json)
    }
}

/// `cardgate holiday import`.
struct HolidayImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import the Cabinet Office's national holiday calendar (syukujitsu.csv).",
        discussion: """
            The administrator. The file (Shift_JIS or UTF-8, at most 1 MiB) is sent to the daemon, which checks every line \
            first: one bad line refuses the whole file, naming the line, and nothing is imported. Days already there stay; \
            changed names are updated.
            Example: cardgate holiday import syukujitsu.csv
            """)
    @OptionGroup var options: AdminOptions
    @Argument(help: "The calendar file.") var file: String

    static let maximumBytes = 1 << 20

    func run() async throws {
        let url = URL(fileURLWithPath: file)
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? nil
        guard let size else { throw CommandFailure("\(file) cannot be read: no such file, or not allowed") }
        guard size <= Self.maximumBytes else {
            throw CommandFailure("\(file) has \(size) bytes; a holiday calendar has at most \(Self.maximumBytes) (the real one is about 20 KB); nothing was imported")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw CommandFailure("\(file) cannot be read: \(error.localizedDescription)")
        }
        try await options.run(.holidayImport(AdminHolidayImport(file: url.lastPathComponent, data: data.base64EncodedString())))
    }
}
