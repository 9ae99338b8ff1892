import Foundation
import SmartCard
import Testing
import TestSupport
import VirtualCard

#if canImport(Glibc)
import Glibc
#endif

/// Through the real pcscd with vpcd, on reader "CardGate Test A 00 00" only.
@Suite("ReaderMonitor through pcscd", .serialized)
struct ReaderMonitorTests {
    @Test("the monitor reports insertion (with the ATR) and removal within one second")
    func insertionAndRemovalWithinOneSecond() async throws {
        _ = try PCSCRig.requireService()
        let monitor = ReaderMonitor()
        defer { monitor.stop() }
        let recorder = EventRecorder(monitor)
        _ = try await recorder.wait(for: "readerAdded(\(PCSCRig.reader))") { $0 == .readerAdded(PCSCRig.reader) }
        // Let the initial report settle.
        try await Task.sleep(for: .milliseconds(300))
        let before = recorder.count

        let card = TestCard()
        let link = VPCDLink(port: PCSCRig.port, emulator: card)
        try await link.connect(timeout: .seconds(5))
        let inserted = ContinuousClock.now
        let insertion = try await recorder.wait(for: "cardInserted", from: before) {
            $0 == .cardInserted(reader: PCSCRig.reader, atr: card.atr)
        }
        let insertLatency = insertion.at - inserted

        link.close()
        let removed = ContinuousClock.now
        let removal = try await recorder.wait(for: "cardRemoved", from: insertion.index) { $0 == .cardRemoved(reader: PCSCRig.reader) }
        let removeLatency = removal.at - removed
        print("monitor latency: insert \(insertLatency), remove \(removeLatency)")
        #expect(insertLatency < .seconds(1))
        #expect(removeLatency < .seconds(1))
        // Nothing about other readers was reported meanwhile.
        #expect(recorder.events[before...].allSatisfy { $0.reader == PCSCRig.reader })
    }

    @Test("with all 16 readers of the rig (two waiter groups), cards in both slots of Test A are reported")
    func bothSlotsAreWatched() async throws {
        let context = try PCSCRig.requireService()
        defer { context.release() }
        let readers = try context.listReaders()
        let second = "CardGate Test A 00 01"
        try #require(readers.contains(second))
        print("rig readers: \(readers.count); groups of \(ReaderMonitor.readersPerWait): Test A slots at positions \(readers.firstIndex(of: PCSCRig.reader) ?? -1), \(readers.firstIndex(of: second) ?? -1)")
        let monitor = ReaderMonitor()
        defer { monitor.stop() }
        let recorder = EventRecorder(monitor)
        _ = try await recorder.wait(for: "readerAdded(\(second))") { $0 == .readerAdded(second) }
        try await Task.sleep(for: .milliseconds(300))
        let before = recorder.count

        let first = TestCard(atr: [0x3B, 0x02, 0x14, 0x60])
        let other = TestCard(atr: [0x3B, 0x02, 0x14, 0x61])
        let links = [VPCDLink(port: PCSCRig.port, emulator: first), VPCDLink(port: PCSCRig.port + 1, emulator: other)]
        for link in links { try await link.connect(timeout: .seconds(5)) }
        _ = try await recorder.wait(for: "cardInserted in slot 00 00", from: before) { $0 == .cardInserted(reader: PCSCRig.reader, atr: first.atr) }
        _ = try await recorder.wait(for: "cardInserted in slot 00 01", from: before) { $0 == .cardInserted(reader: second, atr: other.atr) }
        for link in links { link.close() }
        _ = try await recorder.wait(for: "cardRemoved from slot 00 00", from: before) { $0 == .cardRemoved(reader: PCSCRig.reader) }
        _ = try await recorder.wait(for: "cardRemoved from slot 00 01", from: before) { $0 == .cardRemoved(reader: second) }
    }

    @Test("on start the monitor reports the readers and cards already there")
    func initialReport() async throws {
        let context = try PCSCRig.requireService()
        defer { context.release() }
        let card = TestCard(atr: [0x3B, 0x02, 0x14, 0x50])
        let link = VPCDLink(port: PCSCRig.port, emulator: card)
        try await link.connect(timeout: .seconds(5))
        defer { link.close() }
        try await waitUntil("card present in \(PCSCRig.reader)") {
            (try? context.readerStatuses())?.first { $0.name == PCSCRig.reader }?.cardPresent == true
        }
        let readers = try context.listReaders()

        let monitor = ReaderMonitor()
        defer { monitor.stop() }
        let recorder = EventRecorder(monitor)
        _ = try await recorder.wait(for: "cardInserted") { $0 == .cardInserted(reader: PCSCRig.reader, atr: card.atr) }
        let added = recorder.events.compactMap { if case .readerAdded(let name) = $0 { name } else { nil } }
        #expect(Set(added) == Set(readers))
    }

