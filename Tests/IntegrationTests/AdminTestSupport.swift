import APDU
import Foundation
import SmartCard
import Testing
import VirtualCard
import Vocabulary

/// The administrative CLI suites, run one after the other: they share the two admin reader slots.
@Suite(.serialized) enum AdminReaderTests {}

/// A temporary CardGate installation for the administrative CLI tests: a copy of config/cardgate.toml whose
/// paths point into a temporary folder, with cheap scrypt and both admin reader slots approved, and a
/// private session file for each person.
///
/// Uses only the readers "CardGate Admin 00 00" (vpcd 35963) and "CardGate Admin 00 01" (vpcd 35964).
struct AdminInstallation {
    static let readerA = "CardGate Admin 00 00"
    static let portA = 35963
    static let readerB = "CardGate Admin 00 01"
    static let portB = 35964

    let folder: URL
    let configFile: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("admin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/cardgate.toml")
        var text = try String(contentsOf: source, encoding: .utf8)
        let t = folder.path
        let replacements = [
            ("\"../run/cardgate.sqlite\"", "\"\(t)/data/history.sqlite\""),
            ("\"../run/archive\"", "\"\(t)/data/archive\""),
            ("\"../run/secrets/pepper\"", "\"\(t)/secrets/pepper\""),
            ("\"../run/secrets/history-signing.key\"", "\"\(t)/secrets/history-signing.key\""),
            ("\"../run/cardgate.sock\"", "\"\(t)/cardgate.sock\""),
            ("log2-n = 15", "log2-n = 10"), ("p = 3", "p = 1"),
            ("allow-weak-for-tests = false", "allow-weak-for-tests = true"),
            ("[[readers]]\nname = \"CardGate T01 00 00\"", "[[readers]]\nname = \"CardGate Admin 00 01\"\nrole = \"admin\"\n\n[[readers]]\nname = \"CardGate T01 00 00\""),
            ("\"./rig-command.sh\"", "\"/bin/true\""),
        ]
        for (old, new) in replacements {
            guard text.contains(old) else { throw BuiltTools.ToolError(description: "config/cardgate.toml no longer contains \(old)") }
            text = text.replacingOccurrences(of: old, with: new)
        }
        configFile = folder.appendingPathComponent("cardgate.toml").path
        try text.write(toFile: configFile, atomically: true, encoding: .utf8)
    }

    /// The session file of one person (each administrator has their own runtime folder).
    func sessionFile(_ person: String) -> String { folder.appendingPathComponent("session-\(person)").path }

    /// Runs `cardgate` with `--config` after the subcommand words, `input` on standard input and
    /// `person`'s session file; returns the exit status and the output (stdout + stderr).
    func cardgate(_ words: [String], _ arguments: [String] = [], input: String = "", as person: String = "pa-001",
                  environment changes: [String: String?] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try BuiltTools.cardgate())
        process.arguments = words + ["--config", configFile] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["CARDGATE_SESSION_FILE"] = sessionFile(person)
        for name in ["CARDGATE_CONFIG", "CARDGATE_DATABASE", "CARDGATE_ARCHIVE_DIR", "CARDGATE_PEPPER_FILE", "CARDGATE_SIGNING_KEY_FILE"] {
            environment[name] = nil
        }
        for (name, value) in changes { environment[name] = value }
        process.environment = environment
        let output = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = stdin
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Runs `cardgate` on a pseudo-terminal (through util-linux `script`), typing `lines` one by one with
    /// pauses, as a person would at the prompts.
    func cardgateOnTerminal(_ words: [String], _ arguments: [String] = [], lines: [String], as person: String = "pa-001")
        throws -> (status: Int32, output: String) {
        let quoted = ([try BuiltTools.cardgate()] + words + ["--config", configFile] + arguments)
            .map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let typing = lines.map { "sleep 0.8; printf '%s\\n' '\($0)'" }.joined(separator: "; ") + "; sleep 1"
        let shell = "(\(typing)) | CARDGATE_SESSION_FILE='\(sessionFile(person))' /usr/bin/script -qec \"\(quoted)\" /dev/null"
        return try BuiltTools.run("/bin/sh", ["-c", shell])
    }

    /// A fresh card image; returns its path and GUID (hex).
    func makeCard(_ name: String) throws -> (path: String, guid: String) {
        let path = folder.appendingPathComponent("\(name).json").path
        let created = try BuiltTools.run(try BuiltTools.vcard(), ["create", "--out", path])
        try #require(created.status == 0, "vcard create failed: \(created.output)")
        return (path, Hex.encode(try CardImage.load(path: path).identity.guid))
    }

    /// Waits until pcscd reports `reader` with or without a card.
    static func waitForCard(_ reader: String, present: Bool, timeout: Duration = .seconds(5)) throws {
        let context = try PCSCContext()
        defer { context.release() }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try context.readerStatuses().first(where: { $0.name == reader })?.cardPresent == present { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw BuiltTools.ToolError(description: "reader \(reader) did not report card present=\(present) within \(timeout)")
    }

    /// Inserts a card into reader A (or `reader`), runs `body`, then removes it and waits for the reader
    /// to be empty again.
    func withCard<T>(_ path: String, reader: String = readerA, port: Int = portA, clone: Bool = false,
                     _ body: () throws -> T) throws -> T {
        try Self.waitForCard(reader, present: false)
        let card = try VCardProcess(card: path, port: port, extra: clone ? ["--clone"] : [])
        defer {
            card.terminate()
            try? Self.waitForCard(reader, present: false)
        }
        try Self.waitForCard(reader, present: true)
        return try body()
    }

    /// The history as `cardgate history query --format json` prints it, one dictionary per event.
    func historyEvents() throws -> [[String: Any]] {
        let result = try cardgate(["history", "query"], ["--format", "json"])
        try #require(result.status == 0, "history query failed: \(result.output)")
        return try result.output.split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }
}
