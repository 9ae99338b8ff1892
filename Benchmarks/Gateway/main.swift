// gateway-bench: how fast the gateway daemon reacts to cards, with four PIN hashes going, and what it costs at rest.
//
//   swift build -c release --static-swift-stdlib --product cardgate && swift run -c release --static-swift-stdlib gateway-bench [--cycles 200]
//     [--baseline-cycles 50] [--slow-cycles 50] [--door-cycles 50] [--idle-seconds 10] [--workers 4] [--keep]
//   swift run -c release --static-swift-stdlib gateway-bench --soak-minutes 60 [--keep]     (the soak: steady mixed load, footprint sampled)
//
// Needs the rig's pcscd (hardware/pcscd-virtual.sh start) and uses the readers "CardGate Test A/B 00 00/00 01"
// (vpcd ports 35973–35976) and "CardGate Room1 In/Out 00 00" (35969, 35971): no other test may run meanwhile. Method and figures: Benchmarks/README.md.
import Foundation

struct BenchOptions {
    var cycles = 200
    var baselineCycles = 50
    var idleSeconds = 10.0
    var workers = 4
    var slowCycles = 50
    var doorCycles = 50
    var keep = false
    /// Minutes of soak instead of the latency run (0: the latency run).
    var soakMinutes = 0.0

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            func value() throws -> String {
                guard let next = rest.popFirst() else { throw BenchError("\(argument) needs a value") }
                return next
            }
            switch argument {
            case "--cycles": cycles = Int(try value()) ?? cycles
            case "--baseline-cycles": baselineCycles = Int(try value()) ?? baselineCycles
            case "--idle-seconds": idleSeconds = Double(try value()) ?? idleSeconds
            case "--workers": workers = Int(try value()) ?? workers
            case "--slow-cycles": slowCycles = Int(try value()) ?? slowCycles
            case "--door-cycles": doorCycles = Int(try value()) ?? doorCycles
            case "--keep": keep = true
            case "--soak-minutes": soakMinutes = Double(try value()) ?? soakMinutes
            default:
                throw BenchError("unknown argument \(argument); usage: gateway-bench [--cycles N] [--baseline-cycles N] [--slow-cycles N] [--door-cycles N] [--idle-seconds S] [--workers N] [--keep] | --soak-minutes M [--keep]")
            }
        }
    }
}

do {
    let options = try BenchOptions(Array(CommandLine.arguments.dropFirst()))
    let bench = GatewayBench(options: options)
    if options.soakMinutes > 0 { try await bench.soak(minutes: options.soakMinutes) } else { try await bench.run() }
} catch {
    FileHandle.standardError.write(Data("gateway-bench: \(error)\n".utf8))
    exit(1)
}
