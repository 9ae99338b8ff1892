// history-bench: durable appends, verification and proofs beside their plain baselines, on this machine, in one run.
// Run with: swift run -c release history-bench [events-for-append] [events-for-verify] [verify-rounds] [events-for-prove]
import Crypto
import Foundation
import GRDB
import GRDBSQLite
import History

let appendCount = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 2000 : 2000
let verifyCount = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 300_000 : 300_000
let rounds = 3
let verifyRounds = CommandLine.arguments.count > 3 ? Int(CommandLine.arguments[3]) ?? 3 : 3
let proveCount = CommandLine.arguments.count > 4 ? Int(CommandLine.arguments[4]) ?? 10_000_000 : 10_000_000

// HISTORY_BENCH_DIR names a folder that is kept: its 10-million-event history is reused by the next run.
let keep = ProcessInfo.processInfo.environment["HISTORY_BENCH_DIR"]
let root = keep ?? (NSTemporaryDirectory() + "history-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(atPath: root + "/witness", withIntermediateDirectories: true)
for name in ["history", "plain", "big"] {
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: "\(root)/\(name).sqlite\(suffix)") }
    try? FileManager.default.removeItem(atPath: "\(root)/witness/\(name).witness")
}
defer { if keep == nil { try? FileManager.default.removeItem(atPath: root) } }

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// CPU time (user + system, all threads of this process) in seconds.
func cpuSeconds() -> Double {
    var r = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &r)
    return Double(r.ru_utime.tv_sec + r.ru_stime.tv_sec) + Double(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6
}

/// Wall and CPU seconds of `body`.
func measured(_ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
    let c = cpuSeconds()
    let w = try seconds(body)
    return (w, cpuSeconds() - c)
}

func sampleEvent(_ i: Int) -> NewEvent {
    NewEvent(kind: i % 3 == 0 ? .doorEntry : .operation, result: .success, actor: "op-\(i % 50)", card: String(format: "%032X", i % 50),
             place: "terminal-\(i % 20)", details: EventDetails(operation: i % 3 == 0 ? nil : "resident.view", record: i % 3 == 0 ? nil : "R-\(i)"))
}

/// The installed shape: a witness file, a checkpoint every `every` events.
func historyConfig(_ name: String, every: Int = 1000) -> HistoryConfiguration {
    HistoryConfiguration(databasePath: "\(root)/\(name).sqlite", archiveDirectory: "\(root)/archive", signingKeyPath: "\(root)/key",
                         witness: WitnessConfiguration(files: ["\(root)/witness/\(name).witness"]), checkpointEveryEvents: every)
}

let key = FileManager.default.fileExists(atPath: "\(root)/key") ? try CheckpointSigningKey.load("\(root)/key") : try CheckpointSigningKey.create("\(root)/key")

/// CPU time of the calling thread, in seconds.
func threadCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

// A plain log: the same columns and indexes, WAL + synchronous=FULL, one INSERT per committed transaction.
func plainQueue(_ name: String) throws -> DatabaseQueue {
    var c = Configuration()
    c.journalMode = .wal
    c.prepareDatabase { try $0.execute(sql: "PRAGMA synchronous = FULL") }
    let q = try DatabaseQueue(path: "\(root)/\(name).sqlite", configuration: c)
    // GRDB's WAL set-up switches to synchronous = NORMAL after prepareDatabase: set FULL again, as the history does.
    try q.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
    guard try q.read({ try Int.fetchOne($0, sql: "PRAGMA synchronous") }) == 2 else { fatalError("the baseline is not synchronous = FULL") }
    try q.write { db in
        try db.execute(sql: """
            CREATE TABLE events (seq INTEGER PRIMARY KEY, year INTEGER NOT NULL, time INTEGER NOT NULL, kind TEXT NOT NULL,
              result TEXT NOT NULL, actor TEXT, card TEXT, place TEXT, details BLOB NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL);
            CREATE INDEX events_time ON events(time);
            CREATE INDEX events_actor ON events(actor, time) WHERE actor IS NOT NULL;
            CREATE INDEX events_card ON events(card, time) WHERE card IS NOT NULL;
            CREATE INDEX events_place ON events(place, time) WHERE place IS NOT NULL;
            CREATE INDEX events_kind ON events(kind, time);
            """)
    }
    return q
}

func plainInsertLoop(_ q: DatabaseQueue, from: Int, count: Int) throws {
    let filler = Data(repeating: 0xAB, count: 32)
    for i in from..<(from + count) {
        let e = sampleEvent(i)
        try q.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                try db.cachedStatement(sql: "INSERT INTO events (seq, year, time, kind, result, actor, card, place, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                    .execute(arguments: [i + 1, 2026, Int64(Date().timeIntervalSince1970 * 1000), e.kind.rawValue, e.result.rawValue,
                                         e.actor, e.card, e.place, Data([1, 0, 13]) + Data("resident.view".utf8), filler, filler])
                return .commit
            }
        }
    }
}

