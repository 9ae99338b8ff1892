import Vocabulary
import Foundation
import GRDB

/// What the card layer read from a card presented for issue.
public struct CardBinding: Sendable {
    /// The CHUID GUID.
    public var guid: CardGUID
    /// The 25-byte FASC-N from the CHUID, if the card has a meaningful one.
    public var fascn: [UInt8]?
    /// The Card Authentication Key's SubjectPublicKeyInfo DER (P-256), after its challenge was verified.
    public var publicKeyDER: [UInt8]

    /// Makes a binding.
    public init(guid: CardGUID, fascn: [UInt8]?, publicKeyDER: [UInt8]) {
        self.guid = guid
        self.fascn = fascn
        self.publicKeyDER = publicKeyDER
    }
}

/// An operator identification card (操作識別カード) as registered.
public struct Card: Sendable, Equatable {
    /// The CHUID GUID.
    public let guid: CardGUID
    /// The FASC-N as 50 lower-case hex digits, if any.
    public let fascn: String?
    /// The pinned public key and its fingerprint.
    public let key: PinnedKey
    /// The holder.
    public let operatorId: String
    /// Lifecycle status.
    public let status: CardStatus
    /// Why it was revoked (set from `revoked` on).
    public let revocationReason: RevocationReason?
    /// Issue time.
    public let issuedAt: Date
    /// End of validity.
    public let expiresAt: Date
    /// First activation (first PIN change by the holder), if any.
    public let activatedAt: Date?
    /// Revocation time, if any.
    public let revokedAt: Date?
    /// Collection time, if any.
    public let collectedAt: Date?
    /// Destruction time, if any.
    public let destroyedAt: Date?
    /// Last change.
    public let updatedAt: Date

    init(row: Row) throws {
        guid = try CardGUID(validating: row["guid"] as String)
        fascn = row["fascn"]
        key = try PinnedKey(subjectPublicKeyInfoDER: [UInt8](row["publicKey"] as Data))
        operatorId = row["operatorId"]
        let statusName: String = row["status"]
        guard let status = CardStatus(rawValue: statusName) else {
            throw RegistryError(.database, "card \(guid.short) has an unknown status \(statusName)")
        }
        self.status = status
        revocationReason = (row["revocationReason"] as String?).flatMap(RevocationReason.init(rawValue:))
        issuedAt = row["issuedAt"]
        expiresAt = row["expiresAt"]
        activatedAt = row["activatedAt"]
        revokedAt = row["revokedAt"]
        collectedAt = row["collectedAt"]
        destroyedAt = row["destroyedAt"]
        updatedAt = row["updatedAt"]
    }

    static func fetch(_ db: Database, guid: CardGUID) throws -> Card? {
        try Row.fetchOne(db, sql: "SELECT * FROM card WHERE guid = ?", arguments: [guid.hex]).map(Card.init(row:))
    }

    static func require(_ db: Database, guid: CardGUID) throws -> Card {
        guard let card = try fetch(db, guid: guid) else {
            throw RegistryError(.unknownCard, "card \(guid.short) is not registered; check the GUID with `cardgate card list`")
        }
        return card
    }

    /// "revoked (lost, 2026-11-02)" and the like, for messages.
    var statusPhrase: String {
        switch status {
        case .revoked, .collected, .destroyed:
            let reason = revocationReason?.rawValue ?? "no reason"
            let when = revokedAt.map { ", " + RegistryFormat.day($0) } ?? ""
            return "\(status.rawValue) (\(reason)\(when))"
        default:
            return status.rawValue
        }
    }
}
