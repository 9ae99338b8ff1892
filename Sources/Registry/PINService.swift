import Vocabulary
import Credentials
import Foundation
import GRDB

/// The result of checking a card holder's PIN.
public enum PINCheck: Sendable, Equatable {
    /// Right PIN; the counter is reset. `mustChange` asks the holder to replace an initial PIN now.
    case accepted(mustChange: Bool)
    /// Wrong PIN; `remainingAttempts` more wrong entries are allowed (0: the card is now blocked).
    case rejected(remainingAttempts: Int)
    /// The PIN was already blocked; nothing was checked. Only the PIN administrator can unblock it.
    case blocked
}

/// A card's PIN state, for display (never the PIN or its hash).
public struct PINStatus: Sendable, Equatable, Encodable {
    /// Consecutive wrong entries so far.
    public let failures: Int
    /// Wrong entries left before the block.
    public let remainingAttempts: Int
    /// Blocked after too many wrong entries.
    public let blocked: Bool
    /// The holder must replace the PIN at the next use.
    public let mustChange: Bool
    /// When the PIN was last set.
    public let changedAt: Date
}

/// PIN verification with a persisted failure counter, and the holder's own PIN change.
///
/// The counter lives in the database, so a restart does not reset it; the Nth consecutive wrong PIN
/// (N from the policy, 5 by default) blocks the card until the PIN administrator unblocks or resets it.
/// scrypt runs outside the write transaction; the transaction then re-reads the credential, so parallel
/// guesses are all counted and none is accepted once the card is blocked.
public struct PINService: Sendable {
    let registry: Registry

    /// Checks the PIN of an issued or active card. A good PIN resets the counter (and rehashes when the
    /// parameters changed); a wrong one counts. Throws for cards that cannot be used at all (revoked,
    /// suspended, expired, unknown, holder disabled).
    public func verify(card guid: CardGUID, pin: PIN) throws(RegistryError) -> PINCheck {
        let hasher = registry.hasher
        let maximum = registry.configuration.policy.maximumFailures
        for _ in 0..<3 {
            let now = registry.now
            let stored: String? = try registry.read { db in
                let card = try Card.require(db, guid: guid)
                if card.status == .blocked { return nil }
                try Self.checkUsable(db, card, now: now)
                let credential = try Self.credential(db, guid: guid)
                return credential.blocked ? nil : credential.hash
            }
            guard let stored else { return .blocked }
            let verification: PINHasher.Verification
            var rehashed: String?
            do {
                verification = try hasher.verify(pin, against: stored)
                if verification == .match(needsRehash: true) {
                    rehashed = try hasher.hash(pin).phcString
                }
            } catch {
                throw RegistryError(error)
            }
            let outcome: PINCheck? = try registry.write { db in
                let card = try Card.require(db, guid: guid)
                if card.status == .blocked { return .blocked }
                try Self.checkUsable(db, card, now: now)
                let credential = try Self.credential(db, guid: guid)
                if credential.blocked { return .blocked }
                guard credential.hash == stored else { return nil }  // reset or changed meanwhile: check again
                switch verification {
                case .match:
                    try db.execute(sql: "UPDATE pinCredential SET failures = 0, hash = ? WHERE cardGuid = ?",
                                   arguments: [rehashed ?? stored, guid.hex])
                    return .accepted(mustChange: credential.mustChange)
                case .mismatch:
                    let failures = credential.failures + 1
                    let blocked = failures >= maximum
                    try db.execute(sql: "UPDATE pinCredential SET failures = ?, blocked = ?, lastFailureAt = ? WHERE cardGuid = ?",
                                   arguments: [failures, blocked, now, guid.hex])
                    if blocked {
                        try db.execute(sql: "UPDATE card SET status = 'blocked', updatedAt = ? WHERE guid = ?", arguments: [now, guid.hex])
                        try db.execute(sql: "DELETE FROM adminSession WHERE cardGuid = ?", arguments: [guid.hex])
                    }
                    return .rejected(remainingAttempts: max(0, maximum - failures))
                }
            }
            if let outcome { return outcome }
        }
        throw RegistryError(.database, "the PIN of card \(guid.short) kept changing during the check; try again")
    }