/// The RFC 9162 tree over `leaves` (leaf hashes), built naively here so that its inner-node inputs
/// (0x01 ‖ left ‖ right, 65 bytes each) can be handed to the plain SHA-256 baseline; returns them and the root.
func innerNodeInputs(_ leaves: [[UInt8]]) -> (inputs: [[UInt8]], root: [UInt8]) {
    var inputs: [[UInt8]] = []
    inputs.reserveCapacity(leaves.count)
    var stack: [(size: Int, hash: [UInt8])] = []
    func node(_ l: [UInt8], _ r: [UInt8]) -> [UInt8] {
        let input = [1] + l + r
        inputs.append(input)
        return Array(SHA256.hash(data: input))
    }
    for leaf in leaves {
        stack.append((1, leaf))
        while stack.count >= 2 && stack[stack.count - 1].size == stack[stack.count - 2].size {
            let r = stack.removeLast(), l = stack.removeLast()
            stack.append((l.size * 2, node(l.hash, r.hash)))
        }
    }
    var h = stack.removeLast().hash
    while let l = stack.popLast() { h = node(l.hash, h) }
    return (inputs, h)
}

print("history-bench: \(appendCount) single-event durable appends per side × \(rounds) rounds; verify over \(verifyCount) events; prove at \(proveCount) events")
print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB, folder \(root)")

// 1. Appends: alternate the two sides so that disk and cache state drift affects both alike. The history side keeps the
//    tree, signs a checkpoint every 1000 events and writes it to a witness file (read back before each signing).
let store = try HistoryStore(configuration: historyConfig("history"), signingKey: key)
let plain = try plainQueue("plain")
var historyTime = 0.0, plainTime = 0.0
for r in 0..<rounds {
    let per = appendCount / rounds
    plainTime += try seconds { try plainInsertLoop(plain, from: r * per, count: per) }
    historyTime += try seconds { for i in 0..<per { try store.append(sampleEvent(r * per + i)) } }
}
let n = Double(appendCount / rounds * rounds)
let historyRate = n / historyTime, plainRate = n / plainTime
print(String(format: "appends  history.append: %8.0f events/s   plain GRDB insert+commit: %8.0f rows/s   ratio %.2f (target ≥ 0.80)",
             historyRate, plainRate, historyRate / plainRate))
print("         \(try store.status().checkpoints) checkpoints signed and witnessed during the history side")

// 2. Verify: a large chain built in batches, then verify() against plain SHA-256 over the very bytes it hashes: each
//    event's previous hash ‖ encoding, each leaf's 0x00 ‖ event hash, each inner node's 0x01 ‖ left ‖ right.
let big = try HistoryStore(configuration: historyConfig("big"), signingKey: key)
var made = 0
while made < verifyCount {
    let batch = min(5000, verifyCount - made)
    try big.append(contentsOf: (made..<(made + batch)).map(sampleEvent))
    made += batch
}
try big.checkpoint()
var chainInputs: [[UInt8]] = []
var leafInputs: [[UInt8]] = []
chainInputs.reserveCapacity(verifyCount)
leafInputs.reserveCapacity(verifyCount)
try big.forEachEvent(matching: EventFilter()) { e in
    chainInputs.append(try EventEncoding.hashedBytes(of: e))
    leafInputs.append([0] + e.hash)
    return true
}
let (nodeInputs, naiveRoot) = innerNodeInputs(leafInputs.map { Array(SHA256.hash(data: $0)) })
let newest = try big.consistencyProof(from: Int64(verifyCount)).toRoot
guard newest == naiveRoot.map({ String(format: "%02x", $0) }).joined() else { print("the baseline's tree differs from the history's; FAILED"); exit(1) }
let inputs = chainInputs + leafInputs + nodeInputs
let totalBytes = inputs.reduce(0) { $0 + $1.count }
var verifyTime = Double.infinity, hashTime = Double.infinity, readTime = Double.infinity, oneThreadTime = Double.infinity
var verifyCPU = Double.infinity, hashCPU = Double.infinity, oneThreadCPU = Double.infinity
var report: VerificationReport?
for _ in 0..<verifyRounds {
    let h = measured {
        var x: UInt8 = 0
        for b in inputs { x ^= SHA256.hash(data: b).withUnsafeBytes { $0[0] } }
        if x == 0x5A { print("") } // keeps the loop from being optimised away
    }
    hashTime = min(hashTime, h.wall)
    hashCPU = min(hashCPU, h.cpu)
    let v = measured { report = big.verify() }
    verifyTime = min(verifyTime, v.wall)
    verifyCPU = min(verifyCPU, v.cpu)
    let one = measured { _ = big.verify(threads: 1) }
    oneThreadTime = min(oneThreadTime, one.wall)
    oneThreadCPU = min(oneThreadCPU, one.cpu)
    // The floor under any verifier: SQLite stepping through the same rows and touching every column.
    readTime = min(readTime, try seconds {
        let q = try DatabaseQueue(path: "\(root)/big.sqlite")
        try q.read { db in
            let st = try db.makeStatement(sql: "SELECT seq, year, time, kind, result, actor, card, place, details, prev_hash, hash FROM events ORDER BY seq")
            let h = st.sqliteStatement
            var total = 0
            while sqlite3_step(h) == SQLITE_ROW {
                for c in Int32(0)..<3 { total &+= Int(sqlite3_column_int64(h, c)) }
                for c in Int32(3)..<11 { _ = sqlite3_column_blob(h, c); total &+= Int(sqlite3_column_bytes(h, c)) }
            }
            sqlite3_reset(h)
            if total == 42 { print("") }
        }
    })
}
guard let report, report.outcome == .intact, report.eventsChecked == Int64(verifyCount) else {
    print("verify FAILED: \(report?.message ?? "no report")"); exit(1)
}
let vRate = Double(verifyCount) / verifyTime, hRate = Double(verifyCount) / hashTime
print(String(format: "verify   history.verify: %8.0f events/s (%.1f MB/s)   plain SHA-256 of the same bytes: %8.0f events/s (%.1f MB/s)   ratio %.2f (target ≥ 0.50)",
             vRate, Double(totalBytes) / verifyTime / 1e6, hRate, Double(totalBytes) / hashTime / 1e6, vRate / hRate))
