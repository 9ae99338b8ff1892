import AccessPolicy
import Foundation
import GatewayAPI
import History
import Registry
import Vocabulary

/// Carries out administrative requests for the daemon (``AdminService``): checks the session and the roles,
/// records the act in the history first, changes the registry on the registry threads, and answers what the command
/// prints (text, and the JSON document of `--json`).
struct AdminDesk: AdminService {
    let station: AdminStation
    var context: PlaceContext { station.context }

    func perform(_ request: AdminRequest, caller: Peer) async throws -> AdminReply {
        switch request {
        case .login(let body): return try await login(body, caller: caller)
        case .logout:
            let ended = try station.logout(caller)
            _ = ended
            return AdminReply(text: "logged out")
        case .session:
            let open = try station.requireSession(caller)
            let roles = try await acting(open).roles
            return AdminReply(
                text: "logged in as \(open.operatorID) (\(roles.sorted().map(\.rawValue).joined(separator: ", "))) until \(clock(station.expiry(of: open)))",
                json: try json(SessionView(operator: open.operatorID, roles: roles.sorted().map(\.rawValue), card: open.card.hex, uid: open.uid,
                                           expiresAt: station.expiry(of: open))))
        case .pinChange(let body): return try await pinChange(body, caller: caller)
        case .operatorAdd(let body): return try await operatorAdd(body, caller: caller)
        case .operatorList: return try await operatorList(caller: caller)
        case .operatorShow(let body): return try await operatorShow(body.id, caller: caller)
        case .operatorUpdate(let body): return try await operatorUpdate(body, caller: caller)
        case .operatorDisable(let body): return try await operatorDisable(body.id, caller: caller)
        case .cardIssue(let body): return try await cardIssue(body, caller: caller)
        case .cardRevoke(let body): return try await cardRevoke(body, caller: caller)
        case .cardCollect(let body): return try await cardStep(body.guid, "collected", caller: caller) { try $0.cards.collect($1, by: $2) }
        case .cardDestroy(let body): return try await cardStep(body.guid, "destroyed", caller: caller) { try $0.cards.destroy($1, by: $2) }
        case .cardUnblock(let body): return try await cardUnblock(body.guid, caller: caller)
        case .cardResetPIN(let body): return try await cardResetPIN(body, caller: caller)
        case .cardList(let body): return try await cardList(body.operator, caller: caller)
        case .cardShow(let body): return try await cardShow(body.guid, caller: caller)
        case .roomAdd(let body): return try await roomAdd(body, caller: caller)
        case .roomList: return try await roomList(caller: caller)
        case .roomGrant(let body): return try await roomGrant(body, caller: caller)
        case .roomRevoke(let body): return try await roomRevoke(body.grant, caller: caller)
        case .roomGrants(let body): return try await roomGrants(body, caller: caller)
        case .ledgerAdd(let body): return try await ledgerAdd(body, caller: caller)
        case .ledgerList(let body): return try await ledgerList(body.kind, caller: caller)
        case .ledgerShow(let body): return try await ledgerShow(body.id, caller: caller)
        case .ledgerChange(let body): return try await ledgerChange(body, caller: caller)
        case .ledgerRetire(let body): return try await ledgerRetire(body, caller: caller)
        case .ledgerHistory(let body): return try await ledgerHistory(body.id, caller: caller)
        case .historyArchive(let body): return try await historyArchive(body.year, caller: caller)
        case .historyPrune(let body): return try await historyPrune(body.year, caller: caller)
        case .historyCheckpoint: return try await historyCheckpoint(caller: caller)
        }
    }

    // MARK: - Shared steps

    /// The logged-in administrator as the registry knows them now (roles read fresh).
    func acting(_ session: AdminSessionState) async throws -> Operator {
        let registry = context.registry
        let id = session.operatorID
        let person = try await registryCall { try registry.operators.show(id) }
        guard person.isActive(at: Date()) else {
            throw GatewayError(.notLoggedIn, "\(id) is no longer active; the session is refused")
        }
        return person
    }

