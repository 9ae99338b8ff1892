// history-append-tool: appends events from a separate process, for the history's process tests only (concurrent
// writers, a writer killed mid-append). Not part of the production `cardgate` executable.
//
// history-append-tool --database D --archive-dir A --key K (--witness-file W | --no-witness) [--checkpoint-every N]
//                     --kind KIND [--result R] [--actor A] [--reason R] [--count N] [--wait-for FILE]
// Prints each durable sequence number on its own line.
import Foundation
import History

var options: [String: String] = [:]
var flags: Set<String> = []
var arguments = CommandLine.arguments.dropFirst()
while let name = arguments.popFirst() {
    guard name.hasPrefix("--") else { FileHandle.standardError.write(Data("unexpected argument \(name)\n".utf8)); exit(64) }
    if name == "--no-witness" { flags.insert(name); continue }
    guard let value = arguments.popFirst() else { FileHandle.standardError.write(Data("\(name) needs a value\n".utf8)); exit(64) }
    options[String(name.dropFirst(2))] = value
}
@MainActor func required(_ name: String) -> String {
    guard let v = options[name] else { FileHandle.standardError.write(Data("--\(name) is required\n".utf8)); exit(64) }
    return v
}
guard let kind = EventKind(rawValue: required("kind")), let result = EventResult(rawValue: options["result"] ?? "success") else {
    FileHandle.standardError.write(Data("unknown kind or result\n".utf8)); exit(64)
}
let configuration = HistoryConfiguration(
    databasePath: required("database"), archiveDirectory: required("archive-dir"), signingKeyPath: required("key"),
    witness: flags.contains("--no-witness") ? .none : WitnessConfiguration(files: [required("witness-file")]),
    checkpointEveryEvents: Int(options["checkpoint-every"] ?? "1000") ?? 1000)
let count = Int(options["count"] ?? "1") ?? 1
do {
    let store = try HistoryStore.open(configuration)
    if let waitFor = options["wait-for"] {
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: waitFor) && Date() < deadline { usleep(2000) }
    }
    let event = NewEvent(kind: kind, result: result, actor: options["actor"], details: EventDetails(reason: options["reason"]))
    for _ in 0..<count {
        let receipt = try store.append(event)
        FileHandle.standardOutput.write(Data("\(receipt.sequence)\n".utf8))
    }
} catch {
    FileHandle.standardError.write(Data("history-append-tool: \(error)\n".utf8))
    exit(1)
}
