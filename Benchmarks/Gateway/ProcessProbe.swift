import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What /proc says about the daemon process: memory, CPU time, threads.
struct ProcessProbe: Sendable {
    let pid: Int32

    /// VmRSS, VmHWM (peak resident set), RssAnon (heap, stacks) and RssFile (mapped program and libraries) from
    /// /proc/PID/status, in KiB.
    func memory() -> (rss: Int, peak: Int, anonymous: Int, file: Int)? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        func field(_ name: String) -> Int? {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return nil }
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        guard let rss = field("VmRSS"), let peak = field("VmHWM") else { return nil }
        return (rss, peak, field("RssAnon") ?? 0, field("RssFile") ?? 0)
    }

    /// Resident KiB by mapped file (from /proc/PID/smaps), largest first; anonymous memory under "[anonymous]".
    func residentByMapping() -> [(name: String, kib: Int)] {
        // /proc files report size 0: read the handle to its end rather than by the file's size.
        guard let handle = FileHandle(forReadingAtPath: "/proc/\(pid)/smaps"), let data = try? handle.readToEnd() else { return [] }
        try? handle.close()
        let smaps = String(decoding: data, as: UTF8.self)
        var totals: [String: Int] = [:]
        var current = "[anonymous]"
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let first = fields.first, first.contains("-"), first.allSatisfy({ $0.isHexDigit || $0 == "-" }) {
                current = fields.count >= 6 ? String(fields[5...].joined(separator: " ")) : "[anonymous]"
                if !current.hasPrefix("/") { current = current.hasPrefix("[") ? current : "[anonymous]" }
            } else if fields.first == "Rss:", fields.count >= 2, let kib = Int(fields[1]) {
                totals[current, default: 0] += kib
            }
        }
        return totals.map { (name: $0.key, kib: $0.value) }.sorted { $0.kib > $1.kib }
    }

    /// utime + stime of the whole process (all threads), in clock ticks.
    func cpuTicks() -> Int? {
        statFields("/proc/\(pid)/stat").flatMap { fields in
            // After "pid (comm)": state is field 3, utime field 14, stime field 15 (1-based as in proc(5)).
            guard fields.count > 13, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
            return user + system
        }
    }

    /// Clock ticks per second (sysconf(_SC_CLK_TCK)).
    static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// Voluntary and involuntary context switches of each thread (each is a wake-up or a preemption), by thread id.
    func contextSwitches() -> [String: Int] {
        var result: [String: Int] = [:]
        for tid in threadIDs() {
            guard let status = try? String(contentsOfFile: "/proc/\(pid)/task/\(tid)/status", encoding: .utf8) else { continue }
            result[tid] = status.split(separator: "\n").filter { $0.contains("ctxt_switches:") }
                .compactMap { Int($0.split(separator: "\t").last?.trimmingCharacters(in: .whitespaces) ?? "") }.reduce(0, +)
        }
        return result
    }

    /// Context switches between two snapshots: the growth of threads present in both, plus all of new threads'.
    static func switches(from before: [String: Int], to after: [String: Int]) -> Int {
        after.reduce(0) { sum, entry in sum + entry.value - (before[entry.key] ?? 0) }
    }

    /// Threads of the process.
    func threadIDs() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
    }

    /// Threads currently running or runnable (state R): during the load phase, the PIN hashes in progress.
    func runnableThreads() -> Int {
        threadIDs().filter { statFields("/proc/\(pid)/task/\($0)/stat")?.first == "R" }.count
    }

    /// The fields of a stat file after "pid (comm) ", starting with the state.
    private func statFields(_ path: String) -> [String]? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), let close = text.lastIndex(of: ")") else { return nil }
        return text[text.index(after: close)...].split(separator: " ").map(String.init)
    }
}
