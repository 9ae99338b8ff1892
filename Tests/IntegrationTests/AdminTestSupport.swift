import Foundation
import SmartCard
import Testing
import VirtualCard
import Vocabulary

/// The administrative suites, run one after the other: they share the admin station's two reader slots.
@Suite(.serialized) enum AdminReaderTests {}

/// A temporary CardGate installation for the administrative tests, run the way it is run for real: `cardgate init`
/// (as root, the administrator's card in the admin reader), then `cardgate serve` as a child process, then every
/// administrative command as a separate `cardgate` process talking to the daemon over the administration socket.
///
/// The configuration is a copy of config/cardgate.toml whose paths point into a temporary folder (sockets included),
/// with cheap scrypt, `/bin/true` as every actuator command, the service account root and no auditors' group.
///
/// Uses only the readers "CardGate Admin 00 00" (role admin, vpcd 35963) and "CardGate Admin 00 01" (role
/// admin-subject, vpcd 35964). The terminal and door readers of the copied configuration are never put on this
/// installation's ledger, so the daemon ignores (and only records) cards other tests put there.
///
/// Call ``shutDown()`` in a `defer` right after creating it: it pulls the cards and stops the daemon with SIGTERM.
final class AdminInstallation {
    typealias Run = (status: Int32, output: String)

    /// The admin station's two readers.
    enum Slot: CaseIterable {
        /// Where the administrator's own card stays for the whole session.
        case admin
        /// Where the card being issued goes, and the card of a holder changing their PIN.
        case subject

        var reader: String { self == .admin ? "CardGate Admin 00 00" : "CardGate Admin 00 01" }
        var port: Int { self == .admin ? 35963 : 35964 }
    }

    struct Options {
        /// `[admin] group`: "" keeps the service's own group; "gid:4242" lets members of group 4242 connect.
        var adminGroup = ""
    }

    let folder: URL
    let configFile: String
    let adminSocket: String
    let apiSocket: String
    let serveLog: String
    /// Every PIN a test typed: none may ever appear in an output or in the daemon's log.
    var pins: Set<String> = []
    private(set) var daemon: Process?
    private var cards: [Slot: VCardProcess] = [:]

