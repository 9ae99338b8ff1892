import Credentials
import Foundation
import GRDB
import Testing
import Vocabulary
@testable import Registry

@Suite struct RegistryDatabaseTests {
    @Test func theFileIsCreatedWithMode0600BesideTheHistory() throws {
        let f = try Fixture()
        let attributes = try FileManager.default.attributesOfItem(atPath: f.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(f.path.hasSuffix("/registry.sqlite"))
    }

    @Test func aMissingDatabaseIsNotCreatedUnlessAsked() throws {
        let f = try Fixture()
        let missing = f.folder + "/none.sqlite"
        let error = registryError { _ = try Fixture.open(path: missing, pepper: f.pepper, clock: f.clock) }
        #expect(error?.code == .database)
        #expect(error?.description.contains("cardgate init") == true)
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    @Test func aLockedDatabaseGivesAClearErrorWithNothingChanged() throws {
        let f = try Fixture()
        let other = try DatabaseQueue(path: f.path)
        try other.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            let error = registryError { try f.registry.operators.add(NewOperator(id: "op1", name: "操作 一郎"), by: "admin") }
            #expect(error?.code == .databaseLocked)
            #expect(error?.description.contains("nothing was changed") == true)
            try db.execute(sql: "ROLLBACK")
        }
        #expect(registryError { _ = try f.registry.operators.show("op1") }?.code == .unknownOperator)
        try f.registry.operators.add(NewOperator(id: "op1", name: "操作 一郎"), by: "admin")
    }

    @Test func aReadOnlyDatabaseReadsButRefusesEveryWrite() throws {
        let f = try Fixture()
        let card = try f.operatorWithCard("op1")
        let readOnly = try f.reopened(readOnly: true)
        #expect(try readOnly.operators.list().count == 3)
        let error = registryError { try readOnly.operators.add(NewOperator(id: "op2", name: "操作 二郎"), by: "admin") }
        #expect(error?.code == .databaseReadOnly)
        #expect(registryError { _ = try readOnly.pins.verify(card: card.guid, pin: PIN("000111")) }?.code == .databaseReadOnly)
        #expect(try f.registry.pins.status(card: card.guid).failures == 0)
        #expect(registryError { _ = try f.registry.operators.show("op2") }?.code == .unknownOperator)
    }

    @Test func everyCommitIsSyncedWALWithSynchronousFullAlsoWhenReopened() throws {
        let f = try Fixture()
        for registry in [f.registry, try f.reopened()] {
            #expect(try registry.database.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
            // 2 = FULL (GRDB's WAL set-up alone would leave 1 = NORMAL).
            #expect(try registry.database.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") } == 2)
        }
    }

    @Test func aDamagedFileIsReportedAsSuch() throws {
        let f = try Fixture()
        let path = f.folder + "/garbage.sqlite"
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        let error = registryError { _ = try Fixture.open(path: path, pepper: f.pepper, clock: f.clock) }
        #expect(error?.code == .database)
        #expect(error?.description.contains("damaged") == true)
    }
}

@Suite struct RegistryFileModeTests {
    @Test func aDatabaseFileOthersCanReadIsRefused() throws {
        let f = try Fixture()
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: f.path)
        let error = registryError { _ = try f.reopened() }
        #expect(error?.code == .database)
        #expect(error?.description.contains("chmod 600") == true)
    }
}