    /// The holder changes their own PIN: the current PIN is checked (a wrong one counts towards the block),
    /// the new one must pass the policy and differ from the recent ones. An issued card becomes active.
    public func change(card guid: CardGUID, current: PIN, new: PIN) throws(RegistryError) {
        let policy = registry.configuration.policy
        let hasher = registry.hasher
        do {
            try policy.check(new)
        } catch {
            throw RegistryError(error)
        }
        switch try verify(card: guid, pin: current) {
        case .blocked:
            throw Self.blockedError(guid)
        case .rejected(let remaining) where remaining == 0:
            throw RegistryError(.pinBlocked, "the current PIN is wrong and card \(guid.short) is now blocked; ask the PIN administrator to unblock it")
        case .rejected(let remaining):
            throw RegistryError(.pinWrong, "the current PIN is wrong; \(remaining) attempt\(remaining == 1 ? "" : "s") left before card \(guid.short) is blocked")
        case .accepted:
            break
        }
        let recent: [String] = try registry.read { db in
            let currentHash = try Self.credential(db, guid: guid).hash
            let previous = try String.fetchAll(db, sql: "SELECT hash FROM pinHistory WHERE cardGuid = ? ORDER BY id DESC LIMIT ?",
                                               arguments: [guid.hex, policy.historyCount])
            return [currentHash] + previous
        }
        let newHash: String
        do {
            try policy.checkNotReused(new, recentHashes: recent, hasher: hasher)
            newHash = try hasher.hash(new).phcString
        } catch {
            throw RegistryError(error)
        }
        let now = registry.now
        try registry.write { db in
            let card = try Card.require(db, guid: guid)
            try Self.checkUsable(db, card, now: now)
            let credential = try Self.credential(db, guid: guid)
            guard !credential.blocked, credential.hash == recent[0] else {
                throw RegistryError(.pinBlocked, "the PIN of card \(guid.short) was reset or blocked meanwhile; nothing was changed")
            }
            try Self.replaceHash(db, guid: guid, newHash: newHash, mustChange: false, historyCount: policy.historyCount, now: now)
            if card.status == .issued {
                try db.execute(sql: "UPDATE card SET status = 'active', activatedAt = ?, updatedAt = ? WHERE guid = ?",
                               arguments: [now, now, guid.hex])
            }
        }
    }

    /// The PIN state of a card (counter, block, must-change).
    public func status(card guid: CardGUID) throws(RegistryError) -> PINStatus {
        let maximum = registry.configuration.policy.maximumFailures
        return try registry.read { db in
            _ = try Card.require(db, guid: guid)
            let credential = try Self.credential(db, guid: guid)
            return PINStatus(failures: credential.failures, remainingAttempts: max(0, maximum - credential.failures),
                             blocked: credential.blocked, mustChange: credential.mustChange, changedAt: credential.changedAt)
        }
    }

    struct Credential {
        let hash: String
        let failures: Int
        let blocked: Bool
        let mustChange: Bool
        let changedAt: Date
    }

    static func credential(_ db: Database, guid: CardGUID) throws -> Credential {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM pinCredential WHERE cardGuid = ?", arguments: [guid.hex]) else {
            throw RegistryError(.unknownCard, "card \(guid.short) has no PIN; ask the PIN administrator to reset it")
        }
        return Credential(hash: row["hash"], failures: row["failures"], blocked: row["blocked"],
                          mustChange: row["mustChange"], changedAt: row["changedAt"])
    }

    /// Throws unless the card may be used now (issued or active, not expired, holder active).
    static func checkUsable(_ db: Database, _ card: Card, now: Date) throws {
        switch card.status {
        case .issued, .active:
            break
        case .blocked:
            throw blockedError(card.guid)
        case .suspended:
            throw RegistryError(.cardNotUsable, "card \(card.guid.short) is suspended; ask the PIN administrator")
        case .revoked, .collected, .destroyed:
            throw RegistryError(.cardRevoked, "card \(card.guid.short) is \(card.statusPhrase); ask the PIN administrator")
        }
        guard card.expiresAt > now else {
            throw RegistryError(.cardExpired, "card \(card.guid.short) expired on \(RegistryFormat.day(card.expiresAt)); ask the PIN administrator for a new card")
        }
        let holder = try Operator.require(db, id: card.operatorId)
        guard holder.isActive(at: now) else {
            throw RegistryError(.operatorNotActive, "the holder of card \(card.guid.short) is \(holder.inactivityReason(at: now)); ask the PIN administrator")
        }
    }

    static func blockedError(_ guid: CardGUID) -> RegistryError {
        RegistryError(.pinBlocked, "card \(guid.short) is blocked after too many wrong PINs; ask the PIN administrator to unblock it")
    }

    /// Replaces the PIN hash, keeping the old one in the history (trimmed to `historyCount`).
    static func replaceHash(_ db: Database, guid: CardGUID, newHash: String, mustChange: Bool, historyCount: Int, now: Date) throws {
        let old = try credential(db, guid: guid)
        try db.execute(sql: "INSERT INTO pinHistory (cardGuid, hash, retiredAt) VALUES (?, ?, ?)", arguments: [guid.hex, old.hash, now])
        try db.execute(sql: """
            DELETE FROM pinHistory WHERE cardGuid = ? AND id NOT IN
                (SELECT id FROM pinHistory WHERE cardGuid = ? ORDER BY id DESC LIMIT ?)
            """, arguments: [guid.hex, guid.hex, historyCount])
        try db.execute(sql: """
            UPDATE pinCredential SET hash = ?, failures = 0, blocked = 0, mustChange = ?, changedAt = ? WHERE cardGuid = ?
            """, arguments: [newHash, mustChange, now, guid.hex])
    }
}
