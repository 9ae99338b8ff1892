import Foundation

/// Latency samples in milliseconds, with the percentiles the benchmark prints.
struct Samples: Sendable {
    /// What was measured, for the table.
    let name: String
    /// The target p99 in milliseconds, if the issue sets one.
    let targetP99: Double?
    private(set) var values: [Double] = []

    init(_ name: String, targetP99: Double? = nil) {
        self.name = name
        self.targetP99 = targetP99
    }

    mutating func add(milliseconds: Double) { values.append(milliseconds) }

    var count: Int { values.count }

    /// The nearest-rank percentile `p` (0–100): the smallest sample with at least p % of samples at or below it.
    func percentile(_ p: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = max(1, Int((p / 100 * Double(sorted.count)).rounded(.up)))
        return sorted[min(rank, sorted.count) - 1]
    }

    /// One row of the table: n, p50, p90, p99, max, the target and whether p99 meets it.
    func row(width: Int) -> String {
        func cell(_ value: Double?) -> String { value.map { String(format: "%8.2f", $0) } ?? "       –" }
        var line = name.padding(toLength: width, withPad: " ", startingAt: 0)
        line += String(format: "%5d", count)
        line += cell(percentile(50)) + cell(percentile(90)) + cell(percentile(99)) + cell(values.max())
        if let target = targetP99 {
            let p99 = percentile(99)
            let verdict = p99.map { $0 < target ? "met" : String(format: "MISSED by %.1f ms", $0 - target) } ?? "no data"
            line += String(format: "   < %4.0f ms  ", target) + verdict
        }
        return line
    }
}
