import GRDB
import Vocabulary

/// The registry's tables, constraints and triggers, as GRDB migrations.
///
/// Constraints repeat the services' checks in SQL (defence in depth): the card lifecycle is enforced by a
/// trigger against the `cardTransition` table, cards and ledger entries cannot be deleted, and the
/// ledger's change record is written by triggers and cannot be updated or deleted.
enum RegistrySchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-registry") { db in
            let roles = Role.allCases.map { "'\($0.rawValue)'" }.joined(separator: ",")
            let statuses = CardStatus.allCases.map { "'\($0.rawValue)'" }.joined(separator: ",")
            let reasons = RevocationReason.allCases.map { "'\($0.rawValue)'" }.joined(separator: ",")
            let kinds = EquipmentKind.allCases.map { "'\($0.rawValue)'" }.joined(separator: ",")
            let equipmentStatuses = EquipmentStatus.allCases.map { "'\($0.rawValue)'" }.joined(separator: ",")
            try db.execute(sql: """
                CREATE TABLE operator (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL CHECK (length(name) > 0),
                    status TEXT NOT NULL CHECK (status IN ('active','disabled')),
                    validFrom TEXT,
                    validTo TEXT,
                    createdAt TEXT NOT NULL,
                    updatedAt TEXT NOT NULL
                ) STRICT;
                CREATE TABLE operatorRole (
                    operatorId TEXT NOT NULL REFERENCES operator(id),
                    role TEXT NOT NULL CHECK (role IN (\(roles))),
                    PRIMARY KEY (operatorId, role)
                ) STRICT, WITHOUT ROWID;
                CREATE TABLE operatorTerminal (
                    operatorId TEXT NOT NULL REFERENCES operator(id),
                    terminalId TEXT NOT NULL,
                    PRIMARY KEY (operatorId, terminalId)
                ) STRICT, WITHOUT ROWID;
                CREATE TABLE operatorGroup (
                    operatorId TEXT NOT NULL REFERENCES operator(id),
                    groupName TEXT NOT NULL,
                    PRIMARY KEY (operatorId, groupName)
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX operatorGroupByName ON operatorGroup(groupName);

                CREATE TABLE card (
                    guid TEXT PRIMARY KEY NOT NULL CHECK (length(guid) = 32 AND guid NOT GLOB '*[^0-9a-f]*'),
                    fascn TEXT CHECK (fascn IS NULL OR (length(fascn) = 50 AND fascn NOT GLOB '*[^0-9a-f]*')),
                    publicKey BLOB NOT NULL,
                    fingerprint TEXT NOT NULL UNIQUE CHECK (length(fingerprint) = 64 AND fingerprint NOT GLOB '*[^0-9a-f]*'),
                    operatorId TEXT NOT NULL REFERENCES operator(id),
                    status TEXT NOT NULL CHECK (status IN (\(statuses))),
                    revocationReason TEXT CHECK (revocationReason IN (\(reasons))),
                    issuedAt TEXT NOT NULL,
                    expiresAt TEXT NOT NULL,
                    activatedAt TEXT,
                    revokedAt TEXT,
                    collectedAt TEXT,
                    destroyedAt TEXT,
                    updatedAt TEXT NOT NULL,
                    CHECK ((status IN ('revoked','collected','destroyed')) = (revocationReason IS NOT NULL))
                ) STRICT;
                CREATE INDEX cardByOperator ON card(operatorId);
                CREATE TABLE cardTransition (
                    fromStatus TEXT NOT NULL,
                    toStatus TEXT NOT NULL,
                    PRIMARY KEY (fromStatus, toStatus)
                ) STRICT, WITHOUT ROWID;
                CREATE TRIGGER cardLifecycle BEFORE UPDATE OF status ON card
                    WHEN NEW.status <> OLD.status AND NOT EXISTS
                        (SELECT 1 FROM cardTransition WHERE fromStatus = OLD.status AND toStatus = NEW.status)
                    BEGIN SELECT RAISE(ABORT, 'card status change not in the lifecycle'); END;
                CREATE TRIGGER cardIdentityFrozen BEFORE UPDATE OF guid, publicKey, fingerprint, operatorId, issuedAt ON card
                    BEGIN SELECT RAISE(ABORT, 'a card''s identity, key and holder never change'); END;
                CREATE TRIGGER cardNeverDeleted BEFORE DELETE ON card
                    BEGIN SELECT RAISE(ABORT, 'cards are never deleted; revoke, collect and destroy them'); END;

                CREATE TABLE pinCredential (
                    cardGuid TEXT PRIMARY KEY NOT NULL REFERENCES card(guid),
                    hash TEXT NOT NULL CHECK (hash LIKE '$scrypt$%'),
                    failures INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
                    blocked INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),
                    mustChange INTEGER NOT NULL DEFAULT 1 CHECK (mustChange IN (0, 1)),
                    changedAt TEXT NOT NULL,
                    lastFailureAt TEXT
                ) STRICT;
                CREATE TABLE pinHistory (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    cardGuid TEXT NOT NULL REFERENCES card(guid),
                    hash TEXT NOT NULL,
                    retiredAt TEXT NOT NULL
                ) STRICT;
                CREATE INDEX pinHistoryByCard ON pinHistory(cardGuid, id);

                CREATE TABLE room (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL CHECK (length(name) > 0),
                    requiresPIN INTEGER NOT NULL CHECK (requiresPIN IN (0, 1)),
                    antiPassback INTEGER NOT NULL CHECK (antiPassback IN (0, 1)),
                    createdAt TEXT NOT NULL
                ) STRICT;
                CREATE TABLE roomGrant (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    roomId TEXT NOT NULL REFERENCES room(id),
                    operatorId TEXT REFERENCES operator(id),
                    groupName TEXT,
                    weekdays INTEGER NOT NULL CHECK (weekdays BETWEEN 1 AND 127),
                    fromMinute INTEGER NOT NULL CHECK (fromMinute BETWEEN 0 AND 1439),
                    toMinute INTEGER NOT NULL CHECK (toMinute BETWEEN 1 AND 1440),
                    validFrom TEXT,
                    validTo TEXT,
                    mode TEXT NOT NULL CHECK (mode IN ('card','card+pin')),
                    createdAt TEXT NOT NULL,
                    createdBy TEXT NOT NULL,
                    revokedAt TEXT,
                    revokedBy TEXT,
                    CHECK ((operatorId IS NULL) <> (groupName IS NULL)),
                    CHECK (fromMinute < toMinute)
                ) STRICT;
                CREATE INDEX roomGrantByRoom ON roomGrant(roomId);

                CREATE TABLE equipment (
                    id TEXT PRIMARY KEY NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN (\(kinds))),
                    name TEXT NOT NULL CHECK (length(name) > 0),
                    location TEXT NOT NULL,
                    serial TEXT,
                    status TEXT NOT NULL CHECK (status IN (\(equipmentStatuses))),
                    version TEXT,
                    sha256 TEXT CHECK (sha256 IS NULL OR (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*')),
                    changedAt TEXT NOT NULL,
                    changedBy TEXT NOT NULL,
                    changeNote TEXT,
                    CHECK (kind <> 'program' OR (version IS NOT NULL AND sha256 IS NOT NULL))
                ) STRICT;
                CREATE TABLE equipmentChange (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    equipmentId TEXT NOT NULL,
                    action TEXT NOT NULL CHECK (action IN ('add','change','retire')),
                    at TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    note TEXT,
                    before TEXT,
                    after TEXT NOT NULL
                ) STRICT;
                CREATE INDEX equipmentChangeByItem ON equipmentChange(equipmentId, seq);
                CREATE TRIGGER equipmentAdded AFTER INSERT ON equipment BEGIN
                    INSERT INTO equipmentChange (equipmentId, action, at, actor, note, before, after)
                    VALUES (NEW.id, 'add', NEW.changedAt, NEW.changedBy, NEW.changeNote, NULL,
                        json_object('id', NEW.id, 'kind', NEW.kind, 'name', NEW.name, 'location', NEW.location,
                            'serial', NEW.serial, 'status', NEW.status, 'version', NEW.version, 'sha256', NEW.sha256));
                END;
                CREATE TRIGGER equipmentChanged AFTER UPDATE ON equipment BEGIN
                    INSERT INTO equipmentChange (equipmentId, action, at, actor, note, before, after)
                    VALUES (NEW.id,
                        CASE WHEN NEW.status = 'retired' THEN 'retire' ELSE 'change' END,
                        NEW.changedAt, NEW.changedBy, NEW.changeNote,
                        json_object('id', OLD.id, 'kind', OLD.kind, 'name', OLD.name, 'location', OLD.location,
                            'serial', OLD.serial, 'status', OLD.status, 'version', OLD.version, 'sha256', OLD.sha256),
                        json_object('id', NEW.id, 'kind', NEW.kind, 'name', NEW.name, 'location', NEW.location,
                            'serial', NEW.serial, 'status', NEW.status, 'version', NEW.version, 'sha256', NEW.sha256));
                END;
                CREATE TRIGGER equipmentIdentityFrozen BEFORE UPDATE OF id, kind ON equipment
                    BEGIN SELECT RAISE(ABORT, 'a ledger entry''s id and kind never change; retire it and add a new one'); END;
                CREATE TRIGGER equipmentRetiredFrozen BEFORE UPDATE ON equipment WHEN OLD.status = 'retired'
                    BEGIN SELECT RAISE(ABORT, 'a retired ledger entry never changes'); END;
                CREATE TRIGGER equipmentNeverDeleted BEFORE DELETE ON equipment
                    BEGIN SELECT RAISE(ABORT, 'ledger entries are never deleted; retire them'); END;
                CREATE TRIGGER equipmentChangeNoUpdate BEFORE UPDATE ON equipmentChange
                    BEGIN SELECT RAISE(ABORT, 'the equipment change record is append-only'); END;
                CREATE TRIGGER equipmentChangeNoDelete BEFORE DELETE ON equipmentChange
                    BEGIN SELECT RAISE(ABORT, 'the equipment change record is append-only'); END;

                CREATE TABLE adminSession (
                    tokenHash BLOB PRIMARY KEY NOT NULL CHECK (length(tokenHash) = 32),
                    operatorId TEXT NOT NULL REFERENCES operator(id),
                    cardGuid TEXT NOT NULL REFERENCES card(guid),
                    createdAt TEXT NOT NULL,
                    expiresAt TEXT NOT NULL,
                    CHECK (expiresAt > createdAt)
                ) STRICT;
                """)
            for (from, targets) in CardStatus.transitions {
                for to in targets {
                    try db.execute(sql: "INSERT INTO cardTransition (fromStatus, toStatus) VALUES (?, ?)",
                                   arguments: [from.rawValue, to.rawValue])
                }
            }
        }
        migrator.registerMigration("v2-doors") { db in
            // Doors of municipal server rooms: two-person rooms and occupancy limits; escort grants, grants closed on
            // holidays, hours that cross midnight (a night shift is one grant); the holiday calendar.
            try db.execute(sql: """
                ALTER TABLE room ADD COLUMN twoPerson INTEGER NOT NULL DEFAULT 0 CHECK (twoPerson IN (0, 1));
                ALTER TABLE room ADD COLUMN occupancyLimit INTEGER CHECK (occupancyLimit IS NULL OR occupancyLimit BETWEEN 1 AND 9999);

                CREATE TABLE roomGrantV2 (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    roomId TEXT NOT NULL REFERENCES room(id),
                    operatorId TEXT REFERENCES operator(id),
                    groupName TEXT,
                    weekdays INTEGER NOT NULL CHECK (weekdays BETWEEN 1 AND 127),
                    fromMinute INTEGER NOT NULL CHECK (fromMinute BETWEEN 0 AND 1439),
                    toMinute INTEGER NOT NULL CHECK (toMinute BETWEEN 1 AND 1440),
                    validFrom TEXT,
                    validTo TEXT,
                    mode TEXT NOT NULL CHECK (mode IN ('card','card+pin')),
                    escort INTEGER NOT NULL DEFAULT 0 CHECK (escort IN (0, 1)),
                    excludeHolidays INTEGER NOT NULL DEFAULT 0 CHECK (excludeHolidays IN (0, 1)),
                    createdAt TEXT NOT NULL,
                    createdBy TEXT NOT NULL,
                    revokedAt TEXT,
                    revokedBy TEXT,
                    CHECK ((operatorId IS NULL) <> (groupName IS NULL)),
                    CHECK (fromMinute <> toMinute AND (toMinute < 1440 OR fromMinute < toMinute))
                ) STRICT;
                INSERT INTO roomGrantV2 (id, roomId, operatorId, groupName, weekdays, fromMinute, toMinute, validFrom, validTo,
                                         mode, createdAt, createdBy, revokedAt, revokedBy)
                    SELECT id, roomId, operatorId, groupName, weekdays, fromMinute, toMinute, validFrom, validTo,
                           mode, createdAt, createdBy, revokedAt, revokedBy FROM roomGrant;
                DROP TABLE roomGrant;
                ALTER TABLE roomGrantV2 RENAME TO roomGrant;
                CREATE INDEX roomGrantByRoom ON roomGrant(roomId);

                CREATE TABLE holiday (
                    day TEXT PRIMARY KEY NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
                    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
                    importedAt TEXT NOT NULL,
                    importedBy TEXT NOT NULL
                ) STRICT;
                """)
        }
        return migrator
    }
}
