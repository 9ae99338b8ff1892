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
        // Another user's session holds the station: refused before the card and the PIN are read, so that nobody can
        // count wrong PINs against the logged-in administrator's card.
        if let other = station.otherUser(than: caller) {
            try await refuseStationInUse(other, caller: caller, reader: reader)
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
                                      place: reader, details: EventDetails(reason: refusal.rawValue)))
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
        // The session opens first (another user may have logged in meanwhile), then the login is recorded; a login that
        // cannot be recorded is withdrawn. A refused login is never recorded as one.
        let opened: AdminSessionState
        do {
            opened = try station.open(operatorID: operatorID, card: card, caller: caller, insertionCount: insertion.count, now: Date())
        } catch {
            guard let other = station.otherUser(than: caller) else { throw error }
            try await refuseStationInUse(other, caller: caller, reader: reader)
        }
        do {
            try await record(NewEvent(kind: .adminSession, result: .success, actor: operatorID, card: card.hex, place: reader,
                                      details: EventDetails(reason: "login uid:\(caller.uid)")))
        } catch {
            station.withdraw(opened)
            throw error
        }
        let (_, person) = try await checkedSession(caller)
        return AdminReply(
            text: "logged in as \(person.id) (\(person.roles.sorted().map(\.rawValue).joined(separator: ", "))) until \(clock(station.expiry(of: opened)))"
                + "; the session ends when the card leaves the admin reader")
    }

    /// Records and throws the refusal of a login while `other`'s session holds the station (`station-in-use`).
    private func refuseStationInUse(_ other: UInt32, caller: Peer, reader: String) async throws -> Never {
        try await record(NewEvent(kind: .adminSession, result: .denied, place: reader,
                                  details: EventDetails(reason: "station-in-use", record: "uid:\(caller.uid)")))
        throw GatewayError(.conflict, "the admin station is in use by another user (uid \(other)); they must log out or pull their card first; nothing was read")
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
        // Recorded as changed inside the registry's transaction that changes it, and only then.
        let (store, logger) = (context.history.store, context.logger)
        let changed = NewEvent(kind: .pinChanged, result: .success, actor: holder, card: card.hex, place: reader)
        do {
            _ = try await context.pinThreads.run {
                try registry.recording({
                    do {
                        try store.append(changed)
                    } catch {
                        logger.critical("history append failed; the PIN change is refused", metadata: ["error": "\(error)"])
                        throw RegistryError(.notRecorded, "the PIN change could not be recorded in the history, so it was not made")
                    }
                }) { try registry.pins.change(card: card, current: current, new: new) }
            }
        } catch let error as RegistryError {
            switch error.code {
            case .pinWrong, .pinBlocked:
                let status = try? await context.registryThreads.run { try registry.pins.status(card: card) }
                await context.history.append(NewEvent(kind: .pinFailed, result: .failure, actor: holder, card: card.hex, place: reader,
                                                      details: EventDetails(retriesLeft: status?.remainingAttempts)))
                if status?.blocked == true {
                    await context.history.append(NewEvent(kind: .pinLocked, result: .failure, actor: holder, card: card.hex, place: reader))
                }
            case .notRecorded:
                break
            default:
                var refused = changed
                refused.result = error.code.isFault ? .failure : .denied
                refused.details.reason = "not done: \(error.reasonCode)"
                await context.history.append(refused)
            }
            throw Self.mapped(error)
        }
        return AdminReply(text: "PIN of card \(card.hex) changed")
    }
}
