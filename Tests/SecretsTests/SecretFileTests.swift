import Foundation
import Testing
@testable import Secrets

@Suite struct SecretFileTests {
    let dir: String = {
        let d = NSTemporaryDirectory() + "secretfile-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()

    @Test func createdFileHasMode0600AndReadsBack() throws {
        let path = dir + "/key"
        try SecretFile.create(path, bytes: [1, 2, 3])
        let attrs = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attrs[.posixPermissions] as? Int) == 0o600)
        #expect(try SecretFile.read(path) == [1, 2, 3])
    }

    @Test func createRefusesToOverwrite() throws {
        let path = dir + "/key"
        try SecretFile.create(path, bytes: [1])
        #expect(throws: SecretFile.Error.self) { try SecretFile.create(path, bytes: [2]) }
        #expect(try SecretFile.read(path) == [1])
    }

    @Test(arguments: [0o640, 0o604, 0o644, 0o660])
    func readRefusesFilesGroupOrOthersCanRead(mode: Int) throws {
        let path = dir + "/open-\(mode)"
        _ = FileManager.default.createFile(atPath: path, contents: Data([9]), attributes: [.posixPermissions: mode])
        do {
            _ = try SecretFile.read(path)
            Issue.record("mode \(String(mode, radix: 8)) was accepted")
        } catch {
            #expect(error.code == .tooOpen)
            #expect(error.description.contains("chmod 600"))
        }
    }

    @Test func readRefusesASymbolicLink() throws {
        let target = dir + "/target"
        try SecretFile.create(target, bytes: [1])
        let link = dir + "/link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        #expect(throws: SecretFile.Error(code: .notRegularFile, path: link, description: "secret file \(link) is a symbolic link; a link is refused, put the file itself there")) {
            try SecretFile.read(link)
        }
    }

    @Test func readRefusesMissingAndEmptyFiles() throws {
        #expect { try SecretFile.read(dir + "/nope") } throws: { ($0 as? SecretFile.Error)?.code == .missing }
        let empty = dir + "/empty"
        _ = FileManager.default.createFile(atPath: empty, contents: Data(), attributes: [.posixPermissions: 0o600])
        #expect { try SecretFile.read(empty) } throws: { ($0 as? SecretFile.Error)?.code == .empty }
    }
}