    init(_ options: Options = Options()) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("admin-\(UUID().uuidString.prefix(8))")
        // Other uids (the socket tests) must be able to reach the sockets in this folder.
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let t = folder.path
        adminSocket = t + "/admin.sock"
        apiSocket = t + "/api.sock"
        serveLog = t + "/serve.log"
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/cardgate.toml")
        var text = try String(contentsOf: source, encoding: .utf8)
        let replacements = [
            ("\"../run/cardgate.sqlite\"", "\"\(t)/data/cardgate.sqlite\""),
            ("\"../run/archive\"", "\"\(t)/data/archive\""),
            ("\"../run/secrets/pepper\"", "\"\(t)/secrets/pepper\""),
            ("\"../run/secrets/history-signing.key\"", "\"\(t)/secrets/history-signing.key\""),
            // The witness in the site's folder (`cardgate init` creates it there, 0600 in a 0700 folder).
            ("\"../run/witness/history.witness\"", "\"\(t)/witness/history.witness\""),
            ("\"../run/cardgate.sock\"", "\"\(apiSocket)\""),
            ("socket = \"../run/admin.sock\"", "socket = \"\(adminSocket)\"\nmode = \"0660\""),
            ("group = \"\"\n", "group = \"\(options.adminGroup)\"\n"),
            ("log2-n = 15", "log2-n = 10"), ("p = 3", "p = 1"),
            ("allow-weak-for-tests = false", "allow-weak-for-tests = true"),
            ("\"./rig-command.sh\"", "\"/bin/true\""),
            ("account = \"cardgate\"", "account = \"root\""),
            ("audit-group = \"cardgate-audit\"", "audit-group = \"\""),
        ]
        for (old, new) in replacements {
            guard text.contains(old) else { throw BuiltTools.ToolError(description: "config/cardgate.toml no longer contains \(old)") }
            text = text.replacingOccurrences(of: old, with: new)
        }
        configFile = t + "/cardgate.toml"
        try text.write(toFile: configFile, atomically: true, encoding: .utf8)
    }

    /// The registry database `cardgate init` creates.
    var registryPath: String { folder.appendingPathComponent("data/registry.sqlite").path }

    // MARK: - Running cardgate

    /// The environment of every child: this process's, without any CARDGATE_ variable (the configuration decides).
    static var environment: [String: String] {
        ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CARDGATE_") }
    }

    /// Runs `cardgate` with `--config` after the subcommand words and `input` on standard input; returns the exit
    /// status and the output (stdout + stderr). Every output is checked for the PINs typed so far.
    @discardableResult
    func cardgate(_ words: [String], _ arguments: [String] = [], input: String = "",
                  sourceLocation: SourceLocation = #_sourceLocation) throws -> Run {
        let run = try Self.execute(try BuiltTools.cardgate(), words + ["--config", configFile] + arguments, input: input, in: folder)
        expectNoPIN(run.output, sourceLocation: sourceLocation)
        return run
    }

    /// Runs `cardgate` as another user (`setpriv --reuid --regid --clear-groups`), naming the administration socket
    /// with `--socket` (that user can read nothing else of the installation).
    @discardableResult
    func cardgate(uid: UInt32, gid: UInt32, _ words: [String], _ arguments: [String] = [], input: String = "",
                  sourceLocation: SourceLocation = #_sourceLocation) throws -> Run {
        let run = try Self.execute("/usr/bin/setpriv", ["--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", try BuiltTools.cardgate()]
                                   + words + ["--socket", adminSocket] + arguments, input: input, in: folder)
        expectNoPIN(run.output, sourceLocation: sourceLocation)
        return run
    }

    /// Runs `cardgate` on a pseudo-terminal (through util-linux `script`), typing `lines` one by one with pauses, as
    /// a person would at the prompts.
    func cardgateOnTerminal(_ words: [String], _ arguments: [String] = [], lines: [String],
                            sourceLocation: SourceLocation = #_sourceLocation) throws -> Run {
        let quoted = ([try BuiltTools.cardgate()] + words + ["--config", configFile] + arguments)
            .map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let typing = lines.map { "sleep 0.8; printf '%s\\n' '\($0)'" }.joined(separator: "; ") + "; sleep 1"
        let unset = ProcessInfo.processInfo.environment.keys.filter { $0.hasPrefix("CARDGATE_") }.map { "unset \($0); " }.joined()
        let run = try BuiltTools.run("/bin/sh", ["-c", "\(unset)(\(typing)) | /usr/bin/script -qec \"\(quoted)\" /dev/null"])
        // The terminal echoes nothing but the prompts: a typed PIN must not be in the transcript either.
        expectNoPIN(run.output, sourceLocation: sourceLocation)
        return run
    }

    /// Runs a program to completion with `input` on standard input (from a file, so that a program that exits
    /// without reading it cannot break a pipe).
    static func execute(_ path: String, _ arguments: [String], input: String, in folder: URL) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = environment
        let inputFile = folder.appendingPathComponent("stdin-\(UUID().uuidString.prefix(8))")
        // It holds PINs: readable by this user only (a child under another uid reads the descriptor it inherits).
        guard FileManager.default.createFile(atPath: inputFile.path, contents: Data(input.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw BuiltTools.ToolError(description: "cannot write \(inputFile.path)")
        }
        defer { try? FileManager.default.removeItem(at: inputFile) }
        let stdin = try FileHandle(forReadingFrom: inputFile)
        defer { try? stdin.close() }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = stdin
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func expectNoPIN(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for pin in pins where text.contains(pin) {
            Issue.record("a PIN appeared in an output: \(text)", sourceLocation: sourceLocation)
        }
    }

    // MARK: - The daemon

    /// Starts `cardgate serve --config …` and waits until both sockets answer and the daemon sees the cards now in
    /// the admin station's readers.
    func startDaemon() throws {
        guard daemon == nil else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try BuiltTools.cardgate())
        process.arguments = ["serve", "--config", configFile]
        process.environment = Self.environment
        _ = FileManager.default.createFile(atPath: serveLog, contents: nil)
        let log = FileHandle(forWritingAtPath: serveLog)
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        daemon = process
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            // The API answers its status to a supervisor (root), and the administration socket answers a request
            // without a session with 401.
            if FileManager.default.fileExists(atPath: adminSocket),
               (try? Self.request(apiSocket, "GET", "/v1/status"))?.code == 200,
               (try? Self.request(adminSocket, "POST", "/v1/admin/session/show"))?.code == 401 {
                for slot in Slot.allCases { try waitForDaemon(slot, present: cards[slot] != nil) }
                return
            }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw BuiltTools.ToolError(description: "cardgate serve did not come up: \(daemonLog)")
    }

    /// Stops the daemon with SIGTERM; its exit status (nil when it was not running).
    @discardableResult
    func stopDaemon() -> Int32? {
        guard let daemon else { return nil }
        if daemon.isRunning { daemon.terminate() }
        daemon.waitUntilExit()
        self.daemon = nil
        return daemon.terminationStatus
    }

    /// Pulls every card this installation inserted and stops the daemon. Safe to call more than once.
    func shutDown() {
        for slot in Slot.allCases { try? remove(from: slot) }
        stopDaemon()
    }

    var daemonLog: String { (try? String(contentsOfFile: serveLog, encoding: .utf8)) ?? "" }

    /// One HTTP request with curl over a Unix socket, as this process's user or (with `uid`) as another: the HTTP
    /// status (0 without an answer), the body and curl's exit status (7: could not connect).
    static func request(_ socket: String, _ method: String, _ path: String, body: String? = nil,
                        uid: UInt32? = nil, gid: UInt32? = nil) throws -> (code: Int, body: String, exit: Int32) {
        var arguments = ["-sS", "--max-time", "10", "--unix-socket", socket, "-o", "-", "-w", "\n%{http_code}", "-X", method]
        if let body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
        arguments.append("http://cardgate" + path)
        let result: (status: Int32, output: String)
        if let uid {
            result = try BuiltTools.run("/usr/bin/setpriv", ["--reuid=\(uid)", "--regid=\(gid ?? uid)", "--clear-groups", "/usr/bin/curl"] + arguments)
        } else {
            result = try BuiltTools.run("/usr/bin/curl", arguments)
        }
        var lines = result.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let code = Int(lines.popLast()?.trimmingCharacters(in: .whitespaces) ?? "") ?? 0
        return (code, lines.joined(separator: "\n"), result.status)
    }

    /// What the daemon reports for `slot`'s reader in `GET /v1/status` ("empty", "card-present", …).
    func daemonState(_ slot: Slot) -> String? {
        guard let answer = try? Self.request(apiSocket, "GET", "/v1/status"), answer.code == 200,
              let status = try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any],
              let readers = status["readers"] as? [[String: Any]] else { return nil }
        return readers.first { $0["name"] as? String == slot.reader }?["state"] as? String
    }

    /// Waits until the daemon reports `slot`'s reader with or without a card.
    func waitForDaemon(_ slot: Slot, present: Bool, timeout: Duration = .seconds(5)) throws {
        let wanted = present ? "card-present" : "empty"
        let deadline = ContinuousClock.now + timeout
        var last: String?
        while ContinuousClock.now < deadline {
            last = daemonState(slot)
            if last == wanted {
                // The admin station hears of the card right after the reader board is updated.
                Thread.sleep(forTimeInterval: 0.05)
                return
            }
            Thread.sleep(forTimeInterval: 0.03)
        }
        throw BuiltTools.ToolError(description: "the daemon did not report \(slot.reader) \(wanted) within \(timeout) (last: \(last ?? "nothing"))\n\(daemonLog)")
    }

    // MARK: - Cards

    /// A fresh card image; returns its path and GUID (hex).
    func makeCard(_ name: String) throws -> (path: String, guid: String) {
        let path = folder.appendingPathComponent("\(name).json").path
        let created = try BuiltTools.run(try BuiltTools.vcard(), ["create", "--out", path])
        try #require(created.status == 0, "vcard create failed: \(created.output)")
        return (path, try CardImage.load(path: path).identity.guid.hex)
    }

    /// Puts a card (or a clone of it: same CHUID and certificate, another key) into `slot`, once the reader is
    /// empty; returns once pcscd, and the daemon when it runs, see it.
    func insert(_ path: String, into slot: Slot, clone: Bool = false) throws {
        guard cards[slot] == nil else { throw BuiltTools.ToolError(description: "\(slot.reader) already holds a card of this test") }
        try Self.waitForCard(slot.reader, present: false)
        cards[slot] = try VCardProcess(card: path, port: slot.port, extra: clone ? ["--clone"] : [])
        try Self.waitForCard(slot.reader, present: true)
        if daemon != nil { try waitForDaemon(slot, present: true) }
    }

    /// Pulls the card out of `slot` (if this test put one there); returns once pcscd, and the daemon when it runs,
    /// see the reader empty.
    func remove(from slot: Slot) throws {
        guard let card = cards.removeValue(forKey: slot) else { return }
        card.terminate()
        try Self.waitForCard(slot.reader, present: false)
        if daemon != nil { try waitForDaemon(slot, present: false) }
    }

    /// Inserts a card into `slot`, runs `body`, then pulls it.
    func withCard<T>(_ path: String, in slot: Slot = .subject, clone: Bool = false, _ body: () throws -> T) throws -> T {
        try insert(path, into: slot, clone: clone)
        defer { try? remove(from: slot) }
        return try body()
    }

    /// Waits until pcscd reports `reader` with or without a card.
    static func waitForCard(_ reader: String, present: Bool, timeout: Duration = .seconds(5)) throws {
        let context = try PCSCContext()
        defer { context.release() }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if (try? context.readerStatuses())?.first(where: { $0.name == reader })?.cardPresent == present { return }
            Thread.sleep(forTimeInterval: 0.03)
        }
        throw BuiltTools.ToolError(description: "reader \(reader) did not report card present=\(present) within \(timeout)")
    }

    // MARK: - Set-up steps

    /// `cardgate init` with `card` in the admin reader (inserted here, and left there): `id` becomes the first PIN
    /// administrator, with `roles` besides.
    func initialise(_ card: String, id: String = "pa-001", name: String = "山田花子", roles: [String] = [], pin: String) throws {
        pins.insert(pin)
        if cards[.admin] == nil { try insert(card, into: .admin) }
        let done = try cardgate(["init"], ["--reader", Slot.admin.reader, "--operator-id", id, "--name", name, "--pin-stdin"]
                                + roles.flatMap { ["--role", $0] }, input: pin + "\n")
        try #require(done.status == 0, "cardgate init: \(done.output)")
    }

    /// `cardgate admin login` with the card now in the admin reader.
    func login(pin: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        pins.insert(pin)
        let done = try cardgate(["admin", "login"], ["--pin-stdin"], input: pin + "\n", sourceLocation: sourceLocation)
        try #require(done.status == 0, "cardgate admin login: \(done.output)", sourceLocation: sourceLocation)
    }

    /// Issues the card `path` (put into the subject reader for this) to `holder` with `initialPIN`, and lets the holder
    /// replace it with `pin` there, as they must with `cardgate pin change` before the card is usable.
    func issue(_ path: String, to holder: String, initialPIN: String, pin: String) throws {
        pins.formUnion([initialPIN, pin])
        try withCard(path, in: .subject) {
            let issued = try cardgate(["card", "issue"], ["--operator", holder, "--pin-stdin"], input: initialPIN + "\n")
            try #require(issued.status == 0, "card issue: \(issued.output)")
            let changed = try cardgate(["pin", "change"], ["--pin-stdin"], input: "\(initialPIN)\n\(pin)\n")
            try #require(changed.status == 0, "pin change: \(changed.output)")
        }
    }

    /// Hands the admin station to another person: pulls the card in the admin reader (the session ends), inserts
    /// `card` and logs in with `pin`.
    func switchAdministrator(to card: String, pin: String) throws {
        try remove(from: .admin)
        try insert(card, into: .admin)
        try login(pin: pin)
    }

    // MARK: - The history

    /// The history as `cardgate history query --format json` prints it, one dictionary per event.
    func historyEvents() throws -> [[String: Any]] {
        let result = try cardgate(["history", "query"], ["--format", "json"])
        try #require(result.status == 0, "history query failed: \(result.output)")
        return try result.output.split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    /// Waits until the history holds an event that `matches` (the daemon records some events a moment after the fact,
    /// e.g. the end of a session when the card is pulled).
    @discardableResult
    func waitForEvent(timeout: Duration = .seconds(5), _ what: String, _ matches: ([String: Any]) -> Bool) throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        var events: [[String: Any]] = []
        while ContinuousClock.now < deadline {
            events = try historyEvents()
            if let found = events.last(where: matches) { return found }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw BuiltTools.ToolError(description: "no \(what) in the history: \(events.map { "\($0["kind"] ?? "") \($0["actor"] ?? "-") \($0["details"] ?? "")" })")
    }

    /// The last sequence number of the history, as `cardgate history status` prints it.
    func lastSequence() throws -> Int {
        let status = try cardgate(["history", "status"])
        try #require(status.status == 0, "history status: \(status.output)")
        let line = try #require(status.output.split(separator: "\n").first { $0.hasPrefix("last sequence ") }, "\(status.output)")
        return try #require(Int(line.dropFirst("last sequence ".count)), "\(status.output)")
    }

    deinit {
        shutDown()
    }
}

