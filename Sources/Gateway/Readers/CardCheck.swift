import AccessPolicy
import Foundation
import OperatorCard
import Registry
import SmartCard
import Vocabulary

/// What the gateway found out about the card in a reader: read, challenged against the key pinned for it at issue,
/// and looked up in the registry (card, PIN credential, holder, and the holder's grants for a room) — everything
/// ``CardUsePolicy`` needs, and nothing decided yet.
struct CardCheck: Sendable {
    /// The facts for the one card decision.
    var card: PresentedCard
    /// The holder's display name, for the API and the lock screen.
    var holderName: String?
    /// Today and yesterday when they are holidays in the registry's calendar (for a door: grants that exclude
    /// holidays, and night shifts that started yesterday).
    var holidays: Set<CivilDate> = []
    /// Why the check stopped early, for the log (never a secret).
    var problem: String?

    /// Reads the card in `reader` and looks it up; `room` asks for the holder's grants there. Blocks (PC/SC, SQLite):
    /// call it on a thread of its own. A card or reader fault is `unavailable`; a registry fault too.
    static func run(reader: String, room: String?, registry: Registry, timeZone: TimeZone, now: Date) -> CardCheck {
        // A card just put in can answer its first commands badly while the reader powers it up: a transport error is
        // tried again (at most three times in all); a wrong signature is an answer, not an error, and is final.
        var (result, transportFailed) = attempt(reader: reader, room: room, registry: registry, timeZone: timeZone, now: now)
        for _ in 0..<2 where transportFailed {
            Thread.sleep(forTimeInterval: 0.15)
            (result, transportFailed) = attempt(reader: reader, room: room, registry: registry, timeZone: timeZone, now: now)
        }
        return result
    }

    private static func attempt(
        reader: String, room: String?, registry: Registry, timeZone: TimeZone, now: Date
    ) -> (CardCheck, transportFailed: Bool) {
        var result = CardCheck(card: PresentedCard(guid: nil, finding: .unavailable))
        let context: PCSCContext
        do {
            context = try PCSCContext()
        } catch {
            result.problem = "pcscd: \(error)"
            return (result, false)
        }
        defer { context.release() }
        let identity: CardIdentity
        let card: PIVCard
        let connection: CardConnection
        do {
            connection = try context.connect(reader: reader, responseTimeout: .seconds(3))
            card = PIVCard(channel: connection)
            try card.selectApplication()
            identity = try card.readIdentity()
        } catch {
            result.problem = "card: \(error)"
            return (result, error is SmartCardError || error is OperatorCardError)
        }
        defer { connection.disconnect() }
        result.card.guid = identity.guid
        let record: Card
        do {
            guard let found = try lookUp(identity.guid, registry) else {
                result.card.finding = .unknown
                return (result, false)
            }
            record = found
        } catch {
            result.problem = "registry: \(error)"
            return (result, false)
        }
        // The challenge uses the key pinned at issue, never the certificate the card offers.
        do {
            guard try card.authenticate(publicKey: record.key.publicKey).isGenuine else {
                result.card.finding = .notGenuine(holder: record.operatorId)
                return (result, false)
            }
        } catch {
            result.problem = "challenge: \(error)"
            // The challenge throws only OperatorCardError (the card's or the reader's fault, never a wrong signature,
            // which is an answer): tried again like any transport error.
            return (result, true)
        }
        do {
            let (proven, holderName) = try cardRecord(record, room: room, registry: registry, timeZone: timeZone)
            if room != nil {
                let today = CivilDate(now, in: timeZone)
                result.holidays = try registry.holidays.holidays(among: [today, today.previousDay])
            }
            result.holderName = holderName
            result.card.finding = .proven(proven)
        } catch {
            result.problem = "registry: \(error)"
            result.card.finding = .unavailable
        }
        return (result, false)
    }

    /// A card already proven by its challenge (the card of an open administrative session, still in its reader), as the
    /// registry describes it now; an unknown card is `unknown`. Throws when the registry cannot be read.
    static func recorded(_ guid: CardGUID, registry: Registry, timeZone: TimeZone) throws(RegistryError) -> PresentedCard {
        guard let card = try lookUp(guid, registry) else { return PresentedCard(guid: guid, finding: .unknown) }
        return PresentedCard(guid: guid, finding: .proven(try cardRecord(card, room: nil, registry: registry, timeZone: timeZone).record))
    }

    /// The policy's record of a registered card: its PIN state, its holder and (for `room`) the holder's grants there.
    private static func cardRecord(
        _ record: Card, room: String?, registry: Registry, timeZone: TimeZone
    ) throws(RegistryError) -> (record: CardRecord, holderName: String?) {
        let credential = try registry.pins.status(card: record.guid)
        let holder = try? registry.operators.show(record.operatorId)
        let grants = try room.map { room throws(RegistryError) in
            try registry.rooms.grants(for: record.operatorId, room: room).map {
                accessGrant($0, operatorID: record.operatorId, timeZone: timeZone)
            }
        } ?? []
        let proven = CardRecord(
            holderID: record.operatorId, status: record.status, expiresAt: record.expiresAt, pinMustChange: credential.mustChange,
            holder: holder.map {
                HolderRecord(
                    id: $0.id, name: $0.name, enabled: $0.status == .active, validFrom: $0.validFrom, validTo: $0.validTo,
                    terminals: $0.terminals, administrative: !$0.roles.subtracting([.operator]).isEmpty, grants: grants)
            })
        return (proven, holder?.name)
    }

    /// The card record, nil for an unknown card; throws when the registry cannot be read.
    private static func lookUp(_ guid: CardGUID, _ registry: Registry) throws(RegistryError) -> Card? {
        do {
            return try registry.cards.show(guid)
        } catch where error.code == .unknownCard {
            return nil
        }
    }

    /// The registry's stored grant as the policy's grant (dates read as local dates in `timeZone`).
    static func accessGrant(_ grant: RoomGrant, operatorID: String, timeZone: TimeZone) -> AccessGrant {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        func civil(_ date: Date?) -> CivilDate? {
            guard let date else { return nil }
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            return CivilDate(year: parts.year ?? 0, month: parts.month ?? 0, day: parts.day ?? 0)
        }
        return AccessGrant(
            operatorID: operatorID, roomID: grant.roomId, weekdays: grant.weekdays, fromMinute: grant.fromMinute,
            toMinute: grant.toMinute, validFrom: civil(grant.validFrom), validTo: civil(grant.validTo),
            requiresPIN: grant.mode == .cardAndPIN, escort: grant.escort, excludesHolidays: grant.excludeHolidays)
    }
}
