import Crypto
import Foundation
import OperatorCard
import Testing
import VirtualCard
import Vocabulary

/// The virtual card is a PIV card to standard middleware: OpenSC, through the real pcscd and vpcd.
///
/// Uses only the reader "CardGate Test B 00 00" (vpcd port 35975). Needs the private pcscd
/// (`hardware/pcscd-virtual.sh start`, done by `make test`) and OpenSC (`make deps`).
@Suite(.serialized) struct OpenSCInteropTests {
    static let reader = "CardGate Test B 00 00"
    static let port = 35975

    struct Tools {
        let vcard: String
        let openscTool: String
        let pkcs15Tool: String
        let pkcs15Crypt: String
    }

    func tools() throws -> Tools {
        let openscTool = try #require(BuiltTools.onPath("opensc-tool"), "opensc-tool is not installed; run `make deps`")
        let pkcs15Tool = try #require(BuiltTools.onPath("pkcs15-tool"), "pkcs15-tool is not installed; run `make deps`")
        let pkcs15Crypt = try #require(BuiltTools.onPath("pkcs15-crypt"), "pkcs15-crypt is not installed; run `make deps`")
        return Tools(vcard: try BuiltTools.vcard(), openscTool: openscTool, pkcs15Tool: pkcs15Tool, pkcs15Crypt: pkcs15Crypt)
    }

    /// A fresh card image made with `vcard create`, in a folder removed afterwards.
    func makeCard(_ tools: Tools) throws -> (path: String, folder: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("opensc-interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("card.json").path
        let created = try BuiltTools.run(tools.vcard, ["create", "--out", path])
        #expect(created.status == 0, "vcard create failed: \(created.output)")
        return (path, folder)
    }

    /// Runs `opensc-tool -n` on the test reader until it succeeds or `timeout` passes (pcscd notices a
    /// card within about half a second).
    func cardName(_ tools: Tools, timeout: Duration = .seconds(5)) throws -> (status: Int32, output: String) {
        let deadline = ContinuousClock.now + timeout
        while true {
            let result = try BuiltTools.run(tools.openscTool, ["--reader", Self.reader, "-n"])
            if result.status == 0 || ContinuousClock.now >= deadline { return result }
            Thread.sleep(forTimeInterval: 0.2)
        }
    }

    /// Waits until the reader reports no card.
    func waitForRemoval(_ tools: Tools, timeout: Duration = .seconds(5)) throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try BuiltTools.run(tools.openscTool, ["--reader", Self.reader, "-n"]).status != 0 { return true }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return false
    }

    @Test func openSCSeesAPIVCardWithTheCardAuthenticationCertificate() throws {
        let tools = try tools()
        let (path, folder) = try makeCard(tools)
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = try CardImage.load(path: path)

        let vcard = try VCardProcess(card: path, port: Self.port)
        defer { vcard.terminate() }

        let name = try cardName(tools)
        #expect(name.status == 0, "opensc-tool -n failed: \(name.output)")
        #expect(name.output.contains("Personal Identity Verification Card"), "opensc-tool -n said: \(name.output)")

        let listed = try BuiltTools.run(tools.pkcs15Tool, ["--reader", Self.reader, "--list-certificates"])
        #expect(listed.status == 0, "pkcs15-tool failed: \(listed.output)")
        #expect(listed.output.contains("Certificate for Card Authentication"), "pkcs15-tool listed: \(listed.output)")

        // The certificate OpenSC reads is the card's own, byte for byte.
        let read = try BuiltTools.run(tools.pkcs15Tool, ["--reader", Self.reader, "--read-certificate", "04"])
        let base64 = read.output.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        #expect(Data(base64Encoded: base64).map([UInt8].init) == image.certificateDER, "pkcs15-tool --read-certificate 04 said: \(read.output)")

        #expect(vcard.terminate() == 0, "vcard insert did not exit 0 on SIGTERM: \(vcard.printed)")
        #expect(vcard.printed.contains("removed"))
        #expect(try waitForRemoval(tools), "the card stayed in \(Self.reader) after vcard ended")
    }

    @Test func openSCSignsWithTheCardAuthenticationKeyWithoutAPIN() throws {
        let tools = try tools()
        let (path, folder) = try makeCard(tools)
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = try CardImage.load(path: path)
        let vcard = try VCardProcess(card: path, port: Self.port)
        defer { vcard.terminate() }
        #expect(try cardName(tools).status == 0)

        let digest = ChallengeDigest.random()
        let input = folder.appendingPathComponent("digest.bin"), output = folder.appendingPathComponent("signature.der")
        try Data(digest.rawBytes).write(to: input)
        let signed = try BuiltTools.run(tools.pkcs15Crypt, [
            "--reader", Self.reader, "--sign", "--key", "04", "--input", input.path, "--output", output.path,
            "--signature-format", "openssl",
        ])
        #expect(signed.status == 0, "pkcs15-crypt --sign failed: \(signed.output)")
        let signature = try P256.Signing.ECDSASignature(derRepresentation: Data(contentsOf: output))
        #expect(image.publicKey.isValidSignature(signature, for: digest), "OpenSC's signature through key 9E does not verify")
        #expect(vcard.terminate() == 0)
    }

    @Test func endOfStandardInputRemovesTheCard() throws {
        let tools = try tools()
        let (path, folder) = try makeCard(tools)
        defer { try? FileManager.default.removeItem(at: folder) }

        let vcard = try VCardProcess(card: path, port: Self.port)
        defer { vcard.terminate() }
        #expect(try cardName(tools).status == 0)
        #expect(vcard.closeInput() == 0, "vcard insert did not exit 0 at end of input: \(vcard.printed)")
        #expect(try waitForRemoval(tools), "the card stayed in \(Self.reader) after its input ended")
    }
}