print(String(format: "         history.verify on one thread: %8.0f events/s   ratio %.2f", Double(verifyCount) / oneThreadTime, Double(verifyCount) / oneThreadTime / hRate))
print(String(format: "         plain SQLite read of the same rows, one thread, no hashing: %8.0f rows/s (verify splits long chains over %d threads)", Double(verifyCount) / readTime, min(4, ProcessInfo.processInfo.activeProcessorCount)))
print(String(format: "         CPU time per event (user+system, all threads): verify %.2f µs, verify on one thread %.2f µs, plain SHA-256 %.2f µs; CPU ratio %.2f / %.2f",
             verifyCPU / Double(verifyCount) * 1e6, oneThreadCPU / Double(verifyCount) * 1e6, hashCPU / Double(verifyCount) * 1e6,
             hashCPU / verifyCPU, hashCPU / oneThreadCPU))
var load = [Double](repeating: 0, count: 3)
_ = getloadavg(&load, 3)
print(String(format: "         load average during the run: %.2f %.2f %.2f on %d cores", load[0], load[1], load[2], ProcessInfo.processInfo.activeProcessorCount))
print(String(format: "         %d events; %d hash inputs (%d chain, %d leaf, %d inner node), %.0f bytes hashed per event; %d checkpoints",
             verifyCount, inputs.count, chainInputs.count, leafInputs.count, nodeInputs.count, Double(totalBytes) / Double(verifyCount), report.checkpointsChecked))
chainInputs = []; leafInputs = []

// 3. Proofs at scale: a history of `proveCount` events, then inclusion and consistency proofs for random events.
if proveCount > 0 {
    let huge = try HistoryStore(configuration: historyConfig("huge", every: 1_000_000), signingKey: key)
    var filled = Int(try huge.status().lastSequence)
    let buildTime = try seconds {
        while filled < proveCount {
            let batch = min(20_000, proveCount - filled)
            try huge.append(contentsOf: (filled..<(filled + batch)).map(sampleEvent))
            filled += batch
        }
        try huge.checkpoint()
    }
    let size = try FileManager.default.attributesOfItem(atPath: "\(root)/huge.sqlite")[.size] as? Int ?? 0
    print(String(format: "prove    %d events (built %.0f s now, %.0f events/s in batches of 20,000), database %.2f GB", proveCount, buildTime,
                 buildTime > 0.5 ? Double(proveCount) / buildTime : 0, Double(size) / 1e9))
    var generator = SystemRandomNumberGenerator()
    var inclusion: [Double] = [], inclusionCPU: [Double] = []
    var consistency: [Double] = [], consistencyCPU: [Double] = []
    for _ in 0..<200 {
        let seq = Int64.random(in: 1...Int64(proveCount), using: &generator)
        var proof: InclusionProof?
        var c = threadCPUSeconds()
        inclusion.append(try seconds { proof = try huge.inclusionProof(sequence: seq) } * 1000)
        inclusionCPU.append((threadCPUSeconds() - c) * 1000)
        guard let proof, (try? ProofChecker.check(proof, keys: [key.publicKey])) != nil else { print("proof of \(seq) FAILED"); exit(1) }
        c = threadCPUSeconds()
        consistency.append(try seconds { _ = try huge.consistencyProof(from: seq) } * 1000)
        consistencyCPU.append((threadCPUSeconds() - c) * 1000)
    }
    func line(_ name: String, _ ms: [Double], _ cpu: [Double]) -> String {
        let s = ms.sorted(), c = cpu.sorted()
        return String(format: "         %@: wall median %.2f ms, p99 %.2f ms, max %.2f ms; CPU median %.2f ms, p99 %.2f ms; %d random events (target < 10 ms)",
                      name, s[s.count / 2], s[s.count * 99 / 100], s.last!, c[c.count / 2], c[c.count * 99 / 100], s.count)
    }
    print(line("history.inclusionProof", inclusion, inclusionCPU))
    print(line("history.consistencyProof", consistency, consistencyCPU))
    var load = [Double](repeating: 0, count: 3)
    _ = getloadavg(&load, 3)
    print(String(format: "         load average after the proofs: %.2f %.2f %.2f", load[0], load[1], load[2]))
}
