import Credentials
import Foundation
import GatewayAPI
import GRDB
import History
import Registry
import SmartCard
import Testing
import VirtualCard
import Vocabulary

/// One installation of `cardgate serve` in a temporary folder, for the end-to-end gateway tests: its own
/// configuration, secrets, registry and history, the real daemon process and its API socket.
///
/// Readers used (and only these): T01 (vpcd 35965), T02 (35967), Room1 In (35969), Room1 Out (35971), Rogue (35979).
final class GatewayRig {
    static let t01 = "CardGate T01 00 00", t01Port = 35965
    static let t02 = "CardGate T02 00 00", t02Port = 35967
    static let roomIn = "CardGate Room1 In 00 00", roomInPort = 35969
    static let roomOut = "CardGate Room1 Out 00 00", roomOutPort = 35971
    static let rogue = "CardGate Rogue 00 00", roguePort = 35979
    static let pin = "582046"
    /// The PIN the PIN administrator sets at issue, which the holder must replace before the card is usable.
    static let initialPIN = "740391"
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    struct Options {
        var idleSeconds = 600
        var maximumSessionSeconds = 28800
        var cardAndPINRooms: [String] = []
        var antiPassbackRooms: [String] = []
        /// The registry's own card + PIN flag of room R1 (`cardgate room add --requires-pin`).
        var roomRequiresPINInRegistry = false
        var doorPINTimeoutSeconds = 30
        /// Readers to approve in the ledger (T02 is left out to test a configured reader missing from the ledger).
        var ledgerReaders = [GatewayRig.t01, GatewayRig.roomIn, GatewayRig.roomOut]
        /// Terminals to approve in the ledger.
        var ledgerTerminals = ["T01", "T02"]
        /// Who may use each terminal and the door through the API (`clients`); default this process (root in CI).
        var t01Clients = ["uid:\(getuid())"]
        var t02Clients = ["uid:\(getuid())"]
        var doorClients = ["uid:\(getuid())"]
        /// Who may supervise (`api.supervisors`).
        var supervisors = ["uid:\(getuid())"]
        /// The API socket's group (`api.group`), e.g. "gid:3000" so that test clients under other uids may connect.
        var apiGroup: String?
        /// The administration socket's group (`admin.group`; "" for the service's own).
        var adminGroup = ""
        /// Extra lines for the `[api]` table (limits).
        var apiExtra = ""
        /// The lock, unlock, door and alarm commands (argument lists as TOML); default the rig's actuator log.
        var lockCommand: String?
        var unlockCommand: String?
        var alarmCommand: String?
        /// Extra lines for the `[commands]` table.
        var commandsExtra = ""
        /// The pcscd watchdog's time-out.
        var watchdogMilliseconds = 3000
        /// Room R1's two-person rule and occupancy limit in the registry.
        var roomTwoPerson = false
        var roomOccupancyLimit: Int?
        /// Extra lines for the `[policy]` table.
        var policyExtra = ""
        /// The fire panel's clients (`api.fire-panels`).
        var firePanels: [String] = []
        /// Extra environment for the daemon (for example libfaketime's).
        var daemonEnvironment: [String: String] = [:]
        /// A folder for the history database (its -wal and -shm files, and the registry beside it) instead of the
        /// rig's folder, for example a small file system of its own that can be filled.
        var historyFolder: String?
    }

    let options: Options
    /// Environment for the next ``start()`` on top of the options' (for example a fake clock).
    var environment: [String: String] = [:]
    /// A program the daemon is started through (for example `/usr/bin/faketime -f @…`), empty for none.
    var launcher: [String] = []

    let folder: String
    let configPath: String
    let socket: String
    let actuatorLog: String
    let databasePath: String
    /// The history's witness file (`[history] witness-file`), one line per checkpoint.
    var witnessPath: String { folder + "/witness/history.witness" }
    let registry: Registry
    let adminSocket: String
    var daemon: Process?
    let daemonLog: String

