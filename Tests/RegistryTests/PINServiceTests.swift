import Credentials
import Foundation
import GRDB
import Synchronization
import Testing
import Vocabulary
@testable import Registry

@Suite struct PINServiceTests {
    @Test func fiveWrongPINsBlockTheCardAndItStaysBlockedAfterAReopen() throws {
        let f = try Fixture()
        let card = try f.operatorWithCard("op1")
        for remaining in [4, 3, 2, 1, 0] {
            #expect(try f.registry.pins.verify(card: card.guid, pin: PIN("000111")) == .rejected(remainingAttempts: remaining))
        }
        #expect(try f.registry.cards.show(card.guid).status == .blocked)
        #expect(try f.registry.pins.verify(card: card.guid, pin: PIN("7391046")) == .blocked)

        let restarted = try f.reopened()
        #expect(try restarted.cards.show(card.guid).status == .blocked)
        #expect(try restarted.pins.verify(card: card.guid, pin: PIN("7391046")) == .blocked)
        let status = try restarted.pins.status(card: card.guid)
        #expect(status.blocked)
        #expect(status.failures == 5)
        #expect(status.remainingAttempts == 0)
    }

    @Test func theCounterSurvivesAReopenBeforeTheBlock() throws {
        let f = try Fixture()
        let card = try f.operatorWithCard("op1")
        for _ in 0..<3 { _ = try f.registry.pins.verify(card: card.guid, pin: PIN("000111")) }
        let restarted = try f.reopened()
        #expect(try restarted.pins.verify(card: card.guid, pin: PIN("000111")) == .rejected(remainingAttempts: 1))
        #expect(try restarted.pins.verify(card: card.guid, pin: PIN("000111")) == .rejected(remainingAttempts: 0))
        #expect(try restarted.pins.verify(card: card.guid, pin: PIN("7391046")) == .blocked)
    }

    @Test func aGoodPINResetsTheCounter() throws {
        let f = try Fixture()
        let card = try f.operatorWithCard("op1")
        for _ in 0..<4 { _ = try f.registry.pins.verify(card: card.guid, pin: PIN("000111")) }
        #expect(try f.registry.pins.verify(card: card.guid, pin: PIN("7391046")) == .accepted(mustChange: true))
        #expect(try f.registry.pins.status(card: card.guid).failures == 0)
        #expect(try f.registry.pins.verify(card: card.guid, pin: PIN("000111")) == .rejected(remainingAttempts: 4))
    }

    @Test func theLockoutThresholdFollowsThePolicy() throws {
        let f = try Fixture(policy: try PINPolicy(maximumFailures: 3))
        let card = try f.operatorWithCard("op1")
        #expect(try f.registry.pins.verify(card: card.guid, pin: PIN("000111")) == .rejected(remainingAttempts: 2))
        #expect(try f.registry.pins.verify(card: card.guid, pin: PIN("000111")) == .rejected(remainingAttempts: 1))
        #expect(try f.registry.pins.verify(card: card.guid, pin: PIN("000111")) == .rejected(remainingAttempts: 0))
        #expect(try f.registry.pins.verify(card: card.guid, pin: PIN("7391046")) == .blocked)
    }

    @Test func unblockByThePINAdministratorLetsTheSamePINWorkAgain() throws {
        let f = try Fixture()
        let card = try f.operatorWithCard("op1")
        for _ in 0..<5 { _ = try f.registry.pins.verify(card: card.guid, pin: PIN("000111")) }
        try f.registry.operators.add(NewOperator(id: "op2", name: "操作 二郎"), by: "admin")
        #expect(registryError { try f.registry.cards.unblock(card.guid, by: "op2") }?.code == .roleNotPermitted)
        let unblocked = try f.registry.cards.unblock(card.guid, by: "admin")
        #expect(unblocked.status == .issued)  // never activated: back to issued
        #expect(try f.registry.pins.status(card: card.guid).failures == 0)
        #expect(try f.registry.pins.verify(card: card.guid, pin: PIN("7391046")) == .accepted(mustChange: true))
    }

