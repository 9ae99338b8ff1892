import Vocabulary
import Credentials
import Foundation
import GRDB

/// Card issue and lifecycle, by the PIN administrator: issue, suspend, resume, revoke, collect, destroy,
/// unblock and reset the PIN; list and show for anyone allowed to view cards.
///
/// Every mutating call names the acting person (their roles are checked in the same transaction) and
/// changes nothing when it throws.
public struct CardService: Sendable {
    let registry: Registry

    /// Issues a card to an operator: pins its key and sets the initial PIN, which the holder must change.
    ///
    /// Refuses an unknown or inactive operator, a GUID already registered (bound to someone, or revoked,
    /// collected or destroyed: a GUID is never issued twice), a key already pinned to another card (a
    /// clone), an initial PIN the policy refuses, and an expiry date not in the future.
    @discardableResult
    public func issue(_ binding: CardBinding, to operatorId: String, initialPIN: PIN, expiresAt: Date? = nil,
                      by actor: String) throws(RegistryError) -> Card {
        try registry.checkAuthorized(actor, .issueCard)
        try Self.refuseOwnCard(holder: operatorId, actor: actor, "issue a card to themself")
        let prepared = try prepare(binding, initialPIN: initialPIN)
        let now = registry.now
        return try registry.write { db in
            _ = try registry.authorize(db, actor: actor, .issueCard)
            return try Self.insert(db, binding, prepared, to: operatorId, expiresAt: expiresAt, registry: registry, now: now)
        }
    }

    /// Checks the binding and the PIN and hashes the PIN, outside any transaction (scrypt is slow).
    func prepare(_ binding: CardBinding, initialPIN: PIN) throws(RegistryError) -> (key: PinnedKey, hash: String) {
        let key = try PinnedKey(subjectPublicKeyInfoDER: binding.publicKeyDER)
        if let fascn = binding.fascn, fascn.count != 25 {
            throw RegistryError(.invalidInput, "a FASC-N has 25 bytes, not \(fascn.count)")
        }
        do {
            try registry.configuration.policy.check(initialPIN)
            return (key, try registry.hasher.hash(initialPIN).phcString)
        } catch {
            throw RegistryError(error)
        }
    }

    static func insert(_ db: Database, _ binding: CardBinding, _ prepared: (key: PinnedKey, hash: String), to operatorId: String,
                       expiresAt: Date?, registry: Registry, now: Date) throws -> Card {
        let holder = try Operator.require(db, id: operatorId)
        guard holder.isActive(at: now) else {
            throw RegistryError(.operatorNotActive, "operator \(operatorId) is \(holder.inactivityReason(at: now)); a card cannot be issued to them")
        }
        if let existing = try Card.fetch(db, guid: binding.guid) {
            if existing.status.isFinished {
                throw RegistryError(.cardRevoked, "card \(binding.guid.short) is \(existing.statusPhrase) and cannot be issued again; give the holder a new card")
            }
            throw RegistryError(.cardAlreadyBound, "card \(binding.guid.short) is already bound to \(existing.operatorId) (\(existing.status.rawValue)); revoke it first if it must change hands")
        }
        if let owner = try String.fetchOne(db, sql: "SELECT guid FROM card WHERE fingerprint = ?", arguments: [prepared.key.fingerprint]) {
            throw RegistryError(.keyAlreadyPinned, "this card's key is already pinned to card \(String(owner.prefix(8)))…; the card is a copy or its key was re-used; it is refused")
        }
        let expiry = expiresAt ?? now.addingTimeInterval(registry.configuration.defaultCardValidity)
        guard expiry > now else {
            throw RegistryError(.invalidInput, "the expiry date \(RegistryFormat.day(expiry)) is not in the future")
        }
        try db.execute(sql: """
            INSERT INTO card (guid, fascn, publicKey, fingerprint, operatorId, status, issuedAt, expiresAt, updatedAt)
            VALUES (?, ?, ?, ?, ?, 'issued', ?, ?, ?)
            """, arguments: [binding.guid.hex, binding.fascn.map { Hex.encode($0) }, Data(prepared.key.der),
                             prepared.key.fingerprint, operatorId, now, expiry, now])
        try db.execute(sql: """
            INSERT INTO pinCredential (cardGuid, hash, failures, blocked, mustChange, changedAt) VALUES (?, ?, 0, 0, 1, ?)
            """, arguments: [binding.guid.hex, prepared.hash, now])
        return try Card.require(db, guid: binding.guid)
    }