    init(_ options: Options = Options()) throws {
        self.options = options
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("gw-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder + "/secrets", withIntermediateDirectories: true)
        // The history's witness, as `cardgate init` makes it: a folder of its own (on another disk in production).
        try FileManager.default.createDirectory(atPath: folder + "/witness", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        configPath = folder + "/cardgate.toml"
        socket = folder + "/api.sock"
        adminSocket = folder + "/admin.sock"
        actuatorLog = folder + "/actuator.log"
        databasePath = (options.historyFolder ?? folder) + "/cardgate.sqlite"
        daemonLog = folder + "/serve.log"
        let rigCommand = Self.repository.appendingPathComponent("config/rig-command.sh").path
        let rooms = { (list: [String]) in "[" + list.map { "\"\($0)\"" }.joined(separator: ", ") + "]" }
        let list = rooms
        let lock = options.lockCommand ?? "[\"\(rigCommand)\", \"lock\", \"{terminal}\"]"
        let unlock = options.unlockCommand ?? "[\"\(rigCommand)\", \"unlock\", \"{terminal}\", \"{operator}\"]"
        let alarm = options.alarmCommand ?? "[\"\(rigCommand)\", \"alarm\", \"{place}\", \"{reason}\"]"
        let text = """
            time-zone = "Asia/Tokyo"
            [paths]
            database = "\(databasePath)"
            archive-dir = "\(folder)/archive"
            [secrets]
            pepper = "\(folder)/secrets/pepper"
            history-signing-key = "\(folder)/secrets/history-signing.key"
            [api]
            socket = "\(socket)"
            mode = "0660"
            \(options.apiGroup.map { "group = \"\($0)\"" } ?? "")
            supervisors = \(list(options.supervisors))
            fire-panels = \(list(options.firePanels))
            \(options.apiExtra)
            [admin]
            socket = "\(adminSocket)"
            group = "\(options.adminGroup)"
            mode = "0660"
            [[readers]]
            name = "CardGate Admin 00 00"
            role = "admin"
            [[readers]]
            name = "CardGate Admin 00 01"
            role = "admin-subject"
            [[readers]]
            name = "\(Self.t01)"
            role = "terminal"
            terminal = "T01"
            clients = \(list(options.t01Clients))
            [[readers]]
            name = "\(Self.t02)"
            role = "terminal"
            terminal = "T02"
            clients = \(list(options.t02Clients))
            [[readers]]
            name = "\(Self.roomIn)"
            role = "door"
            door = "D1"
            room = "R1"
            direction = "in"
            clients = \(list(options.doorClients))
            [[readers]]
            name = "\(Self.roomOut)"
            role = "door"
            door = "D1"
            room = "R1"
            direction = "out"
            clients = \(list(options.doorClients))
            [policy]
            idle-timeout-seconds = \(options.idleSeconds)
            maximum-session-seconds = \(options.maximumSessionSeconds)
            pin-lockout-attempts = 5
            door-open-seconds = 5
            door-pin-timeout-seconds = \(options.doorPINTimeoutSeconds)
            card-and-pin-rooms = \(rooms(options.cardAndPINRooms))
            anti-passback-rooms = \(rooms(options.antiPassbackRooms))
            \(options.policyExtra)
            [commands]
            lock = \(lock)
            unlock = \(unlock)
            door-open = ["\(rigCommand)", "door-open", "{door}", "{direction}", "{seconds}"]
            alarm = \(alarm)
            \(options.commandsExtra)
            [program-identity]
            check = "warn"
            [history]
            witness-file = "\(folder)/witness/history.witness"
            checkpoint-every-events = 1000
            checkpoint-every-seconds = 300
            checkpoint-spacing-seconds = 1
            [scrypt]
            log2-n = 10
            r = 8
            p = 1
            allow-weak-for-tests = true
            [pcscd]
            watchdog-ms = \(options.watchdogMilliseconds)
            [service]
            audit-group = ""

            """
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
        let pepper = try Pepper.create(at: folder + "/secrets/pepper")
        _ = try CheckpointSigningKey.create(folder + "/secrets/history-signing.key")
        let hasher = PINHasher(pepper: pepper, parameters: try ScryptParameters(logN: 10, r: 8, p: 1, allowBelowMinimum: true))
        // The daemon opens the registry beside the history database.
        registry = try Registry(path: (options.historyFolder ?? folder) + "/" + Registry.defaultFileName, hasher: hasher, create: true)
        try registry.initialEnrolment.enrol(
            NewOperator(id: "pinadmin", name: "暗証 管理子", roles: [.pinAdmin, .administrator]), card: Self.randomBinding(), pin: PIN("739104"))
        try registry.operators.add(NewOperator(id: "netadmin", name: "網 管理者", roles: [.administrator]), by: "pinadmin")
        try registry.operators.add(NewOperator(id: "opsmgr", name: "運用 責任者", roles: [.operationsManager]), by: "pinadmin")
        for reader in options.ledgerReaders {
            try registry.ledger.add(Equipment(id: reader, kind: .reader, name: "virtual reader", location: "rig"), by: "netadmin")
        }
        for terminal in options.ledgerTerminals {
            try registry.ledger.add(Equipment(id: terminal, kind: .terminal, name: "terminal", location: "rig"), by: "netadmin")
        }
        try registry.rooms.add(Room(id: "R1", name: "電算室", requiresPIN: options.roomRequiresPINInRegistry, antiPassback: false,
                                    twoPerson: options.roomTwoPerson, occupancyLimit: options.roomOccupancyLimit), by: "netadmin")
    }

    static func randomBinding() -> CardBinding {
        let image = try! CardImage.create()
        return binding(image)
    }

    static func binding(_ image: CardImage) -> CardBinding {
        CardBinding(guid: image.identity.guid, fascn: image.identity.fascn,
                    publicKeyDER: Array(image.publicKey.derRepresentation))
    }

    /// Adds operator `id` with a new virtual card; with `activate` the holder has already replaced the initial PIN.
    func enrol(_ id: String, terminals: Set<String> = ["T01"], activate: Bool = true) throws -> String {
        try registry.operators.add(NewOperator(id: id, name: "操作 \(id)", roles: [.operator]), by: "pinadmin")
        if !terminals.isEmpty { try registry.operators.update(id, OperatorUpdate(terminals: terminals), by: "opsmgr") }
        let image = try CardImage.create()
        let path = folder + "/\(id).card.json"
        try image.save(path: path)
        try registry.cards.issue(Self.binding(image), to: id, initialPIN: PIN(Self.initialPIN), by: "pinadmin")
        if activate {
            // The holder replaces the initial PIN at first use, as `cardgate pin change` does.
            try registry.pins.change(card: Self.binding(image).guid, current: PIN(Self.initialPIN), new: PIN(Self.pin))
        }
        return path
    }

    /// Grants `id` room R1 on `weekdays` (default every day, all day), card only unless `withPIN`.
    func grant(
        _ id: String, weekdays: Set<Weekday> = Set(Weekday.allCases), withPIN: Bool = false, from: Int = 0, to: Int = 1440,
        escort: Bool = false, excludeHolidays: Bool = false
    ) throws {
        try registry.rooms.grant(NewRoomGrant(roomId: "R1", grantee: .operator(id), weekdays: weekdays, fromMinute: from, toMinute: to,
                                              mode: withPIN ? .cardAndPIN : .card, escort: escort, excludeHolidays: excludeHolidays),
                                 by: "netadmin")
    }

    /// The reader of a vpcd port.
    static func reader(port: Int) -> String {
        [t01Port: t01, t02Port: t02, roomInPort: roomIn, roomOutPort: roomOut, roguePort: rogue][port] ?? ""
    }

    /// Waits until pcscd reports `reader` with or without a card.
    static func waitForCard(_ reader: String, present: Bool, timeout: Duration = .seconds(5)) throws {
        let context = try PCSCContext()
        defer { context.release() }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if (try? context.readerStatuses())?.first(where: { $0.name == reader })?.cardPresent == present { return }
            Thread.sleep(forTimeInterval: 0.02)
        }
        throw BuiltTools.ToolError(description: "reader \(reader) did not report card present=\(present) within \(timeout)")
    }

    /// Inserts a virtual card once the reader is empty, and returns once pcscd sees it.
    static func insert(_ card: String, port: Int) throws -> VCardProcess {
        try waitForCard(reader(port: port), present: false)
        let inserted = try VCardProcess(card: card, port: port)
        try waitForCard(reader(port: port), present: true)
        return inserted
    }

    // MARK: - The daemon

    /// Starts `cardgate serve` and waits until its API answers.
    func start() async throws -> GatewayClient {
        let process = Process()
        let command = [try BuiltTools.cardgate(), "serve", "--config", configPath]
        if !launcher.isEmpty { Self.removeStaleFakeTimeFiles() }
        let argv = launcher + command
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        var environment = ProcessInfo.processInfo.environment
        environment["CARDGATE_ACTUATOR_LOG"] = actuatorLog
        environment.merge(options.daemonEnvironment) { _, new in new }
        environment.merge(self.environment) { _, new in new }
        process.environment = environment
        _ = FileManager.default.createFile(atPath: daemonLog, contents: nil)
        let log = FileHandle(forWritingAtPath: daemonLog)
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        daemon = process
        let client = GatewayClient(socketPath: socket, timeout: .seconds(15))
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if FileManager.default.fileExists(atPath: socket), (try? await client.status()) != nil { return client }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BuiltTools.ToolError(description: "cardgate serve did not come up: \(serveLog)")
    }

    /// SIGTERM, and the exit status.
    @discardableResult
    func stop() -> Int32 {
        guard let daemon else { return -1 }
        if daemon.isRunning {
            // A launcher (faketime) starts the daemon as its child with SIGTERM blocked and does not pass the signal
            // on: the daemon itself gets it too, or this would wait for ever.
            if !launcher.isEmpty {
                for child in Self.children(of: daemon.processIdentifier) { kill(child, SIGTERM) }
            }
            daemon.terminate()
        }
        // A daemon that does not stop within 20 s is a failure of its own; the rig still must not hang on it. Under
        // libfaketime (a launcher) the daemon's shutdown can stall in its timers, whose clock libfaketime shifts: that
        // is noted and the daemon killed, without failing the test that only needed the faked date.
        let deadline = Date().addingTimeInterval(launcher.isEmpty ? 20 : 5)
        while daemon.isRunning, Date() < deadline { usleep(50_000) }
        if daemon.isRunning {
            if launcher.isEmpty {
                Issue.record("the daemon did not stop within 20 s of SIGTERM; killed")
            } else {
                print("GatewayRig: the daemon under \(launcher.first ?? "a launcher") did not stop within 5 s of SIGTERM; killed")
            }
            // The daemon first, so that a launcher sees its child end and removes its shared files; the launcher
            // itself only if it does not follow within 2 s.
            for child in Self.children(of: daemon.processIdentifier) { kill(child, SIGKILL) }
            let launcherDeadline = Date().addingTimeInterval(2)
            while daemon.isRunning, Date() < launcherDeadline { usleep(20_000) }
            if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) }
        }
        daemon.waitUntilExit()
        self.daemon = nil
        return daemon.terminationStatus
    }

    /// The processes `pid` started (Linux: /proc/PID/task/PID/children).
    static func children(of pid: Int32) -> [Int32] {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        return text.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Removes libfaketime's per-launcher semaphore and shared memory (`/dev/shm/sem.faketime_sem_PID`,
    /// `/dev/shm/faketime_shm_PID`) left behind by launchers that were killed: a later launcher that draws the same
    /// PID refuses to start ("sem_open: File exists"). Only files of processes that no longer exist are removed.
    static func removeStaleFakeTimeFiles() {
        let shm = "/dev/shm"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: shm)) ?? [] {
            var digits = Substring(name)
            if name.hasPrefix("sem.faketime_sem_") {
                digits = digits.dropFirst("sem.faketime_sem_".count)
            } else if name.hasPrefix("faketime_shm_") {
                digits = digits.dropFirst("faketime_shm_".count)
            } else {
                continue
            }
            guard let pid = Int32(digits), pid > 0, kill(pid, 0) != 0, errno == ESRCH else { continue }
            unlink(shm + "/" + name)
        }
    }

    var serveLog: String { (try? String(contentsOfFile: daemonLog, encoding: .utf8)) ?? "" }

    /// The actuator log's lines (`<time> <command…>`).
    var actuatorLines: [String] {
        ((try? String(contentsOfFile: actuatorLog, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// Waits until the actuator log has a line ending with `command` after the first `after` lines; returns its time.
    @discardableResult
    func waitForCommand(_ command: String, after: Int = 0, timeout: Duration = .seconds(5)) async throws -> Date {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let lines = actuatorLines
            if lines.count > after, let line = lines[after...].first(where: { $0.hasSuffix(" " + command) }) {
                return Self.time(of: line) ?? Date()
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw BuiltTools.ToolError(description: "no \"\(command)\" in the actuator log: \(actuatorLines)")
    }

    static func time(of line: String) -> Date? {
        let stamp = String(line.prefix { $0 != " " })  // 2026-11-26T17:04:14.123456789Z
        guard let dot = stamp.firstIndex(of: "."), let whole = ISO8601DateFormatter().date(from: String(stamp[..<dot]) + "Z") else { return nil }
        let fraction = Double("0" + stamp[dot...].dropLast()) ?? 0
        return whole.addingTimeInterval(fraction)
    }

    /// Waits until the daemon has looked at every reader in `names` (its state is known: not absent from the status
    /// and not `unavailable`); the status answers as soon as the socket is up, before the reader monitor's first report.
    func waitForReaders(_ client: GatewayClient, _ names: [String], timeout: Duration = .seconds(8)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let readers = try await client.status().readers
            let known = names.allSatisfy { name in readers.contains { $0.name == name && $0.state != .unavailable } }
            if known { return }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Waits until terminal `id` is in `state`.
    @discardableResult
    func waitForTerminal(_ client: GatewayClient, _ id: String, _ state: TerminalState, timeout: Duration = .seconds(8)) async throws -> TerminalView {
        let deadline = ContinuousClock.now + timeout
        var last: TerminalView?
        while ContinuousClock.now < deadline {
            last = try await client.terminal(id)
            if last?.state == state { return last! }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BuiltTools.ToolError(description: "terminal \(id) did not become \(state.rawValue): \(String(describing: last))\n\(serveLog)")
    }

    /// Records `count` operations at T01 (targets `prefix:0`, `prefix:1`, …); their history sequence numbers and targets.
    func recordOperations(_ client: GatewayClient, prefix: String, count: Int) async throws -> [(sequence: Int64, target: String)] {
        var acknowledged: [(sequence: Int64, target: String)] = []
        for i in 0..<count {
            let receipt = try await client.recordOperation(terminal: "T01", action: "resident.view", target: "\(prefix):\(i)")
            acknowledged.append((try #require(receipt.historySequence), "\(prefix):\(i)"))
        }
        return acknowledged
    }

    /// The history's events by sequence number (read with the daemon stopped or beside it).
    func historyBySequence() throws -> [Int64: HistoryEvent] {
        Dictionary(uniqueKeysWithValues: try history().map { ($0.sequence, $0) })
    }

    /// Starts the daemon with `op1`'s card enrolled and inserted at T01 and its PIN entered: the terminal unlocked.
    /// The caller terminates the returned card process (the card pulled).
    func startWithT01Unlocked() async throws -> (client: GatewayClient, card: String, inserted: VCardProcess) {
        let card = try enrol("op1")
        let client = try await start()
        let inserted = try GatewayRig.insert(card, port: GatewayRig.t01Port)
        try await waitForTerminal(client, "T01", .awaitingPIN)
        _ = try await client.submitTerminalPIN("T01", pin: PIN(GatewayRig.pin))
        return (client, card, inserted)
    }

    /// The history as recorded so far (read-only).
    func history() throws -> [HistoryEvent] {
        let store = try HistoryStore(
            configuration: HistoryConfiguration(databasePath: databasePath, archiveDirectory: folder + "/archive",
                                                signingKeyPath: folder + "/secrets/history-signing.key",
                                                witness: WitnessConfiguration(files: [witnessPath])),
            signingKey: nil, mustExist: true)
        return try store.events()
    }

    /// `cardgate history verify` on the rig's history, repeated while it answers 2 (a tail after the last witnessed
    /// checkpoint: the daemon signs the next one about a second after its last event) until `timeout`.
    func verifyHistory(within timeout: Duration = .seconds(5)) throws -> (status: Int32, output: String) {
        let deadline = ContinuousClock.now + timeout
        while true {
            let result = try BuiltTools.run(try BuiltTools.cardgate(), ["history", "verify", "--config", configPath])
            guard result.status == 2, ContinuousClock.now < deadline else { return result }
            Thread.sleep(forTimeInterval: 0.25)
        }
    }

    /// The witness file's lines (base64 of one checkpoint note each).
    var witnessLines: [String] {
        ((try? String(contentsOfFile: witnessPath, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// Waits until the history holds an event of `kind` (and `reason`, if given).
    @discardableResult
    func waitForEvent(_ kind: EventKind, reason: String? = nil, timeout: Duration = .seconds(8)) async throws -> HistoryEvent {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let event = try history().last(where: { $0.kind == kind && (reason == nil || $0.details.reason == reason) }) { return event }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BuiltTools.ToolError(description: "no \(kind.rawValue) \(reason ?? "") in the history: \(try history().map { "\($0.kind.rawValue) \($0.details.reason ?? "")" })")
    }

    deinit {
        stop()
    }
}

/// The error a call threw, as a `GatewayError`.
func gatewayError(_ body: () async throws -> Void) async -> GatewayError? {
    do {
        try await body()
        return nil
    } catch let error as GatewayError {
        return error
    } catch {
        return GatewayError(.internal, "unexpected \(error)")
    }
}
