import Foundation
import Testing
@testable import VirtualCard

@Suite("VPCDLink against a fake vpcd")
struct VPCDLinkTests {
    @Test("answers get-ATR with the emulator's ATR and APDUs with the emulator's response")
    func answersATRAndAPDUs() throws {
        let server = try FakeVPCD()
        defer { server.shutdownAll() }
        let card = RecordingCard()
        let link = VPCDLink(port: server.port, emulator: card)
        try link.connect(timeout: .seconds(3))
        defer { link.close() }
        try server.accept()
        #expect(link.isConnected)

        try server.send([0x01])  // power on: no reply
        #expect(try server.request([0x04]) == [0x3B, 0x80, 0x80, 0x01, 0x01])
        #expect(try server.request([0x00, 0xA4, 0x04, 0x00, 0x02, 0xA0, 0x00]) == [0x00, 0xA4, 0x04, 0x00, 0x02, 0xA0, 0x00, 0x6D, 0x00])
        #expect(card.resets == 1)
        #expect(card.commands == [[0x00, 0xA4, 0x04, 0x00, 0x02, 0xA0, 0x00]])
    }

    @Test("power on and reset reset the emulator; power off does not and none of them is answered")
    func controlBytesAreNotAnswered() throws {
        let server = try FakeVPCD()
        defer { server.shutdownAll() }
        let card = RecordingCard(atr: [0x3B, 0x00])
        let link = VPCDLink(port: server.port, emulator: card)
        try link.connect(timeout: .seconds(3))
        defer { link.close() }
        try server.accept()
        try server.send([0x01])
        try server.send([0x02])
        try server.send([0x00])
        // The next frame the card sends must be the ATR: the three control bytes got no reply.
        #expect(try server.request([0x04]) == [0x3B, 0x00])
        #expect(card.resets == 2)
    }

    @Test("a mute emulator (nil) sends no reply at all")
    func muteEmulatorSendsNothing() throws {
        let server = try FakeVPCD()
        defer { server.shutdownAll() }
        let card = RecordingCard(atr: [0x3B, 0x01, 0x02], answer: nil)
        let link = VPCDLink(port: server.port, emulator: card)
        try link.connect(timeout: .seconds(3))
        defer { link.close() }
        try server.accept()
        try server.send([0x00, 0xB0, 0x00, 0x00, 0x00])
        #expect(throws: FakeVPCDError.self) { try server.receive(timeout: 0.3) }
        #expect(try server.request([0x04]) == [0x3B, 0x01, 0x02])
        #expect(card.commands == [[0x00, 0xB0, 0x00, 0x00, 0x00]])
    }

    @Test("close() removes the card: vpcd sees the connection end and the serving thread stops")
    func closeEndsTheConnection() throws {
        let server = try FakeVPCD()
        defer { server.shutdownAll() }
        let link = VPCDLink(port: server.port, emulator: RecordingCard())
        try link.connect(timeout: .seconds(3))
        try server.accept()
        #expect(try server.request([0x04]) != nil)
        link.close()
        #expect(try server.receive() == nil)
        #expect(link.waitUntilClosed(timeout: .seconds(2)))
        #expect(link.state == .closed)
    }

    @Test("the link stops serving when vpcd drops the connection and reconnect is off")
    func vpcdGoneEndsTheLink() throws {
        let server = try FakeVPCD()
        defer { server.shutdownAll() }
        let link = VPCDLink(port: server.port, emulator: RecordingCard())
        try link.connect(timeout: .seconds(3))
        try server.accept()
        server.dropClient()
        #expect(link.waitUntilClosed(timeout: .seconds(2)))
        #expect(!link.isConnected)
    }

    @Test("with reconnect on, the link connects again after vpcd dropped it")
    func reconnectsAfterVPCDRestart() throws {
        let server = try FakeVPCD()
        defer { server.shutdownAll() }
        let link = VPCDLink(port: server.port, emulator: RecordingCard(atr: [0x3B, 0x02]), reconnect: true, retryInterval: .milliseconds(20))
        try link.connect(timeout: .seconds(3))
        defer { link.close() }
        try server.accept()
        server.dropClient()
        try server.accept()
        #expect(try server.request([0x04]) == [0x3B, 0x02])
        link.close()
        #expect(link.waitUntilClosed(timeout: .seconds(2)))
    }

    @Test("connect retries until vpcd starts listening")
    func connectRetriesUntilVPCDIsUp() throws {
        let port = try FakeVPCD.freePort()
        let link = VPCDLink(port: port, emulator: RecordingCard(), retryInterval: .milliseconds(20))
        defer { link.close() }
        let started = ContinuousClock.now
        let later = Thread {
            Thread.sleep(forTimeInterval: 0.3)
            guard let server = try? FakeVPCD(port: port) else { return }
            try? server.accept()
            _ = try? server.request([0x04])
            server.shutdownAll()
        }
        later.start()
        try link.connect(timeout: .seconds(5))
        #expect(ContinuousClock.now - started >= .milliseconds(250))
        #expect(link.waitUntilClosed(timeout: .seconds(3)))
    }

    @Test("connect gives up with timedOut when vpcd never comes up")
    func connectTimesOut() throws {
        let port = try FakeVPCD.freePort()
        let link = VPCDLink(port: port, emulator: RecordingCard(), retryInterval: .milliseconds(20))
        let started = ContinuousClock.now
        let error = #expect(throws: VPCDError.self) { try link.connect(timeout: .milliseconds(300)) }
        #expect(error?.code == .timedOut)
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(link.state == .closed)
    }

    @Test("close() while connecting cancels the attempt")
    func closeCancelsConnect() throws {
        let port = try FakeVPCD.freePort()
        let link = VPCDLink(port: port, emulator: RecordingCard(), retryInterval: .milliseconds(20))
        Thread {
            Thread.sleep(forTimeInterval: 0.2)
            link.close()
        }.start()
        let error = #expect(throws: VPCDError.self) { try link.connect(timeout: .seconds(10)) }
        #expect(error?.code == .cancelled)
    }

    @Test("cancelling the task cancels an async connect")
    func taskCancellationCancelsConnect() async throws {
        let port = try FakeVPCD.freePort()
        let link = VPCDLink(port: port, emulator: RecordingCard(), retryInterval: .milliseconds(20))
        let task = Task { try await link.connect(timeout: .seconds(10)) }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        let started = ContinuousClock.now
        let result = await task.result
        #expect(ContinuousClock.now - started < .seconds(2))
        let error = #expect(throws: VPCDError.self) { try result.get() }
        #expect(error?.code == .cancelled)
    }

    @Test("a link connects only once")
    func secondConnectIsRefused() throws {
        let server = try FakeVPCD()
        defer { server.shutdownAll() }
        let link = VPCDLink(port: server.port, emulator: RecordingCard())
        try link.connect(timeout: .seconds(3))
        defer { link.close() }
        let error = #expect(throws: VPCDError.self) { try link.connect(timeout: .seconds(1)) }
        #expect(error?.code == .alreadyStarted)
    }
}
