import Credentials
import Foundation
import Testing
@testable import Registry

@Suite struct JSONEncodingTests {
    @Test func aCardEncodesItsGUIDAndFingerprintButNoKeyBytes() throws {
        let f = try Fixture()
        let binding = try f.operatorWithCard("op1")
        let card = try f.registry.cards.show(binding.guid)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(card), as: UTF8.self)
        #expect(json.contains("\"guid\":\"\(binding.guid.hex)\""))
        #expect(json.contains("\"fingerprint\":\"\(card.key.fingerprint)\""))
        #expect(json.contains("\"status\":\"issued\""))
        #expect(!json.contains("publicKey"))
        #expect(!json.contains("scrypt"))
    }

    @Test func operatorsKeepTheirJapaneseNamesAndRoleNamesInJSON() throws {
        let f = try Fixture()
        let json = String(decoding: try JSONEncoder().encode(try f.registry.operators.show("admin")), as: UTF8.self)
        #expect(json.contains("暗証 管理子"))
        #expect(json.contains("pin-admin"))
    }
}

@Suite struct OperatorJSONTests {
    @Test func rolesTerminalsAndGroupsAreSortedInJSON() throws {
        let f = try Fixture()
        try f.registry.operators.add(NewOperator(id: "multi", name: "多 役", roles: [.pinAdmin, .supervisor, .administrator, .operator],
                                                 groups: ["z-team", "a-team"]), by: "netadmin")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(try f.registry.operators.show("multi")), as: UTF8.self)
        #expect(json.contains(#""roles":["supervisor","administrator","pin-admin","operator"]"#))
        #expect(json.contains(#""groups":["a-team","z-team"]"#))
    }
}
