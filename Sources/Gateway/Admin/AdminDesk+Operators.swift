import Foundation
import GatewayAPI
import History
import Registry
import Vocabulary

extension AdminDesk {
    /// Parses role names; an unknown one is refused with the list.
    func roles(_ names: [String]) throws -> Set<Role> {
        try Set(names.map { name in
            guard let role = Role(name: name) else {
                throw GatewayError(.invalidField, "unknown role \"\(name.prefix(32))\"; roles are \(Role.allCases.map(\.rawValue).joined(separator: ", ")); nothing was changed")
            }
            return role
        })
    }

    func operatorAdd(_ body: AdminOperatorAdd, caller: Peer) async throws -> AdminReply {
        let roles = try roles(body.roles)
        let (_, person) = try await authorize(caller, .manageOperators)
        let from = try day(body.validFrom, option: "--valid-from")
        let to = try day(body.validTo, option: "--valid-to").map { $0.addingTimeInterval(86_400) }
        let new = NewOperator(id: body.id, name: body.name, roles: roles, validFrom: from, validTo: to,
                              terminals: Set(body.terminals), groups: Set(body.groups))
        let actor = person.id
        let added = try await perform(NewEvent(kind: .adminOperator, result: .success, details: EventDetails(operation: "add", record: String(body.id.prefix(100)))),
                                      by: actor) { try $0.operators.add(new, by: actor) }
        return AdminReply(text: "operator \(added.id) (\(added.name)) added with roles \(added.roles.sorted().map(\.rawValue).joined(separator: ", "))")
    }

    func operatorList(caller: Peer) async throws -> AdminReply {
        _ = try await authorize(caller, .viewOperatorsAndCards)
        let registry = context.registry
        let all = try await registryCall { try registry.operators.list() }
        let lines = all.map { "\($0.id)  \($0.name)  \($0.status.rawValue)  \($0.roles.sorted().map(\.rawValue).joined(separator: ","))" }
        return AdminReply(text: lines.joined(separator: "\n"), json: try json(all))
    }

    /// `operator show --json` prints the operator and their cards.
    struct OperatorWithCards: Encodable {
        let `operator`: Operator
        let cards: [Card]
    }

    func operatorShow(_ id: String, caller: Peer) async throws -> AdminReply {
        _ = try await authorize(caller, .viewOperatorsAndCards)
        let registry = context.registry
        let person = try await registryCall { try registry.operators.show(id) }
        let cards = try await registryCall { try registry.cards.list(operatorId: id) }
        let text = """
            operator:   \(person.id)
            name:       \(person.name)
            status:     \(person.status.rawValue)
            roles:      \(person.roles.sorted().map(\.rawValue).joined(separator: ", "))
            terminals:  \(person.terminals.sorted().joined(separator: ", "))
            groups:     \(person.groups.sorted().joined(separator: ", "))
            cards:      \(cards.map { "\($0.guid.hex) (\($0.status.rawValue))" }.joined(separator: ", "))
            """
        return AdminReply(text: text, json: try json(OperatorWithCards(operator: person, cards: cards)))
    }

    func operatorUpdate(_ body: AdminOperatorUpdate, caller: Peer) async throws -> AdminReply {
        let newRoles = try body.roles.flatMap { $0.isEmpty ? nil : try roles($0) }
        let (_, person) = try await authorize(caller, .manageOperators)
        var update = OperatorUpdate(
            name: body.name, roles: newRoles, terminals: body.terminals.flatMap { $0.isEmpty ? nil : Set($0) },
            groups: body.groups.flatMap { $0.isEmpty ? nil : Set($0) })
        if let from = try day(body.validFrom, option: "--valid-from") { update.validFrom = .some(from) }
        if let to = try day(body.validTo, option: "--valid-to") { update.validTo = .some(to.addingTimeInterval(86_400)) }
        let (actor, change) = (person.id, update)
        let changed = try await perform(NewEvent(kind: .adminOperator, result: .success, details: EventDetails(operation: "update", record: String(body.id.prefix(100)))),
                                        by: actor) { try $0.operators.update(body.id, change, by: actor) }
        return AdminReply(text: "operator \(changed.id) updated")
    }

    func operatorDisable(_ id: String, caller: Peer) async throws -> AdminReply {
        let (_, person) = try await authorize(caller, .manageOperators)
        let actor = person.id
        let done = try await perform(NewEvent(kind: .adminOperator, result: .success, details: EventDetails(operation: "disable", record: String(id.prefix(100)))),
                                     by: actor) { try $0.operators.disable(id, by: actor) }
        return AdminReply(text: "operator \(done.id) disabled")
    }
}
