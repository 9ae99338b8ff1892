import AccessPolicy
import Foundation
import GatewayAPI
import History
import Registry
import Vocabulary

extension AdminDesk {
    /// `admin login`: the card in the admin reader, challenged against its pinned key, the one card decision (an
    /// administrative role is needed), then the PIN; the session is bound to the caller's uid and to this insertion.
    func login(_ body: AdminLogin, caller: Peer) async throws -> AdminReply {
        let reader = try stationReader(body.reader, role: .admin)
        guard reader == station.adminReader else {
            throw GatewayError(.invalidField, "administrators log in at the admin reader \"\(station.adminReader ?? "?")\", not \"\(reader)\"")
        }
        let insertion = station.adminInsertion
        guard insertion.present else {
            throw GatewayError(.conflict, "there is no card in the admin reader \"\(reader)\"; put your card in it first")
        }
        let check = await context.checkCard(in: reader, room: nil)
        let cardText = check.card.guid?.hex
        let use = CardUsePolicy.decide(check.card, at: .adminStation(.login), now: Date(), timeZone: context.configuration.timeZone)
        let operatorID: String
        switch use {
        case .refused(let refusal, let holder):
            let kind: EventKind = holder == nil || refusal == .notGenuine ? .cardRefused : .adminSession
            try await record(NewEvent(kind: kind, result: refusal == .unavailable ? .failure : .denied, actor: holder, card: cardText,
                                      place: reader, details: EventDetails(reason: "refused: \(refusal.rawValue)")))
            switch refusal {
            case .noAdministrativeRole:
                throw GatewayError(.notPermitted, "\(holder ?? "?") holds no administrative role (supervisor, administrator, operations-manager or pin-admin); no session")
            case .unavailable:
                throw GatewayError(.unavailable, "the card in the admin reader cannot be read or the registry does not answer (\(check.problem ?? "no detail")); try again")
            case .pinChangeRequired:
                throw GatewayError(.cardRefused, "the PIN of this card is an initial PIN; change it first with: cardgate pin change --reader \"\(reader)\"")
            default:
                throw GatewayError(.cardRefused, "the card in the admin reader is refused: \(refusal.rawValue)")
            }
        case .allowed(let holder, _):
            operatorID = holder
        }
        guard let card = check.card.guid else { throw GatewayError(.unavailable, "the card's GUID could not be read") }
        let registry = context.registry
        let pin = body.pin.pin
        let result = await context.pinThreads.run { PINCheck.run(card: card, pin: pin, registry: registry) }
        switch result {
        case .good:
            break
        case .wrong(let left) where left > 0:
            try await record(NewEvent(kind: .pinFailed, result: .failure, actor: operatorID, card: card.hex, place: reader,
                                      details: EventDetails(retriesLeft: left)))
            throw GatewayError(.wrongPIN, "wrong PIN; \(left) attempt\(left == 1 ? "" : "s") left before the card is blocked", attemptsLeft: left)
        case .wrong, .blocked:
            try await record(NewEvent(kind: .pinLocked, result: .failure, actor: operatorID, card: card.hex, place: reader))
            throw GatewayError(.cardBlocked, "card \(card.short) is blocked after too many wrong PINs; ask a PIN administrator to unblock it")
        case .mustChange:
            throw GatewayError(.cardRefused, "the PIN of card \(card.short) is an initial PIN; change it first with: cardgate pin change --reader \"\(reader)\"")
        case .refused(let refusal):
            throw GatewayError(.cardRefused, "card \(card.short) is refused: \(refusal.rawValue)")
        case .unavailable:
            throw GatewayError(.unavailable, "the PIN could not be checked (the registry does not answer); nothing was counted")
        }
        guard station.adminInsertion.count == insertion.count else {
            throw GatewayError(.conflict, "the card left the admin reader during the login; no session")
        }
        try await record(NewEvent(kind: .adminSession, result: .success, actor: operatorID, card: card.hex, place: reader,
                                  details: EventDetails(reason: "login uid:\(caller.uid)")))
        let opened = try station.open(operatorID: operatorID, card: card, caller: caller, insertionCount: insertion.count, now: Date())
        let person = try await acting(opened)
        return AdminReply(
            text: "logged in as \(person.id) (\(person.roles.sorted().map(\.rawValue).joined(separator: ", "))) until \(clock(station.expiry(of: opened)))"
                + "; the session ends when the card leaves the admin reader")
    }

    /// `pin change`: the holder, with their card in an admin station reader and their current PIN, sets a new PIN.
    /// No administrative session is needed; this is the one act a card whose PIN must be changed may do.
    func pinChange(_ body: AdminPINChange, caller: Peer) async throws -> AdminReply {
        let reader = try stationReader(body.reader, role: .adminSubject)
        let check = await context.checkCard(in: reader, room: nil)
        let use = CardUsePolicy.decide(check.card, at: .adminStation(.pinChange), now: Date(), timeZone: context.configuration.timeZone)
        guard case .allowed(let holder, _) = use, let card = check.card.guid else {
            let refusal = use.refusal ?? .unavailable
            try await record(NewEvent(kind: .cardRefused, result: refusal == .unavailable ? .failure : .denied, actor: use.operatorID,
                                      card: check.card.guid?.hex, place: reader, details: EventDetails(reason: refusal.rawValue)))
            throw GatewayError(refusal == .unavailable ? .unavailable : .cardRefused, "the card in \"\(reader)\" is refused: \(refusal.rawValue)")
        }
        let registry = context.registry
        let (current, new) = (body.current.pin, body.new.pin)
        do {
            try registry.configuration.policy.check(new)
        } catch {
            throw GatewayError(.invalidField, "\(error.description); nothing was changed")
        }
        try await record(NewEvent(kind: .pinChanged, result: .success, actor: holder, card: card.hex, place: reader))
        do {
            try await context.pinThreads.run { try registry.pins.change(card: card, current: current, new: new) }
        } catch let error as RegistryError {
            if error.code == .pinWrong || error.code == .pinBlocked {
                let status = try? await context.registryThreads.run { try registry.pins.status(card: card) }
                await context.history.append(NewEvent(kind: .pinFailed, result: .failure, actor: holder, card: card.hex, place: reader,
                                                      details: EventDetails(retriesLeft: status?.remainingAttempts)))
                if status?.blocked == true {
                    await context.history.append(NewEvent(kind: .pinLocked, result: .failure, actor: holder, card: card.hex, place: reader))
                }
            }
            await context.history.append(NewEvent(kind: .pinChanged, result: .failure, actor: holder, card: card.hex, place: reader,
                                                  details: EventDetails(reason: "not done: \(error.code.rawValue)")))
            throw Self.mapped(error)
        }
        return AdminReply(text: "PIN of card \(card.hex) changed")
    }
}