    @Test func resetSetsANewPINThatMustBeChangedAndUnblocks() throws {
        let f = try Fixture()
        let card = try f.operatorWithCard("op1")
        try f.registry.pins.change(card: card.guid, current: PIN("7391046"), new: PIN("90817263"))
        for _ in 0..<5 { _ = try f.registry.pins.verify(card: card.guid, pin: PIN("000111")) }
        let reset = try f.registry.cards.resetPIN(card.guid, newPIN: PIN("504918"), by: "admin")
        #expect(reset.status == .active)
        #expect(try f.registry.pins.verify(card: card.guid, pin: PIN("90817263")) == .rejected(remainingAttempts: 4))
        #expect(try f.registry.pins.verify(card: card.guid, pin: PIN("504918")) == .accepted(mustChange: true))
        try f.registry.pins.change(card: card.guid, current: PIN("504918"), new: PIN("283746519203"))
        #expect(try f.registry.pins.verify(card: card.guid, pin: PIN("283746519203")) == .accepted(mustChange: false))
    }

    @Test func selfServiceChangeActivatesTheCardAndChecksTheRules() throws {
        let f = try Fixture()
        let card = try f.operatorWithCard("op1")
        let weak = registryError { try f.registry.pins.change(card: card.guid, current: PIN("7391046"), new: PIN("111111")) }
        #expect(weak?.credentialsError?.code == .pinBlocklisted)
        let same = registryError { try f.registry.pins.change(card: card.guid, current: PIN("7391046"), new: PIN("7391046")) }
        #expect(same?.credentialsError?.code == .pinReused)
        #expect(try f.registry.cards.show(card.guid).status == .issued)
        try f.registry.pins.change(card: card.guid, current: PIN("7391046"), new: PIN("90817263"))
        let active = try f.registry.cards.show(card.guid)
        #expect(active.status == .active)
        #expect(active.activatedAt == f.clock.now)
        #expect(try f.registry.pins.verify(card: card.guid, pin: PIN("90817263")) == .accepted(mustChange: false))
        #expect(try f.registry.pins.verify(card: card.guid, pin: PIN("7391046")) == .rejected(remainingAttempts: 4))
    }

    @Test func aNewPINMustDifferFromTheLastFive() throws {
        let f = try Fixture()
        let card = try f.operatorWithCard("op1")
        let sequence = ["7391046", "90817263", "504918", "283746519203", "6029384", "81726354"]
        for (current, next) in zip(sequence, sequence.dropFirst()) {
            try f.registry.pins.change(card: card.guid, current: PIN(current), new: PIN(next))
        }
        // Current is 81726354; the last five are 81726354, 6029384, 283746519203, 504918, 90817263.
        for old in ["90817263", "504918", "6029384", "81726354"] {
            let refused = registryError { try f.registry.pins.change(card: card.guid, current: PIN("81726354"), new: PIN(old)) }
            #expect(refused?.credentialsError?.code == .pinReused)
            #expect(refused?.description.contains(old) == false)
        }
        // The sixth-last may come back.
        try f.registry.pins.change(card: card.guid, current: PIN("81726354"), new: PIN("7391046"))
    }

    @Test func aWrongCurrentPINCountsTowardsTheBlock() throws {
        let f = try Fixture()
        let card = try f.operatorWithCard("op1")
        let wrong = registryError { try f.registry.pins.change(card: card.guid, current: PIN("000111"), new: PIN("90817263")) }
        #expect(wrong?.code == .pinWrong)
        #expect(wrong?.description == "the current PIN is wrong; 4 attempts left before card \(card.guid.short) is blocked")
        for _ in 0..<3 { _ = try f.registry.pins.verify(card: card.guid, pin: PIN("000111")) }
        #expect(registryError { try f.registry.pins.change(card: card.guid, current: PIN("000111"), new: PIN("90817263")) }?.code == .pinBlocked)
        #expect(registryError { try f.registry.pins.change(card: card.guid, current: PIN("7391046"), new: PIN("90817263")) }?.code == .pinBlocked)
        #expect(try f.registry.cards.show(card.guid).status == .blocked)
    }

