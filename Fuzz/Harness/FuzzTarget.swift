import Foundation

/// One parser under fuzzing and the contract it must keep on any input.
///
/// A target is one file under `Fuzz/Harness/Targets/` and one line in ``FuzzTargets/all``; its libFuzzer
/// executable `fuzz-<name>` (built only with `CARDGATE_FUZZ=1`) calls ``FuzzEntry/run(_:_:_:)``, and
/// `FuzzRegressionTests` feeds it every file of `Fuzz/corpus/<name>/` and `Fuzz/regressions/<name>/`.
public protocol FuzzTarget {
    /// The short name: the folders `Fuzz/<name>/`, `Fuzz/corpus/<name>/`, `Fuzz/regressions/<name>/`.
    static var name: String { get }

    /// Feeds one input to the parser and checks the contract. A parser that traps crashes the process (which
    /// libFuzzer reports); a parser that answers but breaks its contract makes this throw.
    static func run(_ input: [UInt8]) throws(ContractViolation)

    /// The same check for callers already in an async context (the regression tests); by default ``run(_:)``.
    /// A target whose parser is async implements this and makes ``run(_:)`` wait for it.
    static func check(_ input: [UInt8]) async throws(ContractViolation)

    /// Inputs that start the corpus: real card answers, real configuration, real request bodies.
    static func seeds() throws -> [Seed]
}

extension FuzzTarget {
    /// Runs ``run(_:)``.
    public static func check(_ input: [UInt8]) async throws(ContractViolation) {
        try run(input)
    }
}

/// Every fuzz target, in the order `make fuzz` runs them.
public enum FuzzTargets {
    /// The targets.
    public static var all: [any FuzzTarget.Type] {
        [
            TLVTarget.self,
            ExchangeTarget.self,
            CardObjectsTarget.self,
            CardResponsesTarget.self,
            VPCDTarget.self,
            APIBodyTarget.self,
            HTTPTarget.self,
            SSETarget.self,
            ConfigTarget.self,
            ProofTarget.self,
            ExportTarget.self,
        ]
    }

    /// The target called `name`, if there is one.
    public static func named(_ name: String) -> (any FuzzTarget.Type)? {
        all.first { $0.name == name }
    }
}

/// A named input of a seed corpus.
public struct Seed: Sendable {
    /// The file name in `Fuzz/corpus/<target>/`.
    public let name: String
    /// The input.
    public let bytes: [UInt8]

    /// Makes a seed.
    public init(_ name: String, _ bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }
}

/// A parser answered, but not as its contract says: the fuzz executable stops on it as on a crash.
public struct ContractViolation: Error, CustomStringConvertible, Sendable {
    /// What was broken.
    public let description: String

    /// Makes a violation.
    public init(_ description: String) {
        self.description = description
    }
}

/// Throws a ``ContractViolation`` with `message` unless `condition` holds.
@inlinable
public func require(_ condition: Bool, _ message: @autoclosure () -> String) throws(ContractViolation) {
    if !condition { throw ContractViolation(message()) }
}

/// The glue between libFuzzer's `LLVMFuzzerTestOneInput` and a ``FuzzTarget``.
public enum FuzzEntry {
    /// With the environment variable `CARDGATE_FUZZ_WRITE_SEEDS` set to a folder, writes `target`'s seeds there
    /// (replacing files of the same name) and exits; otherwise returns at once.
    public static func writeSeedsIfAsked(_ target: any FuzzTarget.Type) {
        guard let folder = ProcessInfo.processInfo.environment["CARDGATE_FUZZ_WRITE_SEEDS"] else { return }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let seeds = try target.seeds()
            for seed in seeds {
                try Data(seed.bytes).write(to: URL(fileURLWithPath: folder).appendingPathComponent(seed.name))
            }
            print("fuzz-\(target.name): \(seeds.count) seeds written to \(folder)")
            exit(0)
        } catch {
            print("fuzz-\(target.name): seeds not written: \(error)")
            exit(1)
        }
    }

    /// Runs `target` on libFuzzer's buffer; a broken contract stops the process so that libFuzzer saves the input.
    public static func run(_ target: any FuzzTarget.Type, _ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        let input = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
        do {
            try target.run(input)
        } catch {
            fatalError("fuzz-\(target.name): contract broken: \(error.description)")
        }
        return 0
    }
}
