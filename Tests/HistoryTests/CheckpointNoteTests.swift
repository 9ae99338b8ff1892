import Foundation
import Testing
@testable import History

@Suite struct CheckpointNoteTests {
    /// A fixed key (32 bytes of 0x01 as the private key) so the vectors below never change.
    static func fixedKey() throws -> CheckpointSigningKey {
        let path = NSTemporaryDirectory() + "fixed-\(UUID().uuidString).key"
        try Data(repeating: 1, count: 32).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o600)
        return try CheckpointSigningKey.load(path)
    }

    @Test func theNoteTextIsTheTlogCheckpointBodyWithOurExtensionLines() throws {
        let key = try Self.fixedKey()
        let root = [UInt8](repeating: 0xAB, count: 32)
        let cp = try Checkpoint.sign(origin: "cardgate.example/history", size: 1234, root: root, number: 7, timeMillis: 1_767_225_600_000,
                                     previous: [UInt8](repeating: 0x01, count: 32), keys: [key])
        let text = """
            cardgate.example/history
            1234
            q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=
            number 7
            time 1767225600000
            previous AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=

            """
        #expect(cp.note.hasPrefix(text + "\n\u{2014} cardgate.example/history "))
        #expect(cp.note.hasSuffix("\n") && cp.note.split(separator: "\n", omittingEmptySubsequences: false).count == 9)
        #expect(cp.hash == sha256(Array(text.utf8)))
        // The signature line: base64(4-byte key ID ‖ 64-byte Ed25519 signature), key ID per c2sp signed-note.
        let sigLine = String(cp.note.split(separator: "\n").last!)
        let raw = try #require(Data(base64Encoded: String(sigLine.split(separator: " ")[2])))
        #expect(raw.count == 68)
        let id = sha256(Array("cardgate.example/history".utf8) + [0x0A, 0x01] + key.publicKey.rawBytes).prefix(4)
        #expect(Array(raw.prefix(4)) == Array(id))
        #expect(cp.signatureCheck(by: key.publicKey) == true)
    }

    @Test func theVerifierKeyRoundTripsAndAWrongKeyIDIsRefused() throws {
        let key = try Self.fixedKey().publicKey
        let vkey = key.verifierKey(name: "cardgate.example/history")
        #expect(vkey.hasPrefix("cardgate.example/history+"))
        #expect(try CheckpointPublicKey(text: vkey) == key)
        #expect(try CheckpointPublicKey(text: key.hex) == key)
        let parts = vkey.split(separator: "+")
        #expect(throws: HistoryError.self) { try CheckpointPublicKey(text: "\(parts[0])+00000000+\(parts[2])") }
        #expect(throws: HistoryError.self) { try CheckpointPublicKey(text: "other.example+\(parts[1])+\(parts[2])") }
    }

    @Test(arguments: [
        ("no blank line", "o\n1\nAAAA\n"),
        ("control character", "o\u{7}x\n1\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\nnumber 1\ntime 1\nprevious q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n\n\u{2014} o AAAAAAA=\n"),
        ("leading zero", "o\n01\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\nnumber 1\ntime 1\nprevious q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n\n\u{2014} o AAAAAAA=\n"),
        ("short root", "o\n1\nq6ur\nnumber 1\ntime 1\nprevious q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n\n\u{2014} o AAAAAAA=\n"),
        ("unknown extension", "o\n1\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\nnumber 1\ntime 1\nprevious q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\nmore x\n\n\u{2014} o AAAAAAA=\n"),
        ("no signature", "o\n1\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\nnumber 1\ntime 1\nprevious q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n\n"),
        ("signature without dash", "o\n1\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\nnumber 1\ntime 1\nprevious q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n\n- o AAAAAAA=\n"),
        ("origin with a space", "o x\n1\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\nnumber 1\ntime 1\nprevious q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n\n\u{2014} o AAAAAAA=\n"),
        ("number zero", "o\n1\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\nnumber 0\ntime 1\nprevious q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n\n\u{2014} o AAAAAAA=\n"),
    ])
    func malformedNotesAreRefusedWithAReason(name: String, note: String) {
        #expect(throws: HistoryError.self, "\(name)") { try Checkpoint(parsing: note) }
    }

    @Test func aNoteWithAnUnknownSignatureAmongKnownOnesStillVerifies() throws {
        let key = try Self.fixedKey()
        let stranger = try CheckpointSigningKey.create(NSTemporaryDirectory() + "stranger-\(UUID().uuidString).key")
        let cp = try Checkpoint.sign(origin: "o.example/h", size: 1, root: [UInt8](repeating: 0, count: 32), number: 1, timeMillis: 0,
                                     previous: EventEncoding.genesis, keys: [stranger, key])
        #expect(cp.signatureCheck(by: key.publicKey) == true)
        let other = try CheckpointSigningKey.create(NSTemporaryDirectory() + "other-\(UUID().uuidString).key")
        #expect(cp.signatureCheck(by: other.publicKey) == nil)
        // A changed body no longer verifies under the key that signed it.
        let changed = cp.note.replacingOccurrences(of: "\n1\n", with: "\n2\n")
        #expect(try Checkpoint(parsing: changed).signatureCheck(by: key.publicKey) == false)
    }
}
