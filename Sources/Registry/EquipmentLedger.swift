import Vocabulary
import Foundation
import GRDB

/// The equipment ledger (構成管理簿, clauses 14 (2), (5), (6) and 17): every reader, terminal, server,
/// program and storage medium, kept by the network administrator.
///
/// Each add, change and retirement is written to the change record by database triggers, with the actor
/// and an optional note; the record refuses UPDATE and DELETE, and entries are retired, never deleted.
public struct EquipmentLedger: Sendable {
    let registry: Registry

    /// Adds an entry. Programs need a version and a SHA-256 (64 hex digits); ids are unique.
    @discardableResult
    public func add(_ item: Equipment, note: String? = nil, by actor: String) throws(RegistryError) -> Equipment {
        let now = registry.now
        return try registry.write { db in
            _ = try registry.authorize(db, actor: actor, .manageLedger)
            let clean = try Self.validated(item)
            guard clean.status != .retired else {
                throw RegistryError(.invalidInput, "a new ledger entry cannot start retired")
            }
            if try Self.fetch(db, id: clean.id) != nil {
                throw RegistryError(.equipmentExists, "ledger entry \(clean.id) already exists; use `cardgate ledger change`")
            }
            try db.execute(sql: """
                INSERT INTO equipment (id, kind, name, location, serial, status, version, sha256, changedAt, changedBy, changeNote)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [clean.id, clean.kind.rawValue, clean.name, clean.location, clean.serial, clean.status.rawValue,
                                 clean.version, clean.sha256, now, actor, try Self.note(note)])
            return try Self.require(db, id: clean.id)
        }
    }

    /// Changes fields of an entry that is not retired.
    @discardableResult
    public func change(_ id: String, _ update: EquipmentUpdate, note: String? = nil, by actor: String) throws(RegistryError) -> Equipment {
        guard update.status != .retired else {
            throw RegistryError(.invalidInput, "use `cardgate ledger retire` to retire \(id)")
        }
        return try write(id, note: note, by: actor) { item in
            if let name = update.name { item.name = name }
            if let location = update.location { item.location = location }
            if let serial = update.serial { item.serial = serial }
            if let status = update.status { item.status = status }
            if let version = update.version { item.version = version }
            if let sha256 = update.sha256 { item.sha256 = sha256 }
        }
    }

    /// Retires an entry for good.
    @discardableResult
    public func retire(_ id: String, note: String? = nil, by actor: String) throws(RegistryError) -> Equipment {
        try write(id, note: note, by: actor) { $0.status = .retired }
    }

    /// Every entry, or those of one kind, by id.
    public func list(kind: EquipmentKind? = nil) throws(RegistryError) -> [Equipment] {
        try registry.read { db in
            if let kind {
                return try Row.fetchAll(db, sql: "SELECT * FROM equipment WHERE kind = ? ORDER BY id", arguments: [kind.rawValue]).map(Equipment.init(row:))
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM equipment ORDER BY id").map(Equipment.init(row:))
        }
    }

    /// One entry; `unknownEquipment` if there is none.
    public func show(_ id: String) throws(RegistryError) -> Equipment {
        try registry.read { try Self.require($0, id: id) }
    }

    /// The in-service entry of that kind and id, or nil: what the gateway asks before using a reader,
    /// terminal or program (clause 17: only approved equipment).
    public func approved(_ kind: EquipmentKind, id: String) throws(RegistryError) -> Equipment? {
        try registry.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM equipment WHERE kind = ? AND id = ? AND status = 'in-service'",
                             arguments: [kind.rawValue, id]).map(Equipment.init(row:))
        }
    }

    /// The change record, oldest first, for one entry or all.
    public func history(_ id: String? = nil) throws(RegistryError) -> [EquipmentChangeRecord] {
        try registry.read { db in
            if let id {
                return try Row.fetchAll(db, sql: "SELECT * FROM equipmentChange WHERE equipmentId = ? ORDER BY seq", arguments: [id]).map(EquipmentChangeRecord.init(row:))
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM equipmentChange ORDER BY seq").map(EquipmentChangeRecord.init(row:))
        }
    }

    private func write(_ id: String, note: String?, by actor: String, _ modify: (inout Equipment) -> Void) throws(RegistryError) -> Equipment {
        let now = registry.now
        return try registry.write { db in
            _ = try registry.authorize(db, actor: actor, .manageLedger)
            let current = try Self.require(db, id: id)
            guard current.status != .retired else {
                throw RegistryError(.equipmentRetired, "ledger entry \(id) is retired and no longer changes; add a new entry")
            }
            var item = current
            modify(&item)
            let clean = try Self.validated(item)
            guard clean != current else {
                throw RegistryError(.invalidInput, "nothing changes for ledger entry \(id)")
            }
            try db.execute(sql: """
                UPDATE equipment SET name = ?, location = ?, serial = ?, status = ?, version = ?, sha256 = ?,
                    changedAt = ?, changedBy = ?, changeNote = ? WHERE id = ?
                """, arguments: [clean.name, clean.location, clean.serial, clean.status.rawValue, clean.version, clean.sha256,
                                 now, actor, try Self.note(note), id])
            return try Self.require(db, id: id)
        }
    }

    static func validated(_ item: Equipment) throws(RegistryError) -> Equipment {
        var clean = item
        _ = try RegistryFormat.checkText(item.id, what: "ledger id", limit: 128)
        guard item.id == item.id.trimmingCharacters(in: .whitespaces) else {
            throw RegistryError(.invalidInput, "ledger id must not start or end with spaces")
        }
        clean.name = try RegistryFormat.checkText(item.name, what: "name", limit: 200)
        clean.location = try RegistryFormat.checkText(item.location, what: "location", limit: 200)
        clean.serial = try item.serial.map { (serial) throws(RegistryError) in try RegistryFormat.checkText(serial, what: "serial", limit: 100) }
        if item.kind == .program {
            guard let version = item.version else {
                throw RegistryError(.invalidInput, "program \(item.id) needs a version")
            }
            clean.version = try RegistryFormat.checkText(version, what: "version", limit: 64)
            guard let digest = item.sha256?.lowercased(), Hex.isLowerHex(digest, count: 64) else {
                throw RegistryError(.invalidInput, "program \(item.id) needs its SHA-256 as 64 hex digits (sha256sum of the executable)")
            }
            clean.sha256 = digest
        } else if item.version != nil || item.sha256 != nil {
            throw RegistryError(.invalidInput, "only programs have a version and a SHA-256; \(item.id) is a \(item.kind.rawValue)")
        }
        return clean
    }

    static func note(_ note: String?) throws(RegistryError) -> String? {
        try note.map { (text) throws(RegistryError) in try RegistryFormat.checkText(text, what: "note", limit: 500) }
    }

    static func fetch(_ db: Database, id: String) throws -> Equipment? {
        try Row.fetchOne(db, sql: "SELECT * FROM equipment WHERE id = ?", arguments: [id]).map(Equipment.init(row:))
    }

    static func require(_ db: Database, id: String) throws -> Equipment {
        guard let item = try fetch(db, id: id) else {
            throw RegistryError(.unknownEquipment, "no ledger entry \(id); see `cardgate ledger list`")
        }
        return item
    }
}