    @Test("stop() ends the wait in pcscd promptly and finishes the sequence")
    func stopIsPrompt() async throws {
        _ = try PCSCRig.requireService()
        let monitor = ReaderMonitor()
        let recorder = EventRecorder(monitor)
        _ = try await recorder.wait(for: "readerAdded") { $0 == .readerAdded(PCSCRig.reader) }
        try await Task.sleep(for: .milliseconds(200))  // now blocked in SCardGetStatusChange
        let started = ContinuousClock.now
        monitor.stop()
        let took = ContinuousClock.now - started
        print("monitor stop took \(took)")
        #expect(took < .milliseconds(500))
        var iterator = monitor.makeAsyncIterator()
        while await iterator.next() != nil {}  // finishes: the loop would hang otherwise
    }

    @Test("cancelling the task that consumes the events stops the monitor")
    func cancellingTheConsumerStops() async throws {
        _ = try PCSCRig.requireService()
        let monitor = ReaderMonitor()
        defer { monitor.stop() }
        let consumer = Task { for await _ in monitor {} }
        try await waitUntil("monitor connected to pcscd") { monitor.isConnectedToService }
        #expect(monitor.isRunning)
        consumer.cancel()
        await consumer.value
        try await waitUntil("monitor thread ended", timeout: .seconds(2)) { !monitor.isRunning }
        #expect(!monitor.isConnectedToService)
    }

    @Test("with nothing happening the monitor uses (almost) no CPU")
    func idleMonitorUsesNoCPU() async throws {
        _ = try PCSCRig.requireService()
        let monitor = ReaderMonitor()
        defer { monitor.stop() }
        let recorder = EventRecorder(monitor)
        _ = try await recorder.wait(for: "readerAdded") { $0 == .readerAdded(PCSCRig.reader) }
        try await Task.sleep(for: .milliseconds(300))

        #expect(monitor.isConnectedToService, "the monitor must be waiting in pcscd, not backing off")
        let cpuBefore = processCPUTime()
        let wallBefore = ContinuousClock.now
        try await Task.sleep(for: .seconds(2))
        let cpu = processCPUTime() - cpuBefore
        let wall = ContinuousClock.now - wallBefore
        print("idle monitor: process CPU \(cpu) over \(wall)")
        #expect(monitor.isConnectedToService)
        #expect(cpu < .milliseconds(40), "the whole test process used \(cpu) of CPU in \(wall) of idle monitoring")
    }

    @Test("pcscd killed and started again: card and readers reported removed, then added, without restarting the monitor")
    func recoversFromPCSCDRestart() async throws {
        _ = try PCSCRig.requireService()
        let runDir = PCSCDControl.runningRunDir()
        let monitor = ReaderMonitor(backoff: .init(initial: .milliseconds(100), maximum: .milliseconds(500)))
        defer { monitor.stop() }
        let recorder = EventRecorder(monitor)
        _ = try await recorder.wait(for: "readerAdded") { $0 == .readerAdded(PCSCRig.reader) }
        try await Task.sleep(for: .milliseconds(300))
        let before = recorder.count

        // A card that stays inserted across the restart (it reconnects to the new vpcd).
        let card = TestCard(atr: [0x3B, 0x02, 0x14, 0x51])
        let link = VPCDLink(port: PCSCRig.port, emulator: card, reconnect: true)
        try await link.connect(timeout: .seconds(5))
        defer { link.close() }
        let inserted = try await recorder.wait(for: "cardInserted", from: before) { $0 == .cardInserted(reader: PCSCRig.reader, atr: card.atr) }

        let stoppedAt = ContinuousClock.now
        let restartedAt: ContinuousClock.Instant
        do {
            defer {
                // Always leave pcscd running for everybody else.
                _ = try? PCSCDControl.run("start", runDir: runDir)
            }
            #expect(try PCSCDControl.run("kill", runDir: runDir) == 0)
            let gone = try await recorder.wait(for: "readerRemoved", from: inserted.index) { $0 == .readerRemoved(PCSCRig.reader) }
            print("pcscd kill → readerRemoved after \(gone.at - stoppedAt)")
            #expect(gone.at - stoppedAt < .seconds(2))
            #expect(recorder.events[inserted.index..<gone.index].contains(.cardRemoved(reader: PCSCRig.reader)))
            #expect(!monitor.isConnectedToService)
            restartedAt = ContinuousClock.now
            #expect(try PCSCDControl.run("start", runDir: runDir) == 0)
        }
        let back = try await recorder.wait(for: "readerAdded after restart", from: inserted.index + 1, timeout: .seconds(10)) {
            $0 == .readerAdded(PCSCRig.reader)
        }
        print("pcscd start → readerAdded after \(back.at - restartedAt)")
        _ = try await recorder.wait(for: "the card back after restart", from: back.index, timeout: .seconds(10)) {
            $0 == .cardInserted(reader: PCSCRig.reader, atr: card.atr)
        }
        #expect(monitor.isConnectedToService)
        let context = try PCSCRig.requireService()
        defer { context.release() }
        #expect(try context.listReaders().contains(PCSCRig.reader))
    }
}

/// User plus system CPU time of this process so far (getrusage).
func processCPUTime() -> Duration {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func duration(_ time: timeval) -> Duration { .seconds(time.tv_sec) + .microseconds(time.tv_usec) }
    return duration(usage.ru_utime) + duration(usage.ru_stime)
}

/// Waits up to `timeout` for `condition`.
func waitUntil(_ description: String, timeout: Duration = .seconds(5), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw RigError("timed out after \(timeout) waiting for \(description)")
}