    @Test func aGoodPINRehashesWhenTheParametersWereRaised() throws {
        let f = try Fixture()
        let card = try f.operatorWithCard("op1")
        let raised = try ScryptParameters(logN: 11, r: 8, p: 1, allowBelowMinimum: true)
        let registry = try f.reopened(parameters: raised)
        let before = try storedHash(f, card.guid)
        #expect(before.hasPrefix("$scrypt$ln=10,"))
        #expect(try registry.pins.verify(card: card.guid, pin: PIN("000111")) == .rejected(remainingAttempts: 4))
        #expect(try storedHash(f, card.guid) == before)
        #expect(try registry.pins.verify(card: card.guid, pin: PIN("7391046")) == .accepted(mustChange: true))
        let after = try storedHash(f, card.guid)
        #expect(after.hasPrefix("$scrypt$ln=11,r=8,p=1$"))
        #expect(try registry.pins.verify(card: card.guid, pin: PIN("7391046")) == .accepted(mustChange: true))
        #expect(try storedHash(f, card.guid) == after)
    }

    @Test func expiredCardsAndDisabledHoldersAreRefusedWithoutCounting() throws {
        let f = try Fixture()
        try f.registry.operators.add(NewOperator(id: "op1", name: "操作 一郎"), by: "admin")
        let card = Fixture.newCard()
        try f.registry.cards.issue(card, to: "op1", initialPIN: PIN("7391046"), expiresAt: f.clock.now.addingTimeInterval(60), by: "admin")
        f.clock.advance(60)
        #expect(registryError { _ = try f.registry.pins.verify(card: card.guid, pin: PIN("000111")) }?.code == .cardExpired)
        #expect(try f.registry.pins.status(card: card.guid).failures == 0)
        let second = try f.operatorWithCard("op2")
        try f.registry.operators.disable("op2", by: "admin")
        #expect(registryError { _ = try f.registry.pins.verify(card: second.guid, pin: PIN("7391046")) }?.code == .operatorNotActive)
    }

    @Test func theDatabaseNeverHoldsThePIN() throws {
        let f = try Fixture()
        let card = try f.operatorWithCard("op1")
        try f.registry.pins.change(card: card.guid, current: PIN("7391046"), new: PIN("90817263"))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: f.path)) + ((try? Data(contentsOf: URL(fileURLWithPath: f.path + "-wal"))) ?? Data())
        for pin in ["7391046", "90817263", Fixture.adminPIN] {
            #expect(bytes.range(of: Data(pin.utf8)) == nil)
        }
    }

    func storedHash(_ f: Fixture, _ guid: CardGUID) throws -> String {
        try DatabaseQueue(path: f.path).read { try String.fetchOne($0, sql: "SELECT hash FROM pinCredential WHERE cardGuid = ?", arguments: [guid.hex])! }
    }
}

@Suite struct PINServiceConcurrencyTests {
    @Test func parallelWrongGuessesAreAllCountedAndStopAtTheBlock() throws {
        let f = try Fixture()
        let card = try f.operatorWithCard("op1")
        let results = Mutex<[PINCheck]>([])
        let registry = f.registry
        DispatchQueue.concurrentPerform(iterations: 10) { _ in
            let outcome = try? registry.pins.verify(card: card.guid, pin: PIN("000111"))
            results.withLock { $0.append(outcome ?? .accepted(mustChange: false)) }
        }
        let all = results.withLock { $0 }
        #expect(all.count == 10)
        #expect(!all.contains(.accepted(mustChange: false)) && !all.contains(.accepted(mustChange: true)))
        #expect(all.filter { if case .rejected = $0 { true } else { false } }.count == 5)
        #expect(all.filter { $0 == .blocked }.count == 5)
        let status = try f.registry.pins.status(card: card.guid)
        #expect(status.failures == 5)
        #expect(status.blocked)
        #expect(try f.registry.pins.verify(card: card.guid, pin: PIN("7391046")) == .blocked)
    }
}
