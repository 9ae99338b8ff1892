import GRDB

/// The tables, indexes and append-only triggers of the live database and of archive files.
enum HistorySchema {
    static let eventsTable = """
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY,
            year INTEGER NOT NULL,
            time INTEGER NOT NULL,
            kind TEXT NOT NULL,
            result TEXT NOT NULL,
            actor TEXT,
            card TEXT,
            place TEXT,
            details BLOB NOT NULL,
            prev_hash BLOB NOT NULL,
            hash BLOB NOT NULL
        );
        CREATE TABLE checkpoints (
            seq INTEGER PRIMARY KEY,
            year INTEGER NOT NULL,
            time INTEGER NOT NULL,
            head_hash BLOB NOT NULL,
            signature BLOB NOT NULL
        );
        CREATE TABLE seals (
            year INTEGER PRIMARY KEY,
            first_seq INTEGER NOT NULL,
            last_seq INTEGER NOT NULL,
            count INTEGER NOT NULL,
            last_hash BLOB NOT NULL,
            prev_seal_hash BLOB NOT NULL,
            seal_hash BLOB NOT NULL,
            sealed_at INTEGER NOT NULL
        );
        """

    // Indexes for the investigation queries (clause 21) at tens of millions of rows: each filter column
    // is paired with time so that a period narrows the range scan.
    static let indexes = """
        CREATE INDEX events_time ON events(time);
        CREATE INDEX events_actor ON events(actor, time) WHERE actor IS NOT NULL;
        CREATE INDEX events_card ON events(card, time) WHERE card IS NOT NULL;
        CREATE INDEX events_place ON events(place, time) WHERE place IS NOT NULL;
        CREATE INDEX events_kind ON events(kind, time);
        """

    static func appendOnlyTriggers(deletableWhenArchived: Bool) -> String {
        let exception = deletableWhenArchived ? "WHEN NOT EXISTS (SELECT 1 FROM archives WHERE year = OLD.year)" : ""
        var sql = ""
        for table in ["events", "checkpoints"] {
            sql += """
                CREATE TRIGGER \(table)_no_update BEFORE UPDATE ON \(table)
                BEGIN SELECT RAISE(ABORT, 'history \(table) are append-only'); END;
                CREATE TRIGGER \(table)_no_delete BEFORE DELETE ON \(table) \(exception)
                BEGIN SELECT RAISE(ABORT, 'history \(table) are append-only; only archived years leave the live database'); END;

                """
        }
        let fixed = deletableWhenArchived ? ["seals", "archives", "purges"] : ["seals"]
        for table in fixed {
            sql += """
                CREATE TRIGGER \(table)_no_update BEFORE UPDATE ON \(table)
                BEGIN SELECT RAISE(ABORT, 'history \(table) are append-only'); END;
                CREATE TRIGGER \(table)_no_delete BEFORE DELETE ON \(table)
                BEGIN SELECT RAISE(ABORT, 'history \(table) are append-only'); END;

                """
        }
        return sql
    }

    /// The live database's migrations.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("history-v1") { db in
            try db.execute(sql: eventsTable)
            try db.execute(sql: """
                CREATE TABLE archives (
                    year INTEGER PRIMARY KEY REFERENCES seals(year),
                    file TEXT NOT NULL,
                    file_sha256 BLOB NOT NULL,
                    archived_at INTEGER NOT NULL
                );
                CREATE TABLE purges (
                    year INTEGER PRIMARY KEY REFERENCES archives(year),
                    purged_at INTEGER NOT NULL
                );
                """)
            try db.execute(sql: indexes)
            try db.execute(sql: appendOnlyTriggers(deletableWhenArchived: true))
        }
        return m
    }

    /// The schema of an archive file: the same tables, no exception to append-only.
    static func createArchive(_ db: Database) throws {
        try db.execute(sql: eventsTable)
        try db.execute(sql: indexes)
        try db.execute(sql: appendOnlyTriggers(deletableWhenArchived: false))
    }
}
