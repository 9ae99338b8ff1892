import Foundation
import FuzzHarness
import Testing

/// The short version of the fuzz campaign: every committed seed and every input that once broke a parser,
/// fed to the same harness the libFuzzer executables run (Fuzz/README.md).
@Suite("Fuzz corpora and regressions")
struct FuzzRegressionTests {
    static let fuzzFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz")
    static let targetNames = FuzzTargets.all.map { $0.name }

    /// The files of `Fuzz/<kind>/<target>/`, by name (none when the folder does not exist).
    static func stored(_ kind: String, _ target: String) throws -> [(name: String, bytes: [UInt8])] {
        let folder = fuzzFolder.appendingPathComponent(kind).appendingPathComponent(target)
        guard FileManager.default.fileExists(atPath: folder.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().filter { !$0.hasPrefix(".") }.map { name in
            (name, try [UInt8](Data(contentsOf: folder.appendingPathComponent(name))))
        }
    }

    @Test("every committed seed and regression input keeps its target's contract", arguments: targetNames)
    func storedInputsKeepTheContract(target name: String) async throws {
        let target = try #require(FuzzTargets.named(name))
        let inputs = try Self.stored("corpus", name) + Self.stored("regressions", name)
        #expect(!inputs.isEmpty)
        for (file, bytes) in inputs {
            do {
                try await target.check(bytes)
            } catch {
                Issue.record("\(name)/\(file): \(error.description)")
            }
        }
    }

    @Test("every target has a small committed seed corpus", arguments: targetNames)
    func everyTargetHasASmallSeedCorpus(target name: String) throws {
        let seeds = try Self.stored("corpus", name)
        #expect((1...48).contains(seeds.count), "\(seeds.count) seeds")
        for seed in seeds {
            #expect(seed.bytes.count <= 16 * 1024, "\(seed.name) has \(seed.bytes.count) bytes")
        }
    }

    @Test("seeds made afresh from a new virtual card keep their target's contract", arguments: targetNames)
    func freshSeedsKeepTheContract(target name: String) async throws {
        let target = try #require(FuzzTargets.named(name))
        let seeds = try target.seeds()
        #expect(!seeds.isEmpty)
        for seed in seeds {
            do {
                try await target.check(seed.bytes)
            } catch {
                Issue.record("\(name)/\(seed.name): \(error.description)")
            }
        }
    }

    @Test("every corpus and regression folder belongs to a target")
    func foldersBelongToTargets() throws {
        for kind in ["corpus", "regressions"] {
            let folder = Self.fuzzFolder.appendingPathComponent(kind)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            for name in names where !name.hasPrefix(".") {
                #expect(Self.targetNames.contains(name), "Fuzz/\(kind)/\(name) has no target")
            }
        }
    }
}
