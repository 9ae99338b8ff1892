import AccessPolicy
import Foundation
import GatewayAPI
import History
import Registry
import Vocabulary

extension AdminDesk {
    /// `card issue`: the card in the admin station's second reader must answer a fresh challenge with its
    /// certificate's key, which is then pinned; the initial PIN must be changed by the holder at first use.
    func cardIssue(_ body: AdminCardIssue, caller: Peer) async throws -> AdminReply {
        let (_, person) = try await authorize(caller, .issueCard, kind: .adminCardIssued)
        let reader = try stationReader(body.reader, role: .adminSubject)
        guard reader != station.adminReader || station.subjectReader == nil else {
            throw GatewayError(.invalidField, "the new card goes into the admin station's second reader \"\(station.subjectReader ?? "?")\"; your own card stays in \"\(reader)\"")
        }
        let expiry = try day(body.expires, option: "--expires").map { $0.addingTimeInterval(86_400) }
        let registry = context.registry
        let holderID = body.operator
        let holder = try await registryCall { try registry.operators.show(holderID) }
        let reading = try await onThreadOfItsOwn(name: "cardgate.card-issue") { IssueReading.read(reader: reader) }.get()
        let guid = reading.binding.guid
        guard reading.genuine else {
            try await record(NewEvent(kind: .cardRefused, result: .denied, actor: person.id, card: guid.hex, place: reader,
                                      details: EventDetails(reason: CardRefusal.notGenuine.rawValue)))
            throw GatewayError(.cardRefused, "card \(guid.short) did not prove it holds its certificate's key (\(reading.explanation)); it is refused and nothing was issued")
        }
        if let existing = try? await registryCall({ try registry.cards.show(guid) }) {
            throw GatewayError(.conflict, existing.status.isFinished
                ? "card \(guid.short) is \(existing.status.rawValue) and cannot be issued again; nothing was changed"
                : "card \(guid.short) is already bound to \(existing.operatorId); revoke it first; nothing was changed")
        }
        let (actor, binding, pin) = (person.id, reading.binding, body.pin.pin)
        let card = try await perform(NewEvent(kind: .adminCardIssued, result: .success, card: guid.hex, place: reader,
                                              details: EventDetails(record: holder.id)), by: actor) {
            try $0.cards.issue(binding, to: holderID, initialPIN: pin, expiresAt: expiry, by: actor)
        }
        return AdminReply(text: "issued card \(card.guid.hex) to \(holder.id) (\(holder.name)), key \(card.key.fingerprint), valid until \(dayText(card.expiresAt)); the holder must change the initial PIN at first use")
    }

    func cardRevoke(_ body: AdminCardRevoke, caller: Peer) async throws -> AdminReply {
        guard let why = RevocationReason(rawValue: body.reason) else {
            throw GatewayError(.invalidField, "--reason must be one of \(RevocationReason.allCases.map(\.rawValue).joined(separator: ", ")); nothing was changed")
        }
        let card = try guid(body.guid)
        let (_, person) = try await authorize(caller, .changeCardStatus, kind: .adminCardStatus)
        let actor = person.id
        let done = try await perform(NewEvent(kind: .adminCardStatus, result: .success, card: card.hex, details: EventDetails(reason: "revoked: \(why.rawValue)")),
                                     by: actor) { try $0.cards.revoke(card, reason: why, by: actor) }
        return AdminReply(text: "card \(done.guid.hex) of \(done.operatorId) revoked (\(why.rawValue))")
    }

    /// `card collect` and `card destroy`.
    func cardStep(_ text: String, _ step: String, caller: Peer, _ change: @escaping @Sendable (Registry, CardGUID, String) throws -> Card) async throws -> AdminReply {
        let card = try guid(text)
        let (_, person) = try await authorize(caller, .changeCardStatus, kind: .adminCardStatus)
        let actor = person.id
        let done = try await perform(NewEvent(kind: .adminCardStatus, result: .success, card: card.hex, details: EventDetails(reason: step)),
                                     by: actor) { try change($0, card, actor) }
        return AdminReply(text: "card \(done.guid.hex) \(step)")
    }

    func cardUnblock(_ text: String, caller: Peer) async throws -> AdminReply {
        let card = try guid(text)
        let (_, person) = try await authorize(caller, .unblockPIN, kind: .pinUnblocked)
        let actor = person.id
        let done = try await perform(NewEvent(kind: .pinUnblocked, result: .success, card: card.hex), by: actor) { try $0.cards.unblock(card, by: actor) }
        return AdminReply(text: "card \(done.guid.hex) of \(done.operatorId) unblocked")
    }

    func cardResetPIN(_ body: AdminCardResetPIN, caller: Peer) async throws -> AdminReply {
        let card = try guid(body.guid)
        let (_, person) = try await authorize(caller, .resetPIN, kind: .pinReset)
        let registry = context.registry
        _ = try await registryCall { try registry.cards.show(card) }
        let (actor, pin) = (person.id, body.pin.pin)
        let done = try await perform(NewEvent(kind: .pinReset, result: .success, card: card.hex), by: actor) {
            try $0.cards.resetPIN(card, newPIN: pin, by: actor)
        }
        return AdminReply(text: "PIN of card \(done.guid.hex) reset; \(done.operatorId) must change it at first use")
    }

    func cardList(_ operatorID: String?, caller: Peer) async throws -> AdminReply {
        _ = try await authorize(caller, .viewOperatorsAndCards)
        let registry = context.registry
        let cards = try await registryCall { try registry.cards.list(operatorId: operatorID) }
        let lines = cards.map {
            "\($0.guid.hex)  \($0.operatorId)  \($0.status.rawValue)\($0.revocationReason.map { " (\($0.rawValue))" } ?? "")  until \(dayText($0.expiresAt))"
        }
        return AdminReply(text: lines.joined(separator: "\n"), json: try json(cards))
    }

    /// `card show --json` prints the card and its PIN state.
    struct CardWithPIN: Encodable {
        let card: Card
        let pin: PINStatus
    }

    func cardShow(_ text: String, caller: Peer) async throws -> AdminReply {
        let card = try guid(text)
        _ = try await authorize(caller, .viewOperatorsAndCards)
        let registry = context.registry
        let shown = try await registryCall { try registry.cards.show(card) }
        let pin = try await registryCall { try registry.pins.status(card: card) }
        let text = """
            card:      \(shown.guid.hex)
            holder:    \(shown.operatorId)
            status:    \(shown.status.rawValue)\(shown.revocationReason.map { " (\($0.rawValue))" } ?? "")
            key:       \(shown.key.fingerprint)
            valid to:  \(dayText(shown.expiresAt))
            PIN:       \(pin.blocked ? "BLOCKED" : "\(pin.remainingAttempts) attempts left")\(pin.mustChange ? ", initial (must change)" : "")
            """
        return AdminReply(text: text, json: try json(CardWithPIN(card: shown, pin: pin)))
    }
}
