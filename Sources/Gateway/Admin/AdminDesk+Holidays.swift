import Foundation
import GatewayAPI
import History
import Registry
import Vocabulary

extension AdminDesk {
    /// `holiday list [--year Y]`: the national holidays imported (of one year, or all), then the city's closing days
    /// from the configuration, which close grants that exclude holidays every year.
    func holidayList(_ body: AdminHolidayList, caller: Peer) async throws -> AdminReply {
        if let year = body.year, !(1900...2999).contains(year) {
            throw GatewayError(.invalidField, "--year must be a year such as 2027, not \(year)")
        }
        _ = try await authorize(caller, .viewRoomAccess, kind: .adminRoom)
        let registry = context.registry
        let (from, to) = (body.year.flatMap { CivilDate(year: $0, month: 1, day: 1) }, body.year.flatMap { CivilDate(year: $0, month: 12, day: 31) })
        let holidays = try await registryCall { try registry.holidays.list(from: from, to: to) }
        let closing = context.configuration.policy.closingDays.sorted()
        var lines = holidays.map { "\($0.day)  \($0.name)" }
        if holidays.isEmpty {
            lines.append(body.year.map { "no national holiday imported for \($0); import the calendar with cardgate holiday import FILE" }
                ?? "no national holiday imported; import the calendar with cardgate holiday import FILE")
        }
        lines.append("city closing days (every year): " + (closing.isEmpty ? "none" : closing.map(\.description).joined(separator: ", ")))
        return AdminReply(text: lines.joined(separator: "\n"),
                          json: try json(HolidayListView(holidays: holidays, closingDays: closing.map(\.description))))
    }

    /// `holiday import FILE`: the Cabinet Office's calendar, sent by the CLI as base64 and read here; one bad line
    /// refuses the file (naming the line) with nothing imported.
    func holidayImport(_ body: AdminHolidayImport, caller: Peer) async throws -> AdminReply {
        let (_, person) = try await authorize(caller, .manageRoomAccess, kind: .adminRoom)
        let file = String(body.file.prefix(100))
        var event = NewEvent(kind: .adminRoom, result: .success, actor: person.id, details: EventDetails(operation: "holiday-import", record: file))
        let entries: [HolidayEntry]
        do {
            guard let bytes = Data(base64Encoded: body.data) else {
                throw RegistryError(.invalidInput, "the holiday file did not arrive as base64")
            }
            entries = try HolidayCalendarFile.parse(Array(bytes))
        } catch {
            let refusal = await refused(event, error)
            throw GatewayError(.invalidField, "\(file): \((refusal as? GatewayError)?.message ?? "\(error)"); nothing was imported")
        }
        let days = entries.map(\.date)
        if let first = days.min(), let last = days.max() {
            event.details.record = String("\(first)..\(last)".prefix(100))
        }
        event.details.count = entries.count
        let actor = person.id
        let done = try await perform(event, by: actor) { try $0.holidays.importCalendar(entries, by: actor) }
        return AdminReply(
            text: "imported \(file): \(done.first) to \(done.last); \(done.added) added, \(done.renamed) renamed, \(done.unchanged) unchanged",
            json: try json(done))
    }
}

/// `holiday list --json`.
struct HolidayListView: Encodable {
    let holidays: [Holiday]
    let closingDays: [String]
}
