import GRDB
import GRDBSQLite

/// Copies rows between two open databases with prepared statements (the export reads the live database and
/// the archives read-only, so it cannot attach them to a writable connection).
enum RowCopy {
    /// Inserts every row that `sql` selects from `source` into `table` of `target` (same columns, same order);
    /// returns the number of rows. `table` is one of the schema's own names, never an input.
    @discardableResult
    static func copy(from source: Database, sql: String, arguments: StatementArguments = [], into target: Database, table: String) throws -> Int {
        let select = try source.makeStatement(sql: sql)
        try select.setArguments(arguments)
        let from = select.sqliteStatement
        let columns = sqlite3_column_count(from)
        let insert = try target.makeStatement(sql: "INSERT INTO \(table) VALUES (\(Array(repeating: "?", count: Int(columns)).joined(separator: ", ")))")
        let to = insert.sqliteStatement
        defer { sqlite3_reset(from); sqlite3_reset(to) }
        var count = 0
        while true {
            let rc = sqlite3_step(from)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw HistoryError(.storage, "rows could not be read: \(String(cString: sqlite3_errmsg(sqlite3_db_handle(from))))") }
            sqlite3_reset(to)
            for i in 0..<columns { sqlite3_bind_value(to, i + 1, sqlite3_column_value(from, i)) }
            guard sqlite3_step(to) == SQLITE_DONE else {
                throw HistoryError(.storage, "rows could not be written: \(String(cString: sqlite3_errmsg(sqlite3_db_handle(to))))")
            }
            count += 1
        }
        return count
    }
}
