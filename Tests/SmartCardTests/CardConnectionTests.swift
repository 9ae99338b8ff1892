import Foundation
import SmartCard
import Testing
import VirtualCard

/// Through the real pcscd with vpcd, on reader "CardGate Test A 00 00" only.
@Suite("PCSCContext and CardConnection through pcscd", .serialized)
struct CardConnectionTests {
    @Test("the reader list contains the test reader; statuses show the inserted card and its ATR")
    func listAndStatus() async throws {
        let context = try PCSCRig.requireService()
        defer { context.release() }
        #expect(try context.listReaders().contains(PCSCRig.reader))
        let card = TestCard(atr: [0x3B, 0x02, 0x14, 0x52])
        let link = try await PCSCRig.insert(card, context: context)
        let status = PCSCRig.status(context)
        #expect(status?.cardPresent == true)
        #expect(status?.atr == card.atr)
        #expect(status?.mute == false)
        try await PCSCRig.remove(link, context: context)
        #expect(PCSCRig.status(context)?.atr == [])
    }

    @Test("transmit carries a command to the card and returns its raw answer; status returns the ATR")
    func transmitAndStatus() async throws {
        let context = try PCSCRig.requireService()
        defer { context.release() }
        let card = TestCard(atr: [0x3B, 0x02, 0x14, 0x53])
        let link = try await PCSCRig.insert(card, context: context)
        let connection = try context.connect(reader: PCSCRig.reader)
        #expect(try connection.transmit([0x00, 0xCA, 0x00, 0x00, 0x00]) == [0x6D, 0x00])
        let status = try connection.status()
        #expect(status.atr == card.atr)
        #expect(status.reader == PCSCRig.reader)
        #expect(try connection.atr() == card.atr)
        #expect(connection.activeProtocol == .t0 || connection.activeProtocol == .t1)
        connection.disconnect()
        #expect(!connection.isOpen)
        let closed = #expect(throws: SmartCardError.self) { try connection.transmit([0x00, 0xCA, 0x00, 0x00, 0x00]) }
        #expect(closed?.code == .closed)
        try await PCSCRig.remove(link, context: context)
    }

    @Test("transmit after the card was taken out reports the removal")
    func transmitAfterRemoval() async throws {
        let context = try PCSCRig.requireService()
        defer { context.release() }
        let card = TestCard(atr: [0x3B, 0x02, 0x14, 0x54])
        let link = try await PCSCRig.insert(card, context: context)
        let connection = try context.connect(reader: PCSCRig.reader)
        defer { connection.disconnect() }
        try await PCSCRig.remove(link, context: context)
        let error = #expect(throws: SmartCardError.self) { try connection.transmit([0x00, 0xCA, 0x00, 0x00, 0x00]) }
        #expect(error?.pcscError?.meansCardGone == true, "got \(String(describing: error))")
    }

    @Test("a mute card makes transmit fail with cardNotResponding within the response time-out")
    func muteCardIsReportedInBoundedTime() async throws {
        let context = try PCSCRig.requireService()
        defer { context.release() }
        let link = try await PCSCRig.insert(TestCard(atr: [0x3B, 0x02, 0x14, 0x55], mute: true), context: context)
        let connection = try context.connect(reader: PCSCRig.reader, responseTimeout: .seconds(1))
        let started = ContinuousClock.now
        let error = #expect(throws: SmartCardError.self) { try connection.transmit([0x00, 0xA4, 0x04, 0x00, 0x00]) }
        let took = ContinuousClock.now - started
        print("mute card reported after \(took)")
        #expect(error?.code == .cardNotResponding)
        #expect(error?.message.contains(PCSCRig.reader) == true)
        #expect(took >= .milliseconds(900) && took < .seconds(2))
        // The abandoned connection refuses further calls at once.
        let second = #expect(throws: SmartCardError.self) { try connection.transmit([0x00, 0xA4, 0x04, 0x00, 0x00]) }
        #expect(second?.code == .closed)

        // Removing the mute card frees the reader: a good card works again afterwards.
        try await PCSCRig.remove(link, context: context)
        let good = TestCard(atr: [0x3B, 0x02, 0x14, 0x56])
        let relink = try await PCSCRig.insert(good, context: context)
        let fresh = try context.connect(reader: PCSCRig.reader)
        #expect(try fresh.transmit([0x00, 0xCA, 0x00, 0x00, 0x00]) == [0x6D, 0x00])
        fresh.disconnect()
        try await PCSCRig.remove(relink, context: context)
    }

    @Test("connecting to an unknown reader or to an empty one gives the PC/SC reason")
    func connectErrors() async throws {
        let context = try PCSCRig.requireService()
        defer { context.release() }
        let unknown = #expect(throws: SmartCardError.self) { try context.connect(reader: "No Such Reader 00 00") }
        #expect(unknown?.code == .pcsc(.unknownReader))
        try await waitUntil("\(PCSCRig.reader) empty") { PCSCRig.status(context)?.cardPresent == false }
        let empty = #expect(throws: SmartCardError.self) { try context.connect(reader: PCSCRig.reader) }
        #expect(empty?.code == .pcsc(.noSmartcard))
        #expect(empty?.message.contains("insert the card") == true)
    }

    @Test("a released context refuses further calls")
    func releasedContext() throws {
        let context = try PCSCRig.requireService()
        context.release()
        #expect(!context.isValid)
        let error = #expect(throws: SmartCardError.self) { try context.listReaders() }
        #expect(error?.code == .closed)
    }
}
