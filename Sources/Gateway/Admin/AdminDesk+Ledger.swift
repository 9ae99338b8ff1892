import Foundation
import GatewayAPI
import History
import Registry
import Vocabulary

extension AdminDesk {
    func equipmentStatus(_ text: String?) throws -> EquipmentStatus? {
        guard let text else { return nil }
        guard let status = EquipmentStatus(rawValue: text) else {
            throw GatewayError(.invalidField, "--status must be one of \(EquipmentStatus.allCases.map(\.rawValue).joined(separator: ", ")); nothing was changed")
        }
        return status
    }

    func equipmentKind(_ text: String?) throws -> EquipmentKind? {
        guard let text else { return nil }
        guard let kind = EquipmentKind(rawValue: text) else {
            throw GatewayError(.invalidField, "--kind must be one of \(EquipmentKind.allCases.map(\.rawValue).joined(separator: ", ")); nothing was changed")
        }
        return kind
    }

    func ledgerAdd(_ body: AdminLedgerEntry, caller: Peer) async throws -> AdminReply {
        guard let kind = try equipmentKind(body.kind), let name = body.name, let location = body.location else {
            throw GatewayError(.invalidField, "--kind, --name and --location are needed; nothing was changed")
        }
        let status = try equipmentStatus(body.status) ?? .inService
        let (_, person) = try await authorize(caller, .manageLedger, kind: .ledgerAdded)
        let item = Equipment(id: body.id, kind: kind, name: name, location: location, serial: body.serial, status: status,
                             version: body.version, sha256: body.sha256)
        let (actor, note) = (person.id, body.note)
        let added = try await perform(NewEvent(kind: .ledgerAdded, result: .success,
                                               details: EventDetails(operation: kind.rawValue, record: String(body.id.prefix(100)))),
                                      by: actor) { try $0.ledger.add(item, note: note, by: actor) }
        await station.ledgerChanged()
        return AdminReply(text: "ledger: \(added.kind.rawValue) \(added.id) added (\(added.status.rawValue))")
    }

    func ledgerList(_ kindText: String?, caller: Peer) async throws -> AdminReply {
        let kind = try equipmentKind(kindText)
        _ = try await authorize(caller, .viewLedger)
        let registry = context.registry
        let items = try await registryCall { try registry.ledger.list(kind: kind) }
        let lines = items.map { "\($0.id)  \($0.kind.rawValue)  \($0.name)  \($0.location)  \($0.status.rawValue)" }
        return AdminReply(text: lines.joined(separator: "\n"), json: try json(items))
    }

    func ledgerShow(_ id: String, caller: Peer) async throws -> AdminReply {
        _ = try await authorize(caller, .viewLedger)
        let registry = context.registry
        let item = try await registryCall { try registry.ledger.show(id) }
        let text = """
            id:        \(item.id)
            kind:      \(item.kind.rawValue)
            name:      \(item.name)
            location:  \(item.location)
            serial:    \(item.serial ?? "-")
            status:    \(item.status.rawValue)
            version:   \(item.version ?? "-")
            sha256:    \(item.sha256 ?? "-")
            """
        return AdminReply(text: text, json: try json(item))
    }

    func ledgerChange(_ body: AdminLedgerEntry, caller: Peer) async throws -> AdminReply {
        guard body.kind == nil else { throw GatewayError(.invalidField, "the kind of a ledger entry cannot change; retire it and add a new one") }
        let update = EquipmentUpdate(name: body.name, location: body.location, serial: body.serial, status: try equipmentStatus(body.status),
                                     version: body.version, sha256: body.sha256)
        let (_, person) = try await authorize(caller, .manageLedger, kind: .ledgerChanged)
        let (actor, note, id) = (person.id, body.note, body.id)
        let changed = try await perform(NewEvent(kind: .ledgerChanged, result: .success, details: EventDetails(operation: "change", record: String(id.prefix(100)))),
                                        by: actor) { try $0.ledger.change(id, update, note: note, by: actor) }
        await station.ledgerChanged()
        return AdminReply(text: "ledger: \(changed.id) changed")
    }

    func ledgerRetire(_ body: AdminLedgerRetire, caller: Peer) async throws -> AdminReply {
        let (_, person) = try await authorize(caller, .manageLedger, kind: .ledgerChanged)
        let (actor, note, id) = (person.id, body.note, body.id)
        let retired = try await perform(NewEvent(kind: .ledgerChanged, result: .success, details: EventDetails(operation: "retire", record: String(id.prefix(100)))),
                                        by: actor) { try $0.ledger.retire(id, note: note, by: actor) }
        await station.ledgerChanged()
        return AdminReply(text: "ledger: \(retired.id) retired")
    }

    func ledgerHistory(_ id: String?, caller: Peer) async throws -> AdminReply {
        _ = try await authorize(caller, .viewLedger)
        let registry = context.registry
        let records = try await registryCall { try registry.ledger.history(id) }
        let formatter = ISO8601DateFormatter()
        let lines = records.map {
            "\($0.sequence)  \(formatter.string(from: $0.at))  \($0.equipmentId)  \($0.action.rawValue)  by \($0.actor)\($0.note.map { "  (\($0))" } ?? "")"
        }
        return AdminReply(text: lines.joined(separator: "\n"), json: try json(records))
    }
}
