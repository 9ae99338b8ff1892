// history-bench: durable appends and verification beside their plain baselines, on this machine, in one run.
// Run with: swift run -c release history-bench [events-for-append] [events-for-verify] [verify-rounds]
import Crypto
import Foundation
import GRDB
import GRDBSQLite
import History

let appendCount = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 2000 : 2000
let verifyCount = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 300_000 : 300_000
let rounds = 3
let verifyRounds = CommandLine.arguments.count > 3 ? Int(CommandLine.arguments[3]) ?? 3 : 3

let root = NSTemporaryDirectory() + "history-bench-\(UUID().uuidString)"
try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: root) }

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func sampleEvent(_ i: Int) -> NewEvent {
    NewEvent(kind: i % 3 == 0 ? .doorEntry : .operation, result: .success, actor: "op-\(i % 50)", card: String(format: "%032X", i % 50),
             place: "terminal-\(i % 20)", details: EventDetails(operation: i % 3 == 0 ? nil : "resident.view", record: i % 3 == 0 ? nil : "R-\(i)"))
}

func historyConfig(_ name: String) -> HistoryConfiguration {
    HistoryConfiguration(databasePath: "\(root)/\(name).sqlite", archiveDirectory: "\(root)/archive", signingKeyPath: "\(root)/key")
}

let key = try CheckpointSigningKey.create("\(root)/key")

// A plain log: the same columns and indexes, WAL + synchronous=FULL, one INSERT per committed transaction.
func plainQueue(_ name: String) throws -> DatabaseQueue {
    var c = Configuration()
    c.journalMode = .wal
    c.prepareDatabase { try $0.execute(sql: "PRAGMA synchronous = FULL") }
    let q = try DatabaseQueue(path: "\(root)/\(name).sqlite", configuration: c)
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

print("history-bench: \(appendCount) single-event durable appends per side × \(rounds) rounds; verify over \(verifyCount) events")

// 1. Appends: alternate the two sides so that disk and cache state drift affects both alike.
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

// 2. Verify: a large chain built in batches, then verify() against plain SHA-256 over the very bytes it hashes.
let big = try HistoryStore(configuration: historyConfig("big"), signingKey: key)
var made = 0
while made < verifyCount {
    let batch = min(5000, verifyCount - made)
    try big.append(contentsOf: (made..<(made + batch)).map(sampleEvent))
    made += batch
}
var inputs: [[UInt8]] = []
inputs.reserveCapacity(verifyCount)
try big.forEachEvent(matching: EventFilter()) { inputs.append(try EventEncoding.hashedBytes(of: $0)); return true }
let totalBytes = inputs.reduce(0) { $0 + $1.count }
var verifyTime = Double.infinity, hashTime = Double.infinity, readTime = Double.infinity, oneThreadTime = Double.infinity
var report: VerificationReport?
for _ in 0..<verifyRounds {
    hashTime = min(hashTime, seconds {
        var x: UInt8 = 0
        for b in inputs { x ^= SHA256.hash(data: b).withUnsafeBytes { $0[0] } }
        if x == 0x5A { print("") } // keeps the loop from being optimised away
    })
    verifyTime = min(verifyTime, seconds { report = big.verify() })
    oneThreadTime = min(oneThreadTime, seconds { _ = big.verify(threads: 1) })
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
guard let report, report.intact, report.eventsChecked == Int64(verifyCount) else {
    print("verify FAILED: \(report?.message ?? "no report")"); exit(1)
}
let vRate = Double(verifyCount) / verifyTime, hRate = Double(verifyCount) / hashTime
print(String(format: "verify   history.verify: %8.0f events/s (%.1f MB/s)   plain SHA-256 of the same bytes: %8.0f events/s (%.1f MB/s)   ratio %.2f (target ≥ 0.50)",
             vRate, Double(totalBytes) / verifyTime / 1e6, hRate, Double(totalBytes) / hashTime / 1e6, vRate / hRate))
print(String(format: "         history.verify on one thread: %8.0f events/s   ratio %.2f", Double(verifyCount) / oneThreadTime, Double(verifyCount) / oneThreadTime / hRate))
print(String(format: "         plain SQLite read of the same rows, one thread, no hashing: %8.0f rows/s (verify splits long chains over %d threads)", Double(verifyCount) / readTime, min(4, ProcessInfo.processInfo.activeProcessorCount)))
print(String(format: "         %d events, %.0f bytes hashed per event on average, %d checkpoint signatures", verifyCount, Double(totalBytes) / Double(verifyCount), report.checkpointsChecked))
