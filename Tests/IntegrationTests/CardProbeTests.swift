import APDU
import Foundation
import OperatorCard
import SmartCard
import Testing
import VirtualCard
import Vocabulary

/// Issue 2 through the whole stack: the `vcard` process in vpcd, the real pcscd, the SmartCard binding,
/// the PIV profile and the `cardgate card probe` command.
///
/// Uses only the reader "CardGate Test B 00 01" (vpcd port 35976).
@Suite(.serialized) struct CardProbeTests {
    static let reader = "CardGate Test B 00 01"
    static let port = 35976

    struct Probe: Decodable {
        let guid: String
        let fascn: String
        let fingerprint: String
        let genuine: Bool
    }

    /// A fresh card image, in a folder of its own.
    func makeCard() throws -> (path: String, image: CardImage) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("probe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("card.json").path
        let created = try BuiltTools.run(try BuiltTools.vcard(), ["create", "--out", path])
        try #require(created.status == 0, "vcard create failed: \(created.output)")
        return (path, try CardImage.load(path: path))
    }

    /// Waits until pcscd reports a card in the test reader.
    func waitForCard(present: Bool, timeout: Duration = .seconds(5)) throws {
        let context = try PCSCContext()
        defer { context.release() }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try context.readerStatuses().first(where: { $0.name == Self.reader })?.cardPresent == present { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        Issue.record("reader \(Self.reader) did not report card present=\(present) within \(timeout)")
    }

    /// Inserts the card with `extra` vcard flags, runs `body` once pcscd sees it, then removes it and
    /// waits until pcscd sees the reader empty, so that the next test starts from an empty reader.
    func withInsertedCard<T>(_ path: String, _ extra: [String] = [], _ body: () throws -> T) throws -> T {
        try waitForCard(present: false)
        let card = try VCardProcess(card: path, port: Self.port, extra: extra)
        defer {
            card.terminate()
            try? waitForCard(present: false)
        }
        try waitForCard(present: true)
        return try body()
    }

    func probe(_ extra: [String] = []) throws -> (status: Int32, output: String) {
        try BuiltTools.run(try BuiltTools.cardgate(), ["card", "probe", "--reader", Self.reader] + extra)
    }

    @Test func identityIsReadThroughPCSCFromTheVirtualCard() throws {
        let (path, image) = try makeCard()
        try withInsertedCard(path) {
            let context = try PCSCContext()
            defer { context.release() }
            let connection = try context.connect(reader: Self.reader)
            defer { connection.disconnect() }
            let piv = PIVCard(channel: connection)
            _ = try piv.selectApplication()
            let identity = try piv.readIdentity()
            #expect(identity.guid == image.identity.guid)
            #expect(identity.fascn == image.identity.fascn)
            let certificate = try piv.readCardAuthenticationCertificate()
            #expect(certificate.fingerprint == image.fingerprint)
        }
    }

    @Test func probeReportsAGenuineCardAndExitsZero() throws {
        let (path, image) = try makeCard()
        try withInsertedCard(path) {
            let result = try probe(["--json"])
            #expect(result.status == 0, "\(result.output)")
            let parsed = try JSONDecoder().decode(Probe.self, from: Data(result.output.utf8))
            #expect(parsed.genuine)
            #expect(parsed.guid == image.identity.guid.hex)
            #expect(parsed.guid == parsed.guid.lowercased())
            #expect(parsed.fingerprint == image.fingerprint.hex)
        }
    }

    @Test func probeRefusesACloneWithTheSameIdentityButAnotherKey() throws {
        let (path, image) = try makeCard()
        try withInsertedCard(path, ["--clone"]) {
            let result = try probe(["--json"])
            #expect(result.status == 2, "a clone must make probe exit 2: \(result.output)")
            let parsed = try JSONDecoder().decode(Probe.self, from: Data(result.output.utf8))
            #expect(parsed.genuine == false)
            #expect(parsed.guid == image.identity.guid.hex, "the clone carries the same identity")
        }
    }

    @Test func aMuteCardIsReportedAsAnErrorWithinBoundedTime() throws {
        let (path, _) = try makeCard()
        try withInsertedCard(path, ["--mute"]) {
            let start = ContinuousClock.now
            let result = try probe()
            let elapsed = ContinuousClock.now - start
            #expect(result.status == 1)
            #expect(result.output.contains("did not answer"), "\(result.output)")
            #expect(elapsed < .seconds(10), "mute card took \(elapsed)")
        }
    }

    @Test func probeNamesTheKnownReadersWhenTheReaderIsUnknown() throws {
        let unknown = try BuiltTools.run(try BuiltTools.cardgate(), ["card", "probe", "--reader", "No Such Reader 00 00"])
        #expect(unknown.status == 1)
        #expect(unknown.output.contains("no reader named \"No Such Reader 00 00\""))
        #expect(unknown.output.contains(Self.reader))
    }
}
