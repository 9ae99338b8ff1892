import Foundation
import GRDB

extension HistoryStore {
    /// Calls `body` for each selected event, oldest first, reading the archives of the years the period
    /// touches and then the live database. Stops early when `body` returns false or the limit is reached.
    public func forEachEvent(matching filter: EventFilter, _ body: (HistoryEvent) throws -> Bool) throws(HistoryError) {
        let (clause, arguments) = try filter.sql()
        var remaining = filter.limit ?? Int.max
        guard remaining > 0 else { return }
        do {
            let archives = try queue.read { db in
                try Row.fetchAll(db, sql: "SELECT year, file FROM archives WHERE year NOT IN (SELECT year FROM purges) ORDER BY year")
                    .map { (year: try $0.decode(Int.self, atIndex: 0), file: try $0.decode(String.self, atIndex: 1)) }
            }
            for a in archives where filter.overlaps(year: a.year) {
                let path = configuration.archivePath(year: a.year)
                guard a.file == HistoryConfiguration.archiveFileName(year: a.year), SecureFile.isRegularFile(path) else {
                    throw HistoryError(.archive, "the archive of \(a.year) (\(path)) is missing; run cardgate history verify")
                }
                let archive = try DatabaseQueue(path: path, configuration: Self.databaseConfiguration(busyTimeout: 1, readonly: true))
                let more = try archive.read { try Self.scan($0, clause, arguments, &remaining, body) }
                if !more { return }
            }
            _ = try queue.read { try Self.scan($0, clause, arguments, &remaining, body) }
        } catch let e as HistoryError {
            throw e
        } catch {
            throw HistoryError(.storage, "the history could not be read: \(error)")
        }
    }

    /// The selected events, oldest first.
    public func events(matching filter: EventFilter = EventFilter()) throws(HistoryError) -> [HistoryEvent] {
        var out: [HistoryEvent] = []
        try forEachEvent(matching: filter) { out.append($0); return true }
        return out
    }

    /// The number of events in the live database and the last sequence number.
    public func status() throws(HistoryError) -> (liveEvents: Int, lastSequence: Int64, checkpoints: Int, archivedYears: [Int]) {
        do {
            return try queue.read { db in
                (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events") ?? 0,
                 try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM events") ?? 0,
                 try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM checkpoints") ?? 0,
                 try Int.fetchAll(db, sql: "SELECT year FROM archives WHERE year NOT IN (SELECT year FROM purges) ORDER BY year"))
            }
        } catch {
            throw HistoryError(.storage, "the history could not be read: \(error)")
        }
    }

    private static func scan(_ db: Database, _ clause: String, _ arguments: StatementArguments, _ remaining: inout Int,
                             _ body: (HistoryEvent) throws -> Bool) throws -> Bool {
        let cursor = try Row.fetchCursor(db, sql: "SELECT \(ChainVerifier.columns) FROM events \(clause)", arguments: arguments)
        while let row = try cursor.next() {
            guard try body(try HistoryEvent(row: row)) else { return false }
            remaining -= 1
            if remaining == 0 { return false }
        }
        return true
    }
}

extension HistoryEvent {
    /// Decodes a row of `ChainVerifier.columns`. Throwing accessors only: a tampered row (a NULL or a value of another
    /// type, in the live database or an archive file) is an error that names the event, never a trap.
    init(row: Row) throws {
        let seq = try row.decode(Int64.self, atIndex: 0)
        let invalid = HistoryError(.storage, "event \(seq) has fields that are not valid; run cardgate history verify")
        do {
            guard let kind = EventKind(rawValue: try row.decode(String.self, atIndex: 3)),
                  let result = EventResult(rawValue: try row.decode(String.self, atIndex: 4)),
                  let details = EventDetails.decode([UInt8](try row.decode(Data.self, atIndex: 8))) else { throw invalid }
            self.init(sequence: seq, time: HistoryTime.date(millis: try row.decode(Int64.self, atIndex: 2)), kind: kind, result: result,
                      actor: try row.decode(String?.self, atIndex: 5), card: try row.decode(String?.self, atIndex: 6),
                      place: try row.decode(String?.self, atIndex: 7), details: details,
                      previousHash: [UInt8](try row.decode(Data.self, atIndex: 9)), hash: [UInt8](try row.decode(Data.self, atIndex: 10)))
        } catch {
            throw invalid
        }
    }
}
