import Foundation
import Testing
@testable import Gateway

/// The PIN hash threads run at a lower priority than the rest of the daemon, so that a scrypt hash yields the CPU to
/// a card check, a lock or a history append (gateway-bench: card in → decision with 4 PIN hashes in flight).
@Suite struct WorkerThreadsTests {
    /// The nice value of the thread that runs the job, as the kernel reports it (`/proc/thread-self/stat`, field 19).
    static func ownNice() -> Int? {
        guard let stat = try? String(contentsOfFile: "/proc/thread-self/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after "(comm)": state is field 3, nice is field 19.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 16 ? Int(fields[16]) : nil
    }

    @Test func threadsStartedWithANiceValueRunTheirJobsAtIt() async throws {
        let lowered = WorkerThreads(name: "test.nice", count: 2, nice: 10)
        defer { lowered.stop() }
        let plain = WorkerThreads(name: "test.plain", count: 1)
        defer { plain.stop() }
        let base = try #require(Self.ownNice())
        let niceOfLowered = await lowered.run { Self.ownNice() }
        // A process already nicer than 10 (a nice CI runner) may not become less nice without the capability.
        #expect(niceOfLowered == 10 || (base > 10 && niceOfLowered == base))
        #expect(await plain.run { Self.ownNice() } == base)
    }
}
