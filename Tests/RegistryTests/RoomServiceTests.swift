import Foundation
import Testing
import Vocabulary
@testable import Registry

@Suite struct RoomServiceTests {
    @Test func roomsAndGrantsAreStoredAsGiven() throws {
        let f = try Fixture()
        try f.registry.operators.add(NewOperator(id: "op1", name: "操作 一郎", groups: ["juki"]), by: "admin")
        try f.registry.rooms.add(Room(id: "dc-1", name: "電算室", requiresPIN: true, antiPassback: true), by: "netadmin")
        try f.registry.rooms.add(Room(id: "store", name: "書庫", requiresPIN: false, antiPassback: false), by: "netadmin")
        let start = f.clock.now
        let direct = try f.registry.rooms.grant(NewRoomGrant(roomId: "dc-1", grantee: .operator("op1"), weekdays: [.monday, .friday],
                                                             fromMinute: 8 * 60 + 30, toMinute: 17 * 60, validFrom: start,
                                                             validTo: start.addingTimeInterval(86_400 * 90), mode: .cardAndPIN), by: "netadmin")
        #expect(direct.weekdays == [.monday, .friday])
        #expect(direct.fromMinute == 510)
        #expect(direct.createdBy == "netadmin")
        let group = try f.registry.rooms.grant(NewRoomGrant(roomId: "store", grantee: .group("juki"), mode: .card), by: "netadmin")
        #expect(group.grantee == .group("juki"))
        #expect(group.weekdays == Weekday.workdays)
        #expect(try f.registry.rooms.grants(for: "op1", room: "store").map(\.id) == [group.id])
        #expect(try f.registry.rooms.grants(for: "op1", room: "dc-1").map(\.id) == [direct.id])
        #expect(try f.registry.rooms.list().map(\.name) == ["電算室", "書庫"])
        try f.registry.rooms.revokeGrant(group.id, by: "netadmin")
        #expect(try f.registry.rooms.grants(for: "op1", room: "store").isEmpty)
        #expect(try f.registry.rooms.grants(includeRevoked: true).count == 2)
        #expect(registryError { try f.registry.rooms.revokeGrant(group.id, by: "netadmin") }?.code == .unknownGrant)
    }

    @Test func badGrantsAreRefused() throws {
        let f = try Fixture()
        try f.registry.operators.add(NewOperator(id: "op1", name: "操作 一郎"), by: "admin")
        try f.registry.rooms.add(Room(id: "dc-1", name: "電算室", requiresPIN: true, antiPassback: false), by: "netadmin")
        let rooms = f.registry.rooms
        #expect(registryError { try rooms.grant(NewRoomGrant(roomId: "dc-1", grantee: .operator("op1"), mode: .card), by: "netadmin") }?.code == .invalidInput)
        #expect(registryError { try rooms.grant(NewRoomGrant(roomId: "dc-9", grantee: .operator("op1")), by: "netadmin") }?.code == .unknownRoom)
        #expect(registryError { try rooms.grant(NewRoomGrant(roomId: "dc-1", grantee: .operator("ghost")), by: "netadmin") }?.code == .unknownOperator)
        #expect(registryError { try rooms.grant(NewRoomGrant(roomId: "dc-1", grantee: .operator("op1"), weekdays: []), by: "netadmin") }?.code == .invalidInput)
        // An empty window is refused (22:00–06:00 is a night shift across midnight, and allowed).
        #expect(registryError { try rooms.grant(NewRoomGrant(roomId: "dc-1", grantee: .operator("op1"), fromMinute: 22 * 60, toMinute: 22 * 60), by: "netadmin") }?.code == .invalidInput)
        #expect(registryError { try rooms.grant(NewRoomGrant(roomId: "dc-1", grantee: .operator("op1")), by: "admin") }?.code == .roleNotPermitted)
        #expect(registryError { try rooms.add(Room(id: "dc-1", name: "重複", requiresPIN: false, antiPassback: false), by: "netadmin") }?.code == .roomExists)
        #expect(try rooms.grants().isEmpty)
    }
}