    /// Revokes a card for good (`lost`, `transfer`, `retired`, `damaged`, `other`) and ends the
    /// administrative sessions opened with it.
    @discardableResult
    public func revoke(_ guid: CardGUID, reason: RevocationReason, by actor: String) throws(RegistryError) -> Card {
        try move(guid, to: .revoked, act: .changeCardStatus, by: actor) { db, now in
            try db.execute(sql: "UPDATE card SET status = 'revoked', revocationReason = ?, revokedAt = ?, updatedAt = ? WHERE guid = ?",
                           arguments: [reason.rawValue, now, now, guid.hex])
            try db.execute(sql: "DELETE FROM adminSession WHERE cardGuid = ?", arguments: [guid.hex])
        }
    }

    /// Records that a revoked card is back with the PIN administrator.
    @discardableResult
    public func collect(_ guid: CardGUID, by actor: String) throws(RegistryError) -> Card {
        try move(guid, to: .collected, act: .changeCardStatus, by: actor) { db, now in
            try db.execute(sql: "UPDATE card SET status = 'collected', collectedAt = ?, updatedAt = ? WHERE guid = ?",
                           arguments: [now, now, guid.hex])
        }
    }

    /// Records that a collected card was destroyed.
    @discardableResult
    public func destroy(_ guid: CardGUID, by actor: String) throws(RegistryError) -> Card {
        try move(guid, to: .destroyed, act: .changeCardStatus, by: actor) { db, now in
            try db.execute(sql: "UPDATE card SET status = 'destroyed', destroyedAt = ?, updatedAt = ? WHERE guid = ?",
                           arguments: [now, now, guid.hex])
        }
    }

    /// Suspends an issued or active card and ends the administrative sessions opened with it.
    @discardableResult
    public func suspend(_ guid: CardGUID, by actor: String) throws(RegistryError) -> Card {
        try move(guid, to: .suspended, act: .changeCardStatus, by: actor) { db, now in
            try db.execute(sql: "UPDATE card SET status = 'suspended', updatedAt = ? WHERE guid = ?", arguments: [now, guid.hex])
            try db.execute(sql: "DELETE FROM adminSession WHERE cardGuid = ?", arguments: [guid.hex])
        }
    }

    /// Lifts a suspension: back to active, or to issued if the holder never changed the initial PIN.
    @discardableResult
    public func resume(_ guid: CardGUID, by actor: String) throws(RegistryError) -> Card {
        try reopen(guid, from: .suspended, act: .changeCardStatus, by: actor) { _, _ in }
    }

    /// Unblocks a card blocked by wrong PINs: clears the failure counter; the PIN stays the same.
    @discardableResult
    public func unblock(_ guid: CardGUID, by actor: String) throws(RegistryError) -> Card {
        try reopen(guid, from: .blocked, act: .unblockPIN, by: actor) { db, _ in
            try Self.refuseOwnCard(holder: try Card.require(db, guid: guid).operatorId, actor: actor, "unblock their own card")
            try db.execute(sql: "UPDATE pinCredential SET failures = 0, blocked = 0 WHERE cardGuid = ?", arguments: [guid.hex])
        }
    }

