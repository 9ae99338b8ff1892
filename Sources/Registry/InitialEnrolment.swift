import Vocabulary
import Credentials
import Foundation
import GRDB

/// `cardgate init`: the first PIN administrator and their card, on an empty registry only.
///
/// Every later act needs an authenticated administrator; this is the single way in, and it closes for
/// good once any operator exists.
public struct InitialEnrolment: Sendable {
    let registry: Registry

    /// Whether the registry has no operator yet.
    public func isPending() throws(RegistryError) -> Bool {
        try registry.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM operator") == 0 }
    }

    /// Adds the first operator (with the pin-admin role added if missing) and issues their card with
    /// their chosen PIN (no change required: they chose it). The admin station's readers (`stationReaders`) go on
    /// the equipment ledger in the same transaction, so that the first administrator can log in at the daemon to
    /// approve everything else. Refused once any operator exists.
    @discardableResult
    public func enrol(_ first: NewOperator, card binding: CardBinding, pin: PIN, expiresAt: Date? = nil,
                      stationReaders: [String] = []) throws(RegistryError) -> (Operator, Card) {
        var first = first
        first.roles.insert(.pinAdmin)
        guard first.terminals.isEmpty else {
            throw RegistryError(.invalidInput, "the first administrator gets terminals later, once they are on the ledger")
        }
        let prepared = try CardService(registry: registry).prepare(binding, initialPIN: pin)
        let now = registry.now
        return try registry.write { db in
            guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM operator") == 0 else {
                throw RegistryError(.roleNotPermitted, "the registry already has operators; the initial enrolment is closed (log in as a PIN administrator instead)")
            }
            let person = try OperatorService.insert(db, first, now: now)
            _ = try CardService.insert(db, binding, prepared, to: person.id, expiresAt: expiresAt, registry: registry, now: now)
            try db.execute(sql: "UPDATE pinCredential SET mustChange = 0 WHERE cardGuid = ?", arguments: [binding.guid.hex])
            try db.execute(sql: "UPDATE card SET status = 'active', activatedAt = ? WHERE guid = ?", arguments: [now, binding.guid.hex])
            for reader in stationReaders {
                let item = try EquipmentLedger.validated(Equipment(id: reader, kind: .reader, name: "admin station reader", location: "admin station"))
                try db.execute(sql: """
                    INSERT INTO equipment (id, kind, name, location, serial, status, version, sha256, changedAt, changedBy, changeNote)
                    VALUES (?, 'reader', ?, ?, NULL, 'in-service', NULL, NULL, ?, ?, 'cardgate init')
                    """, arguments: [item.id, item.name, item.location, now, person.id])
            }
            return (person, try Card.require(db, guid: binding.guid))
        }
    }
}
