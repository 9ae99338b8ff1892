import AccessPolicy
import Foundation
import OperatorCard
import Registry
import SmartCard

/// What the gateway found out about a card in a reader: its identifier, the challenge against the key pinned
/// for it in the registry, the registry's view of the card and of its holder, and the holder's grants for a room.
///
/// Built by ``CardCheck/run(reader:room:registry:timeZone:now:)`` on a card-work queue (PC/SC and SQLite block),
/// then turned into the verdict of a terminal or a door.
struct CardCheck: Sendable {
    /// The CHUID GUID as hex, when it could be read.
    var guid: String?
    /// The card signed a fresh challenge with its pinned key.
    var genuine = false
    /// The card's status for the policy.
    var status: AccessPolicy.CardStatus = .unknown
    /// The card's holder.
    var operatorID: String?
    /// The holder's display name.
    var operatorName: String?
    /// The holder's record is active now.
    var operatorActive = false
    /// The terminals the holder may unlock.
    var operatorTerminals: Set<String> = []
    /// The holder's grants for the room asked about.
    var grants: [AccessGrant] = []
    /// Why the check stopped early, for the log (never a secret).
    var problem: String?

    /// The verdict for terminal `terminalID`.
    func terminalVerdict(terminalID: String) -> CardVerdict {
        CardVerdict(
            genuine: genuine, cardStatus: status, operatorID: operatorID, operatorActive: operatorActive,
            allowedOnTerminal: operatorTerminals.contains(terminalID))
    }

    /// The verdict for a door.
    var doorVerdict: DoorCardVerdict {
        DoorCardVerdict(genuine: genuine, cardStatus: status, operatorID: operatorID, operatorActive: operatorActive, grants: grants)
    }

    /// Reads the card in `reader` and checks it against the registry; `room` asks for the holder's grants there.
    /// Blocks (PC/SC, SQLite): call it off the cooperative thread pool. Any failure leaves the card refused.
    static func run(reader: String, room: String?, registry: Registry, timeZone: TimeZone, now: Date) -> CardCheck {
        // A card just put in can answer its first commands badly while the reader powers it up: a transport error
        // is tried again (at most three times in all); a wrong signature is an answer, not an error, and is final.
        var result = attempt(reader: reader, room: room, registry: registry, timeZone: timeZone, now: now)
        for _ in 0..<2 where result.transportFailed {
            Thread.sleep(forTimeInterval: 0.15)
            result = attempt(reader: reader, room: room, registry: registry, timeZone: timeZone, now: now)
        }
        return result
    }

    /// The check failed talking to the card (not because of what the card or the registry said).
    var transportFailed = false

    private static func attempt(reader: String, room: String?, registry: Registry, timeZone: TimeZone, now: Date) -> CardCheck {
        var result = CardCheck()
        let context: PCSCContext
        do {
            context = try PCSCContext()
        } catch {
            result.problem = "pcscd: \(error)"
            return result
        }
        defer { context.release() }
        do {
            let connection = try context.connect(reader: reader, responseTimeout: .seconds(3))
            defer { connection.disconnect() }
            let card = PIVCard(channel: connection)
            try card.selectApplication()
            let identity = try card.readIdentity()
            result.guid = identity.guidHex
            let guid = try CardGUID(bytes: identity.guid)
            let record: Card
            do {
                record = try registry.cards.show(guid)
            } catch {
                result.problem = "registry: \(error)"
                return result
            }
            result.operatorID = record.operatorId
            // The challenge uses the key pinned at issue, never the certificate the card offers.
            result.genuine = try card.authenticate(publicKey: record.key.publicKey).isGenuine
            switch record.status {
            // A card stays `issued` until its holder replaces the initial PIN (the registry activates it then).
            case .issued: result.status = record.expiresAt <= now ? .expired : .pinChangeRequired
            case .active: result.status = record.expiresAt <= now ? .expired : .active
            case .blocked, .suspended: result.status = .blocked
            case .revoked, .collected, .destroyed: result.status = .revoked
            }
            let holder = try registry.operators.show(record.operatorId)
            result.operatorName = holder.name
            result.operatorActive = holder.isActive(at: now)
            result.operatorTerminals = holder.terminals
            if let room {
                result.grants = try registry.rooms.grants(for: record.operatorId, room: room).map {
                    accessGrant($0, operatorID: record.operatorId, timeZone: timeZone)
                }
            }
        } catch {
            result.genuine = false
            result.problem = "\(error)"
            result.transportFailed = error is SmartCardError || error is OperatorCardError
        }
        return result
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
            operatorID: operatorID, roomID: grant.roomId,
            weekdays: Set(grant.weekdays.compactMap { AccessPolicy.Weekday(rawValue: $0.rawValue) }),
            fromMinute: grant.fromMinute, toMinute: grant.toMinute,
            validFrom: civil(grant.validFrom), validTo: civil(grant.validTo), requiresPIN: grant.mode == .cardAndPIN)
    }
}