    /// Sets a new initial PIN, which the holder must change at first use. Clears the failure counter and,
    /// for a blocked card, unblocks it. Refused for revoked, collected and destroyed cards.
    @discardableResult
    public func resetPIN(_ guid: CardGUID, newPIN: PIN, by actor: String) throws(RegistryError) -> Card {
        try registry.checkAuthorized(actor, .resetPIN)
        let hash: String
        do {
            try registry.configuration.policy.check(newPIN)
            hash = try registry.hasher.hash(newPIN).phcString
        } catch {
            throw RegistryError(error)
        }
        let now = registry.now
        let historyCount = registry.configuration.policy.historyCount
        return try registry.write { db in
            _ = try registry.authorize(db, actor: actor, .resetPIN)
            let card = try Card.require(db, guid: guid)
            try Self.refuseOwnCard(holder: card.operatorId, actor: actor, "reset the PIN of their own card")
            guard !card.status.isFinished else {
                throw RegistryError(.cardRevoked, "card \(guid.short) is \(card.statusPhrase); its PIN cannot be reset")
            }
            try PINService.replaceHash(db, guid: guid, newHash: hash, mustChange: true, historyCount: historyCount, now: now)
            if card.status == .blocked {
                let target: CardStatus = card.activatedAt == nil ? .issued : .active
                try db.execute(sql: "UPDATE card SET status = ?, updatedAt = ? WHERE guid = ?", arguments: [target.rawValue, now, guid.hex])
            }
            return try Card.require(db, guid: guid)
        }
    }

    /// Every card, or those of one operator, by issue time.
    /// Separation of duties (REQUIREMENTS, roles): a PIN administrator does not issue, reset or unblock their own card.
    static func refuseOwnCard(holder: String, actor: String, _ what: String) throws(RegistryError) {
        guard holder != actor else {
            throw RegistryError(.roleNotPermitted, "\(actor) may not \(what); another PIN administrator must do it")
        }
    }

    public func list(operatorId: String? = nil) throws(RegistryError) -> [Card] {
        try registry.read { db in
            if let operatorId {
                return try Row.fetchAll(db, sql: "SELECT * FROM card WHERE operatorId = ? ORDER BY issuedAt, guid", arguments: [operatorId]).map(Card.init(row:))
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM card ORDER BY issuedAt, guid").map(Card.init(row:))
        }
    }

    /// One card; `unknownCard` if the GUID is not registered.
    public func show(_ guid: CardGUID) throws(RegistryError) -> Card {
        try registry.read { try Card.require($0, guid: guid) }
    }

    /// Moves a card to `target` if the lifecycle allows it, running `update` to write the change.
    private func move(_ guid: CardGUID, to target: CardStatus, act: AdministrativeAct, by actor: String,
                      _ update: (Database, Date) throws -> Void) throws(RegistryError) -> Card {
        let now = registry.now
        return try registry.write { db in
            _ = try registry.authorize(db, actor: actor, act)
            let card = try Card.require(db, guid: guid)
            try Self.checkMove(card, to: target)
            try update(db, now)
            return try Card.require(db, guid: guid)
        }
    }

    /// Moves a blocked or suspended card back to active (or issued if never activated).
    private func reopen(_ guid: CardGUID, from source: CardStatus, act: AdministrativeAct, by actor: String,
                        _ update: (Database, Date) throws -> Void) throws(RegistryError) -> Card {
        let now = registry.now
        return try registry.write { db in
            _ = try registry.authorize(db, actor: actor, act)
            let card = try Card.require(db, guid: guid)
            guard card.status == source else {
                throw RegistryError(.illegalTransition, "card \(guid.short) is \(card.statusPhrase), not \(source.rawValue); nothing to do")
            }
            let target: CardStatus = card.activatedAt == nil ? .issued : .active
            try db.execute(sql: "UPDATE card SET status = ?, updatedAt = ? WHERE guid = ?", arguments: [target.rawValue, now, guid.hex])
            try update(db, now)
            return try Card.require(db, guid: guid)
        }
    }

    static func checkMove(_ card: Card, to target: CardStatus) throws(RegistryError) {
        guard card.status.canMove(to: target) else {
            let allowed = CardStatus.transitions[card.status, default: []]
            let next = allowed.isEmpty ? "it is final" : "it can only become " + allowed.map(\.rawValue).sorted().joined(separator: " or ")
            throw RegistryError(.illegalTransition, "card \(card.guid.short) is \(card.statusPhrase) and cannot become \(target.rawValue); \(next)")
        }
    }
}
