// history-years: seven years and more of a city hall's history through the real append path, then the queries an
// auditor runs on it and a full verification (issue 12, part 3). Method and figures: Benchmarks/README.md.
//
//   swift run -c release history-years [--scale 1] [--from 2019-07-01] [--to 2027-03-01] [--folder DIR] [--repeats 20]
//     [--seed 1] [--spacing 60]
//
// Every event is appended on its own, as the daemon records each act, with the clock set to the simulated time; a
// checkpoint is signed as the daemon's history writer does: a second after a burst of events, but no sooner than
// --spacing seconds (`checkpoint-spacing-seconds`) after the one before. Each
// closed year is archived on 15 January, and the oldest archive is pruned on that day once it is past the
// seven-year retention. With --folder, a finished history there is measured again without generating it anew.
import Foundation
import History

struct YearsOptions {
    var scale = 1.0
    var from = "2019-07-01"
    var to = "2027-03-01"
    var folder: String?
    var repeats = 20
    var seed: UInt64 = 1
    /// The daemon's `checkpoint-spacing-seconds`.
    var spacingSeconds = 60.0

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            guard let value = rest.popFirst() else { throw YearsError("\(argument) needs a value") }
            switch argument {
            case "--scale": scale = Double(value) ?? scale
            case "--from": from = value
            case "--to": to = value
            case "--folder": folder = value
            case "--repeats": repeats = Int(value) ?? repeats
            case "--seed": seed = UInt64(value) ?? seed
            case "--spacing": spacingSeconds = Double(value) ?? spacingSeconds
            default:
                throw YearsError("unknown argument \(argument); usage: history-years [--scale F] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--folder DIR] [--repeats N] [--seed N] [--spacing S]")
            }
        }
        guard scale > 0, scale <= 4 else { throw YearsError("--scale must be above 0 and at most 4") }
        guard spacingSeconds >= 0 else { throw YearsError("--spacing must not be negative") }
    }
}

struct YearsError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

do {
    let options = try YearsOptions(Array(CommandLine.arguments.dropFirst()))
    try YearsRun(options: options).run()
} catch {
    FileHandle.standardError.write(Data("history-years: \(error)\n".utf8))
    exit(1)
}