/// One history event's detail as text (`reason`, `record`, `retriesLeft`, …).
func eventDetail(_ event: [String: Any], _ key: String) -> String? {
    (event["details"] as? [String: Any])?[key].map { "\($0)" }
}

/// Whether `events` holds one of `kind` by `actor` with `result` (and `card`), that `extra` accepts.
func hasEvent(_ events: [[String: Any]], _ kind: String, actor: String?, result: String = "success", card: String? = nil,
              where extra: ([String: Any]) -> Bool = { _ in true }) -> Bool {
    events.contains { e in
        e["kind"] as? String == kind && e["actor"] as? String == actor && e["result"] as? String == result
            && (card == nil || e["card"] as? String == card) && extra(e)
    }
}

/// Expects a refused command: a non-zero exit status and one of `needles` in its output.
func expectRefused(_ run: AdminInstallation.Run, _ needles: String..., sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(run.status != 0, "expected a refusal containing \(needles): \(run.output)", sourceLocation: sourceLocation)
    #expect(needles.contains { run.output.contains($0) }, "expected one of \(needles) in: \(run.output)", sourceLocation: sourceLocation)
}

/// Expects a command that succeeded.
func expectDone(_ run: AdminInstallation.Run, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(run.status == 0, "\(run.output)", sourceLocation: sourceLocation)
}

/// The JSON a successful `--json` command printed.
func adminJSON(_ run: AdminInstallation.Run, sourceLocation: SourceLocation = #_sourceLocation) throws -> Any {
    try #require(run.status == 0, "\(run.output)", sourceLocation: sourceLocation)
    return try JSONSerialization.jsonObject(with: Data(run.output.utf8))
}
