import GRDB

/// The tables, indexes and append-only triggers of the live database and of archive files (schema v2: the
/// Merkle tree, chained checkpoint notes, seals that commit to the tree).
enum HistorySchema {
    /// The migration that creates schema v2.
    static let version = "history-v2"

    static let tables = """
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
            number INTEGER PRIMARY KEY,
            size INTEGER NOT NULL,
            year INTEGER NOT NULL,
            time INTEGER NOT NULL,
            root BLOB NOT NULL,
            note TEXT NOT NULL
        );
        CREATE TABLE seals (
            year INTEGER PRIMARY KEY,
            first_seq INTEGER NOT NULL,
            last_seq INTEGER NOT NULL,
            count INTEGER NOT NULL,
            last_hash BLOB NOT NULL,
            tree_root BLOB NOT NULL,
            last_checkpoint INTEGER NOT NULL,
            last_checkpoint_hash BLOB NOT NULL,
            last_checkpoint_note TEXT NOT NULL,
            prev_seal_hash BLOB NOT NULL,
            seal_hash BLOB NOT NULL,
            sealed_at INTEGER NOT NULL
        );
        CREATE TABLE tree_nodes (
            level INTEGER NOT NULL,
            idx INTEGER NOT NULL,
            hash BLOB NOT NULL,
            PRIMARY KEY (level, idx)
        ) WITHOUT ROWID;
        """

    // Indexes for the investigation queries (clause 21) at tens of millions of rows: each filter column
    // is paired with time so that a period narrows the range scan.
    static let indexes = """
        CREATE INDEX events_time ON events(time);
        CREATE INDEX events_actor ON events(actor, time) WHERE actor IS NOT NULL;
        CREATE INDEX events_card ON events(card, time) WHERE card IS NOT NULL;
        CREATE INDEX events_place ON events(place, time) WHERE place IS NOT NULL;
        CREATE INDEX events_kind ON events(kind, time);
        CREATE INDEX checkpoints_size ON checkpoints(size);
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
        let fixed = deletableWhenArchived ? ["seals", "tree_nodes", "archives", "purges"] : ["seals", "tree_nodes"]
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
        m.registerMigration(version) { db in
            if try db.tableExists("events") {
                throw HistoryError(.storage, "this history database was made by an earlier CardGate (schema v1, without the Merkle tree); it is not converted in place: keep it and its archives read-only with the old version, and start a new history (docs/history.md)")
            }
            try db.execute(sql: tables)
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
                -- The witness alarm: while a row is here, every write is refused (HistoryError.halted).
                CREATE TABLE halt (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    alarm_seq INTEGER NOT NULL,
                    reason TEXT NOT NULL,
                    witnessed_size INTEGER NOT NULL,
                    raised_at INTEGER NOT NULL
                );
                """)
            try db.execute(sql: indexes)
            try db.execute(sql: appendOnlyTriggers(deletableWhenArchived: true))
        }
        return m
    }

    /// Refuses a database that is not schema v2 (for read-only opening, where nothing is migrated).
    static func check(_ db: Database, path: String) throws {
        guard try db.tableExists("grdb_migrations"),
              try String.fetchOne(db, sql: "SELECT identifier FROM grdb_migrations WHERE identifier = ?", arguments: [version]) != nil else {
            if try db.tableExists("events") {
                throw HistoryError(.storage, "\(path) was made by an earlier CardGate (schema v1); read it with that version (docs/history.md)")
            }
            throw HistoryError(.storage, "\(path) is not a CardGate history database")
        }
    }

    /// The schema of an archive file: the same tables, no exception to append-only.
    static func createArchive(_ db: Database) throws {
        try db.execute(sql: tables)
        try db.execute(sql: indexes)
        try db.execute(sql: appendOnlyTriggers(deletableWhenArchived: false))
    }
}