    /// The session of `caller` and its administrator, after checking that their roles permit `act`; a refusal is
    /// recorded as `denied` (with `kind`).
    func authorize(_ caller: Peer, _ act: AdministrativeAct, kind: EventKind = .adminOperator) async throws -> (AdminSessionState, Operator) {
        let session = try station.requireSession(caller)
        let person = try await acting(session)
        guard Authorization.permits(person.roles, act) else {
            let needed = Authorization.roles(permitting: act).sorted().map(\.rawValue).joined(separator: " or ")
            try await record(NewEvent(kind: kind, result: .denied, actor: person.id, details: EventDetails(reason: "role not permitted: \(act.rawValue)")))
            throw GatewayError(.notPermitted, "\(person.id) may not \(act.rawValue): this needs the \(needed) role; nothing was changed")
        }
        return (session, person)
    }

    /// Appends one event; a failure to record refuses the act.
    func record(_ event: NewEvent) async throws {
        guard await context.history.append(event) != nil else {
            throw GatewayError.historyUnavailable("the act could not be recorded, so it is refused")
        }
    }

    /// Records `event` (the administrator as actor), then runs `change` on the registry threads. When the change is
    /// refused, a second event with result `failure` and the refusal's code records that it did not take effect.
    func perform<T: Sendable>(_ event: NewEvent, by actor: String, _ change: @escaping @Sendable (Registry) throws -> T) async throws -> T {
        var event = event
        if event.actor == nil { event.actor = actor }
        try await record(event)
        let registry = context.registry
        do {
            return try await context.registryThreads.run { try change(registry) }
        } catch {
            var failed = event
            failed.result = .failure
            let code = (error as? RegistryError)?.code.rawValue ?? "error"
            failed.details.reason = String("not done: \(code)".prefix(EventDetails.maximumTextBytes))
            await context.history.append(failed)
            throw Self.mapped(error)
        }
    }

    /// Runs a registry read on the registry threads; its refusal becomes the reply's error.
    func registryCall<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        do {
            return try await context.registryThreads.run(body)
        } catch {
            throw Self.mapped(error)
        }
    }

    /// A registry refusal as the administration socket answers it, with the registry's own message.
    static func mapped(_ error: any Error) -> any Error {
        guard let error = error as? RegistryError else { return error }
        switch error.code {
        case .roleNotPermitted, .lastPINAdministrator: return GatewayError(.notPermitted, error.description)
        case .invalidInput, .credentials: return GatewayError(.invalidField, error.description)
        case .databaseLocked, .databaseReadOnly, .database: return GatewayError(.unavailable, error.description)
        default: return GatewayError(.conflict, error.description)
        }
    }

    // MARK: - Formatting

    /// A `YYYY-MM-DD` day in the installation's time zone (the start of that day).
    func day(_ text: String?, option: String) throws -> Date? {
        guard let text else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = context.configuration.timeZone
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.isLenient = false
        guard text.count == 10, let date = formatter.date(from: text) else {
            throw GatewayError(.invalidField, "\(option) must be a day written YYYY-MM-DD (for example 2027-03-31), not \"\(text.prefix(32))\"; nothing was changed")
        }
        return date
    }

    /// The last day before `date` (an exclusive end) as `YYYY-MM-DD` in the installation's time zone.
    func dayText(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = context.configuration.timeZone
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date.addingTimeInterval(-1))
    }

    /// `HH:mm:ss` in the installation's time zone.
    func clock(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.timeZone = context.configuration.timeZone
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: date)
    }

    /// One JSON document (sorted keys), as `--json` prints it.
    func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// The card GUID typed by the administrator.
    func guid(_ text: String) throws -> CardGUID {
        guard let guid = CardGUID(hex: text) else {
            throw GatewayError(.invalidField, "\"\(text.prefix(48))\" is not a card GUID: expected 32 hex digits; nothing was changed")
        }
        return guid
    }

    /// The reader of the admin station a request names (or the configured one of `role`).
    func stationReader(_ named: String?, role: ReaderRole) throws -> String {
        let configured = role == .admin ? station.adminReader : station.subjectReader
        guard let reader = named ?? configured ?? station.adminReader else {
            throw GatewayError(.invalidField, "the configuration names no admin station reader (role \"admin\" / \"admin-subject\")")
        }
        guard context.configuration.role(ofReader: reader)?.isAdminStation == true else {
            throw GatewayError(.invalidField, "\"\(reader.prefix(64))\" is not an admin station reader in \(context.configuration.file)")
        }
        return reader
    }
}

/// `session/show` as JSON.
struct SessionView: Encodable {
    let `operator`: String
    let roles: [String]
    let card: String
    let uid: UInt32
    let expiresAt: Date
}
