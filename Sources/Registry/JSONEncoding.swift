import Foundation

// Encodable forms for `--json` output: identifiers as text, never key bytes, PINs or hashes.

extension Card: Encodable {
    enum CodingKeys: String, CodingKey {
        case guid, fascn, fingerprint, operatorId, status, revocationReason, issuedAt, expiresAt, activatedAt, revokedAt, collectedAt, destroyedAt, updatedAt
    }

    /// Encodes the card with its GUID and key fingerprint as hex text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(guid.hex, forKey: .guid)
        try container.encodeIfPresent(fascn, forKey: .fascn)
        try container.encode(key.fingerprint, forKey: .fingerprint)
        try container.encode(operatorId, forKey: .operatorId)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(revocationReason, forKey: .revocationReason)
        try container.encode(issuedAt, forKey: .issuedAt)
        try container.encode(expiresAt, forKey: .expiresAt)
        try container.encodeIfPresent(activatedAt, forKey: .activatedAt)
        try container.encodeIfPresent(revokedAt, forKey: .revokedAt)
        try container.encodeIfPresent(collectedAt, forKey: .collectedAt)
        try container.encodeIfPresent(destroyedAt, forKey: .destroyedAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

extension Grantee: Encodable {
    enum CodingKeys: String, CodingKey { case `operator`, group }

    /// Encodes as `{"operator": "id"}` or `{"group": "name"}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .operator(let id): try container.encode(id, forKey: .operator)
        case .group(let name): try container.encode(name, forKey: .group)
        }
    }
}

extension RoomGrant: Encodable {
    enum CodingKeys: String, CodingKey {
        case id, roomId, grantee, weekdays, fromMinute, toMinute, validFrom, validTo, mode, escort, excludeHolidays, createdAt, createdBy, revokedAt, revokedBy
    }

    /// Encodes the grant with its weekdays as ISO numbers (Monday = 1), sorted.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(roomId, forKey: .roomId)
        try container.encode(grantee, forKey: .grantee)
        try container.encode(weekdays.sorted(), forKey: .weekdays)
        try container.encode(fromMinute, forKey: .fromMinute)
        try container.encode(toMinute, forKey: .toMinute)
        try container.encodeIfPresent(validFrom, forKey: .validFrom)
        try container.encodeIfPresent(validTo, forKey: .validTo)
        try container.encode(mode, forKey: .mode)
        try container.encode(escort, forKey: .escort)
        try container.encode(excludeHolidays, forKey: .excludeHolidays)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(createdBy, forKey: .createdBy)
        try container.encodeIfPresent(revokedAt, forKey: .revokedAt)
        try container.encodeIfPresent(revokedBy, forKey: .revokedBy)
    }
}
