import Foundation
import GRDB
import Testing
@testable import Registry

@Suite struct EquipmentLedgerTests {
    static let digest = String(repeating: "ab", count: 32)

    @Test func addChangeAndRetireAreEachRecordedWithTheActor() throws {
        let f = try Fixture()
        let ledger = f.registry.ledger
        try ledger.add(Equipment(id: "CardGate Test A 00 00", kind: .reader, name: "ACR39U", location: "市民課 窓口1", serial: "RR-001"),
                       note: "承認済み", by: "netadmin")
        f.clock.advance(60)
        let moved = try ledger.change("CardGate Test A 00 00", EquipmentUpdate(location: "市民課 窓口2"), note: "窓口移設", by: "netadmin")
        #expect(moved.location == "市民課 窓口2")
        f.clock.advance(60)
        #expect(try ledger.retire("CardGate Test A 00 00", note: "故障", by: "netadmin").status == .retired)
        let record = try ledger.history("CardGate Test A 00 00")
        #expect(record.map(\.action) == [.add, .change, .retire])
        #expect(record.map(\.actor) == ["netadmin", "netadmin", "netadmin"])
        #expect(record.map(\.note) == ["承認済み", "窓口移設", "故障"])
        #expect(record[0].before == nil)
        #expect(record[1].before?.contains("窓口1") == true)
        #expect(record[1].after.contains("窓口2"))
        #expect(record[1].at == record[0].at.addingTimeInterval(60))
        #expect(record.map(\.sequence) == record.map(\.sequence).sorted())
    }

    @Test func theChangeRecordCannotBeUpdatedOrDeletedThroughSQL() throws {
        let f = try Fixture()
        try f.registry.ledger.add(Equipment(id: "SRV-1", kind: .server, name: "本番サーバ", location: "電算室"), by: "netadmin")
        let queue = try DatabaseQueue(path: f.path)
        for sql in ["UPDATE equipmentChange SET actor = 'someone-else'", "DELETE FROM equipmentChange",
                    "DELETE FROM equipment WHERE id = 'SRV-1'", "UPDATE equipment SET kind = 'reader' WHERE id = 'SRV-1'"] {
            do {
                try queue.write { try $0.execute(sql: sql) }
                Issue.record("\(sql) was allowed")
            } catch let error as DatabaseError {
                #expect(error.resultCode == .SQLITE_CONSTRAINT)
            }
        }
        let record = try f.registry.ledger.history()
        #expect(record.count == 1)
        #expect(record[0].actor == "netadmin")
        // A change made behind the service's back is still recorded, by the trigger.
        try queue.write { try $0.execute(sql: "UPDATE equipment SET location = '倉庫', changedBy = 'sqlite3' WHERE id = 'SRV-1'") }
        #expect(try f.registry.ledger.history("SRV-1").last?.actor == "sqlite3")
    }

    @Test func aRetiredEntryNeverChanges() throws {
        let f = try Fixture()
        try f.registry.ledger.add(Equipment(id: "USB-7", kind: .storageMedia, name: "USBメモリ", location: "金庫"), by: "netadmin")
        try f.registry.ledger.retire("USB-7", by: "netadmin")
        #expect(registryError { try f.registry.ledger.change("USB-7", EquipmentUpdate(location: "机"), by: "netadmin") }?.code == .equipmentRetired)
        #expect(registryError { try f.registry.ledger.retire("USB-7", by: "netadmin") }?.code == .equipmentRetired)
        #expect(try f.registry.ledger.history("USB-7").count == 2)
    }

    @Test func programsNeedAVersionAndASHA256() throws {
        let f = try Fixture()
        let ledger = f.registry.ledger
        #expect(registryError { try ledger.add(Equipment(id: "cardgate", kind: .program, name: "CardGate", location: "SRV-1"), by: "netadmin") }?.code == .invalidInput)
        #expect(registryError { try ledger.add(Equipment(id: "cardgate", kind: .program, name: "CardGate", location: "SRV-1", version: "1.0", sha256: "abc"), by: "netadmin") }?.code == .invalidInput)
        #expect(registryError { try ledger.add(Equipment(id: "T1", kind: .terminal, name: "端末", location: "窓口", version: "1.0"), by: "netadmin") }?.code == .invalidInput)
        let program = try ledger.add(Equipment(id: "cardgate", kind: .program, name: "CardGate", location: "SRV-1", version: "1.0",
                                               sha256: Self.digest.uppercased()), by: "netadmin")
        #expect(program.sha256 == Self.digest)
        #expect(try ledger.approved(.program, id: "cardgate")?.sha256 == Self.digest)
        try ledger.change("cardgate", EquipmentUpdate(status: .inStock), by: "netadmin")
        #expect(try ledger.approved(.program, id: "cardgate") == nil)
        #expect(try ledger.approved(.reader, id: "unknown reader") == nil)
    }

    @Test func duplicatesUnknownsAndEmptyChangesAreRefused() throws {
        let f = try Fixture()
        let ledger = f.registry.ledger
        try ledger.add(Equipment(id: "T1", kind: .terminal, name: "端末", location: "窓口"), by: "netadmin")
        #expect(registryError { try ledger.add(Equipment(id: "T1", kind: .terminal, name: "端末", location: "窓口"), by: "netadmin") }?.code == .equipmentExists)
        #expect(registryError { try ledger.change("T9", EquipmentUpdate(name: "x"), by: "netadmin") }?.code == .unknownEquipment)
        #expect(registryError { try ledger.change("T1", EquipmentUpdate(name: "端末"), by: "netadmin") }?.code == .invalidInput)
        #expect(registryError { try ledger.change("T1", EquipmentUpdate(status: .retired), by: "netadmin") }?.code == .invalidInput)
        #expect(try ledger.list(kind: .terminal).map(\.id) == ["T1"])
        #expect(try ledger.history().count == 1)
    }
}
