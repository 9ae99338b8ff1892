import Foundation
import Testing
import Vocabulary
@testable import Credentials

@Suite struct PepperTests {
    let dir: String = {
        let d = NSTemporaryDirectory() + "pepper-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()

    @Test func createdPepperHas32BytesMode0600AndLoadsBack() throws {
        let path = dir + "/pepper"
        let made = try Pepper.create(at: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect((attributes[.size] as? Int) == 32)
        let loaded = try Pepper.load(from: path)
        let cheap = try ScryptParameters(logN: 8, r: 8, p: 1, allowBelowMinimum: true)
        let stored = try PINHasher(pepper: made, parameters: cheap).hash(PIN("583029"))
        #expect(try PINHasher(pepper: loaded, parameters: cheap).verify(PIN("583029"), against: stored) == .match(needsRehash: false))
        #expect(made.description == "Pepper(redacted)")
    }

    @Test func createNeverOverwritesAPepper() throws {
        let path = dir + "/pepper"
        try Pepper.create(at: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(throws: CredentialsError.self) { try Pepper.create(at: path) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o666])
    func aPepperFileOthersCanReadIsRefused(mode: Int) throws {
        let path = dir + "/open-\(mode)"
        _ = FileManager.default.createFile(atPath: path, contents: Data(repeating: 1, count: 32), attributes: [.posixPermissions: mode])
        do {
            _ = try Pepper.load(from: path)
            Issue.record("mode \(String(mode, radix: 8)) was accepted")
        } catch {
            #expect(error.code == .pepperFile)
            #expect(error.description.contains("chmod 600"))
        }
    }

    @Test func aShortOrMissingPepperIsRefused() throws {
        let path = dir + "/short"
        _ = FileManager.default.createFile(atPath: path, contents: Data(repeating: 1, count: 31), attributes: [.posixPermissions: 0o600])
        #expect(throws: CredentialsError(.pepperTooShort, "PIN pepper file \(path) has 31 bytes; at least 32 are required (recreate it with `cardgate init`)")) {
            try Pepper.load(from: path)
        }
        #expect(throws: CredentialsError.self) { try Pepper.load(from: dir + "/absent") }
        #expect(throws: CredentialsError.self) { try Pepper(bytes: Array(repeating: 1, count: 16)) }
    }
}
