import Vocabulary
import Foundation
import GRDB

/// Administrative sessions: opened after card challenge + PIN at the admin reader, stored server-side
/// (SHA-256 of the token only), 10 minutes by default, ended at logout, expiry, or when the card or the
/// person is revoked, blocked, suspended or disabled.
public struct AdminSessionService: Sendable {
    let registry: Registry

    /// Opens a session for a person who has just proved card + PIN. The caller has verified the card's
    /// challenge against its pinned key and the PIN with `PINService.verify`. Refuses an inactive person,
    /// a card not theirs or not usable, a card whose initial PIN was not yet changed, and someone with
    /// no administrative role.
    public func open(operatorId: String, card guid: CardGUID) throws(RegistryError) -> (token: AdminSessionToken, session: AdminSession) {
        let now = registry.now
        let lifetime = registry.configuration.adminSessionLifetime
        let token = AdminSessionToken.random()
        let session: AdminSession = try registry.write { db in
            let person = try Operator.require(db, id: operatorId)
            guard person.isActive(at: now) else {
                throw RegistryError(.operatorNotActive, "\(operatorId) is \(person.inactivityReason(at: now)); no administrative session")
            }
            guard !person.roles.subtracting([.operator]).isEmpty else {
                throw RegistryError(.roleNotPermitted, "\(operatorId) holds no administrative role (supervisor, administrator, operations-manager or pin-admin); no administrative session")
            }
            let card = try Card.require(db, guid: guid)
            guard card.operatorId == operatorId else {
                throw RegistryError(.cardNotUsable, "card \(guid.short) is not \(operatorId)'s card")
            }
            try PINService.checkUsable(db, card, now: now)
            guard try !PINService.credential(db, guid: guid).mustChange else {
                throw RegistryError(.cardNotUsable, "the PIN of card \(guid.short) is an initial PIN; change it with `cardgate pin change` before logging in")
            }
            let expires = now.addingTimeInterval(lifetime)
            try db.execute(sql: "INSERT INTO adminSession (tokenHash, operatorId, cardGuid, createdAt, expiresAt) VALUES (?, ?, ?, ?, ?)",
                           arguments: [token.digest, operatorId, guid.hex, now, expires])
            return AdminSession(operatorId: operatorId, roles: person.roles, cardGuid: guid, createdAt: now, expiresAt: expires)
        }
        return (token, session)
    }

    /// The session for a token, if it is open and not expired, and its person still active.
    public func validate(_ token: AdminSessionToken) throws(RegistryError) -> AdminSession {
        let now = registry.now
        return try registry.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM adminSession WHERE tokenHash = ?", arguments: [token.digest]) else {
                throw RegistryError(.sessionUnknown, "no open administrative session (logged out, replaced or never opened); run `cardgate admin login`")
            }
            let expires: Date = row["expiresAt"]
            guard now < expires else {
                throw RegistryError(.sessionExpired, "the administrative session expired at \(ISO8601DateFormatter().string(from: expires)); run `cardgate admin login` again")
            }
            let person = try Operator.require(db, id: row["operatorId"])
            guard person.isActive(at: now) else {
                throw RegistryError(.operatorNotActive, "\(person.id) is \(person.inactivityReason(at: now)); the session is no longer valid")
            }
            return AdminSession(operatorId: person.id, roles: person.roles, cardGuid: try CardGUID(validating: row["cardGuid"] as String),
                                createdAt: row["createdAt"], expiresAt: expires)
        }
    }

    /// Ends a session (logout). Ending an unknown or already ended session is not an error.
    public func end(_ token: AdminSessionToken) throws(RegistryError) {
        try registry.write { db in
            try db.execute(sql: "DELETE FROM adminSession WHERE tokenHash = ?", arguments: [token.digest])
        }
    }

    /// Ends every session (the emergency stop, clause 30); returns how many were open.
    @discardableResult
    public func endAll() throws(RegistryError) -> Int {
        try registry.write { db in
            try db.execute(sql: "DELETE FROM adminSession")
            return db.changesCount
        }
    }

    /// Removes expired sessions; returns how many.
    @discardableResult
    public func removeExpired() throws(RegistryError) -> Int {
        let now = registry.now
        return try registry.write { db in
            try db.execute(sql: "DELETE FROM adminSession WHERE expiresAt <= ?", arguments: [now])
            return db.changesCount
        }
    }
}
