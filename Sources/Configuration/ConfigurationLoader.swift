import AccessPolicy
import Foundation
import Vocabulary

extension CardGateConfiguration {
    /// Loads and validates the configuration file at `file`.
    ///
    /// Relative paths in the file are taken relative to the file's directory; the environment variables of
    /// ``ConfigurationEnvironment`` override the paths (relative values are taken from `workingDirectory`).
    /// Unknown keys, missing required keys and bad values are errors that name the file and the key.
    public static func load(
        file: String, environment: [String: String] = ProcessInfo.processInfo.environment,
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) throws(ConfigurationError) -> CardGateConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ConfigurationError(code: .unreadable, file: file, key: nil, message: "cannot be read as UTF-8 text (\(error.localizedDescription))")
        }
        return try parse(text, file: file, environment: environment, workingDirectory: workingDirectory)
    }

    /// Validates configuration text as if it had been read from `file`.
    public static func parse(
        _ text: String, file: String, environment: [String: String] = [:],
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) throws(ConfigurationError) -> CardGateConfiguration {
        let root: [String: TOMLNode]
        do {
            root = try TOMLNode.parse(text)
        } catch {
            throw ConfigurationError(code: .syntax, file: "\(file):\(error.line):\(error.column)", key: nil, message: error.message)
        }
        var loader = Loader(
            file: file, environment: environment, workingDirectory: workingDirectory,
            fileDirectory: absolute((file as NSString).deletingLastPathComponent, from: workingDirectory))
        return try loader.load(TableReader(file: file, path: "", entries: root))
    }

    /// `path` made absolute against `base` and normalised lexically (`.` and `..` removed). Symbolic links are not
    /// resolved: a secret file that is a link must reach `SecretFile`, which refuses it (`O_NOFOLLOW`), rather than be
    /// replaced here by its target.
    static func absolute(_ path: String, from base: String) -> String {
        let joined = path.hasPrefix("/") || base.isEmpty ? path : base + "/" + path
        var parts: [Substring] = []
        for part in joined.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return (joined.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
    }
}

/// One load: the file's context and the checks across sections.
private struct Loader {
    let file: String
    let environment: [String: String]
    let workingDirectory: String
    let fileDirectory: String

    mutating func load(_ rootReader: TableReader) throws(ConfigurationError) -> CardGateConfiguration {
        var root = rootReader
        let zoneName = try root.string("time-zone", required: false, what: "an IANA time zone such as Asia/Tokyo") ?? "Asia/Tokyo"
        guard let timeZone = TimeZone(identifier: zoneName) else {
            throw root.error(.invalidValue, "time-zone", "unknown time zone \"\(zoneName)\"; use an IANA name such as Asia/Tokyo")
        }

        var pathsTable = try root.table("paths", required: true, what: "database and archive paths")
        let storage = CardGateConfiguration.Storage(
            database: try path(&pathsTable, "database", .database, what: "the SQLite database file"),
            archiveDirectory: try path(&pathsTable, "archive-dir", .archiveDirectory, what: "the directory of yearly archives"))
        try pathsTable.finish()

        var secretsTable = try root.table("secrets", required: true, what: "secret files")
        let secrets = CardGateConfiguration.Secrets(
            pepper: try path(&secretsTable, "pepper", .pepper, what: "the PIN pepper file, mode 0600"),
            historySigningKey: try path(&secretsTable, "history-signing-key", .historySigningKey, what: "the history signing key file, mode 0600"))
        try secretsTable.finish()

        var apiTable = try root.table("api", required: true, what: "the local API socket")
        let api = CardGateConfiguration.API(
            socket: try path(&apiTable, "socket", .socket, what: "the API's Unix socket path"),
            mode: try socketMode(&apiTable),
            group: try apiTable.string("group", required: false, what: "the group that may use the API"),
            supervisors: try clientRules(&apiTable, "supervisors"),
            firePanels: try clientRules(&apiTable, "fire-panels"),
            limits: try socketLimits(&apiTable))
        try apiTable.finish()

        var adminTable = try root.table("admin", required: false, what: "the administration socket")
        let admin = CardGateConfiguration.Admin(
            socket: try path(&adminTable, "socket", .adminSocket, what: "the administration socket path", default: "/run/cardgate/admin.sock"),
            mode: try socketMode(&adminTable),
            group: adminTable.contains("group")
                ? try adminTable.string("group", required: false, allowEmpty: true, what: "the group whose members may administer; \"\" for the service's own group")
                    .flatMap { $0.isEmpty ? nil : $0 }
                : "cardgate-admin",
            sessionIdle: .seconds(try adminTable.integer("session-idle-seconds", in: 30...3600, default: 600, what: "seconds an administrative session may stay unused")),
            sessionMaximum: .seconds(try adminTable.integer("session-maximum-seconds", in: 60...28_800, default: 3600, what: "seconds an administrative session may last")),
            limits: try socketLimits(&adminTable))
        try adminTable.finish()

        let readers = try readersList(&root)

        var policyTable = try root.table("policy", required: false, what: "timeouts and PIN rules")
        let policy = try policySettings(&policyTable, readers: readers)
        try policyTable.finish()

        var commandsTable = try root.table("commands", required: true, what: "lock, unlock and door commands")
        let commands = CardGateConfiguration.Commands(
            lock: try command(&commandsTable, "lock", allowed: [.terminal, .reader]),
            unlock: try command(&commandsTable, "unlock", allowed: [.terminal, .reader, .operator]),
            doorOpen: try command(&commandsTable, "door-open", allowed: [.door, .room, .direction, .seconds]),
            doorHold: commandsTable.contains("door-hold") ? try command(&commandsTable, "door-hold", allowed: [.door, .room]) : nil,
            doorSecure: commandsTable.contains("door-secure") ? try command(&commandsTable, "door-secure", allowed: [.door, .room]) : nil,
            alarm: commandsTable.contains("alarm") ? try command(&commandsTable, "alarm", allowed: [.place, .reason]) : nil,
            timeout: .seconds(try commandsTable.integer("timeout-seconds", in: 1...120, default: 10, what: "seconds before a command is stopped")),
            lockRetries: try commandsTable.integer("lock-retries", in: 0...10, default: 2, what: "times a failed lock command is tried again"),
            lockRetryDelay: .milliseconds(try commandsTable.integer("lock-retry-delay-ms", in: 0...10_000, default: 1000, what: "milliseconds before a lock command is tried again")))
        try commandsTable.finish()

        var identityTable = try root.table("program-identity", required: false, what: "the program identity check")
        let identity: ProgramIdentityCheck = try identityTable.choice("check", default: .warn, what: "program identity check")
        try identityTable.finish()

        var historyTable = try root.table("history", required: false, what: "history checkpoints")
        var history = CardGateConfiguration.History(
            checkpointEveryEvents: try historyTable.integer("checkpoint-every-events", in: 1...1_000_000, default: 1000, what: "events between signed checkpoints"),
            checkpointEvery: .seconds(try historyTable.integer("checkpoint-every-seconds", in: 1...86_400, default: 300, what: "seconds between signed checkpoints")),
            checkpointSpacing: .seconds(try historyTable.integer("checkpoint-spacing-seconds", in: 1...3600, default: 60,
                                                                what: "seconds at least between two checkpoints after bursts of events")))
        try historyWitnessAndKeys(&historyTable, into: &history)
        try historyTable.finish()

        var scryptTable = try root.table("scrypt", required: false, what: "PIN hash cost")
        let scrypt = try scryptSettings(&scryptTable)
        try scryptTable.finish()

        var pcscdTable = try root.table("pcscd", required: false, what: "the pcscd watchdog")
        let pcscd = CardGateConfiguration.PCSCD(
            watchdog: .milliseconds(try pcscdTable.integer("watchdog-ms", in: 500...60_000, default: 3000, what: "milliseconds pcscd may stay silent before everything locks")))
        try pcscdTable.finish()

        var serviceTable = try root.table("service", required: false, what: "the service account")
        let account = try serviceTable.string("account", required: false, what: "the account cardgate serve runs as") ?? "cardgate"
        guard ClientRule(account).map({ if case .user = $0 { true } else { false } }) == true else {
            throw serviceTable.error(.invalidValue, "account", "expected a user name, got \"\(account)\"")
        }
        let service = CardGateConfiguration.Service(
            account: account,
            auditGroup: serviceTable.contains("audit-group")
                ? try serviceTable.string("audit-group", required: false, allowEmpty: true, what: "the group of the auditors; \"\" for none")
                    .flatMap { $0.isEmpty ? nil : $0 }
                : "cardgate-audit")
        try serviceTable.finish()

        try root.finish()
        return CardGateConfiguration(
            file: file, timeZone: timeZone, storage: storage, secrets: secrets, api: api, admin: admin, readers: readers, policy: policy,
            commands: commands, programIdentityCheck: identity, history: history, scrypt: scrypt, pcscd: pcscd, service: service)
    }

    // MARK: - Sections

    private func path(
        _ table: inout TableReader, _ key: String, _ variable: ConfigurationEnvironment, what: String, default fallback: String? = nil
    ) throws(ConfigurationError) -> String {
        if let value = environment[variable.rawValue] {
            guard !value.isEmpty, !value.contains("\0") else {
                throw ConfigurationError(code: .invalidEnvironment, file: file, key: variable.rawValue, message: "must be a non-empty path (overrides \(table.keyPath(key)))")
            }
            // The file's value is still read, so that its type is checked and it does not count as unknown.
            _ = try table.string(key, required: false, what: what)
            return CardGateConfiguration.absolute(value, from: workingDirectory)
        }
        guard let value = try table.string(key, required: fallback == nil, what: what + "; or set \(variable.rawValue)") else {
            return fallback ?? ""
        }
        return CardGateConfiguration.absolute(value, from: fileDirectory)
    }

    private func socketMode(_ table: inout TableReader) throws(ConfigurationError) -> Int {
        let key = "mode"
        guard table.contains(key) else {
            _ = try table.string(key, required: false, what: "")
            return 0o660
        }
        let mode: Int
        if let text = try? table.string(key, what: "octal permission bits such as \"0660\""),
            let value = Int(text.hasPrefix("0o") ? String(text.dropFirst(2)) : text, radix: 8)
        {
            mode = value
        } else if let value = try? table.integer(key, in: 0...0o7777, default: nil, what: "permission bits") {
            mode = value
        } else {
            throw table.error(.invalidValue, key, "expected octal permission bits such as \"0660\" or 0o660")
        }
        guard mode & 0o7007 == 0, mode & 0o600 == 0o600 else {
            throw table.error(
                .invalidValue, key,
                "mode \(String(mode, radix: 8)) must let the owner read and write and give others nothing (0600 or 0660)")
        }
        return mode
    }

    private static func isIdentifier(_ text: String) -> Bool {
        guard (1...32).contains(text.count), let first = text.unicodeScalars.first,
            CharacterSet.alphanumerics.contains(first), first.isASCII
        else { return false }
        return text.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_") }
    }

    private func identifier(_ table: inout TableReader, _ key: String, what: String) throws(ConfigurationError) -> String {
        let value = try table.string(key, what: what)!
        guard Self.isIdentifier(value) else {
            throw table.error(.invalidValue, key, "expected 1–32 letters, digits, '-' or '_' (\(what)), got \"\(value)\"")
        }
        return value
    }

    private func readersList(_ root: inout TableReader) throws(ConfigurationError) -> [CardGateConfiguration.Reader] {
        let tables = try root.tables("readers", what: "the approved readers, one [[readers]] table each")
        guard !tables.isEmpty else { throw root.error(.invalidValue, "readers", "at least one reader must be configured") }
        var readers: [CardGateConfiguration.Reader] = []
        var names: [String: String] = [:]
        var terminals: [String: String] = [:]
        var doorSides: [String: String] = [:]
        var doorRooms: [String: String] = [:]
        var adminReaders: [String: String] = [:]
        for var table in tables {
            let name = try table.string("name", what: "the reader's PC/SC name with its slot, e.g. \"CardGate T01 00 00\"")!
            if let earlier = names[name] { throw table.error(.invalidValue, "name", "reader \"\(name)\" is already configured in \(earlier)") }
            names[name] = table.path
            let role: ReaderRole
            let roleName = try table.string("role", what: "\"admin\", \"admin-subject\", \"terminal\" or \"door\"")!
            switch roleName {
            case "admin", "admin-subject":
                for key in ["terminal", "door", "room", "direction", "clients"] { try table.forbid(key, because: "for role \"\(roleName)\"") }
                role = roleName == "admin" ? .admin : .adminSubject
                if let earlier = adminReaders[roleName] {
                    throw table.error(.invalidValue, "role", "the admin station has one \"\(roleName)\" reader, already in \(earlier)")
                }
                adminReaders[roleName] = table.path
            case "terminal":
                for key in ["door", "room", "direction"] { try table.forbid(key, because: "for role \"terminal\"") }
                let id = try identifier(&table, "terminal", what: "the terminal id")
                if let earlier = terminals[id] { throw table.error(.invalidValue, "terminal", "terminal \"\(id)\" already has a reader in \(earlier)") }
                terminals[id] = table.path
                role = .terminal(id: id)
            case "door":
                try table.forbid("terminal", because: "for role \"door\"")
                let door = try identifier(&table, "door", what: "the door id")
                let room = try identifier(&table, "room", what: "the room id")
                let direction: DoorDirection = try table.choice("direction", default: nil, what: "the side of the door")
                if let earlier = doorSides["\(door) \(direction.rawValue)"] {
                    throw table.error(.invalidValue, "direction", "door \"\(door)\" already has an \"\(direction.rawValue)\" reader in \(earlier)")
                }
                doorSides["\(door) \(direction.rawValue)"] = table.path
                if let other = doorRooms[door], other != room {
                    throw table.error(.invalidValue, "room", "door \"\(door)\" opens room \"\(other)\" in another reader, not \"\(room)\"")
                }
                doorRooms[door] = room
                role = .door(id: door, room: room, direction: direction)
            case let other:
                throw table.error(.invalidValue, "role", "expected \"admin\", \"admin-subject\", \"terminal\" or \"door\", got \"\(other)\"")
            }
            let clients = role.isAdminStation ? [] : try clientRules(&table, "clients")
            try table.finish()
            readers.append(CardGateConfiguration.Reader(name: name, role: role, clients: clients))
        }
        return readers
    }

    private func policySettings(_ table: inout TableReader, readers: [CardGateConfiguration.Reader]) throws(ConfigurationError) -> CardGateConfiguration.Policy {
        let idle = try table.integer("idle-timeout-seconds", in: 1...86_400, default: 600, what: "seconds without activity before a terminal locks")
        let maximum = try table.integer("maximum-session-seconds", in: 1...86_400, default: 28_800, what: "seconds before any session locks")
        let lockout = try table.integer("pin-lockout-attempts", in: 3...10, default: 5, what: "consecutive wrong PINs that block a card")
        let minimum = try table.integer("pin-min-length", in: 6...12, default: 6, what: "shortest PIN")
        let maximumLength = try table.integer("pin-max-length", in: 6...16, default: 12, what: "longest PIN")
        guard maximumLength >= minimum else {
            throw table.error(.invalidValue, "pin-max-length", "must be at least pin-min-length (\(minimum)), got \(maximumLength)")
        }
        let doorOpen = try table.integer("door-open-seconds", in: 1...60, default: 5, what: "seconds a door stays open")
        let doorPIN = try table.integer("door-pin-timeout-seconds", in: 5...120, default: 30, what: "seconds to enter a PIN at a door")

        var entryRooms: Set<String> = []
        var exitRooms: Set<String> = []
        for reader in readers {
            if case .door(_, let room, let direction) = reader.role {
                if direction == .entry { entryRooms.insert(room) } else { exitRooms.insert(room) }
            }
        }
        let pinRooms = try table.stringArray("card-and-pin-rooms", required: false, what: "rooms that need card + PIN") ?? []
        for (index, room) in pinRooms.enumerated() where !entryRooms.contains(room) {
            throw ConfigurationError(
                code: .invalidValue, file: file, key: "\(table.keyPath("card-and-pin-rooms"))[\(index)]",
                message: "room \"\(room)\" has no entry door reader")
        }
        let passbackRooms = try table.stringArray("anti-passback-rooms", required: false, what: "rooms with anti-passback") ?? []
        for (index, room) in passbackRooms.enumerated() where !(entryRooms.contains(room) && exitRooms.contains(room)) {
            throw ConfigurationError(
                code: .invalidValue, file: file, key: "\(table.keyPath("anti-passback-rooms"))[\(index)]",
                message: "room \"\(room)\" needs both an \"in\" and an \"out\" door reader for anti-passback")
        }
        let heldOpen = try table.integer("door-held-open-seconds", in: 5...3600, default: 30, what: "seconds a door may stay open after a passage before the held-open alarm")
        let twoPerson = try table.integer("two-person-window-seconds", in: 5...300, default: 30, what: "seconds the second person of a two-person room may take")
        let visitor = try table.integer("visitor-window-seconds", in: 10...600, default: 60, what: "seconds an announced visitor waits for the escort's card")
        var closing = CardGateConfiguration.ClosingDay.yearEnd
        if let days = try table.stringArray("closing-days", required: false, what: "the city's closing days, \"MM-DD\"") {
            closing = []
            for (index, text) in days.enumerated() {
                guard let day = CardGateConfiguration.ClosingDay(text) else {
                    throw ConfigurationError(
                        code: .invalidValue, file: file, key: "\(table.keyPath("closing-days"))[\(index)]",
                        message: "expected a day of the year as \"MM-DD\" (for example \"12-29\"), got \"\(text.prefix(20))\"")
                }
                closing.insert(day)
            }
        }
        return CardGateConfiguration.Policy(
            idleTimeout: .seconds(idle), maximumSession: .seconds(maximum), pinLockoutAttempts: lockout,
            pinMinimumLength: minimum, pinMaximumLength: maximumLength, doorOpen: .seconds(doorOpen),
            doorPINTimeout: .seconds(doorPIN), cardAndPINRooms: Set(pinRooms), antiPassbackRooms: Set(passbackRooms),
            doorHeldOpen: .seconds(heldOpen), twoPersonWindow: .seconds(twoPerson), visitorWindow: .seconds(visitor),
            closingDays: closing)
    }

    private func command(_ table: inout TableReader, _ key: String, allowed: [CommandTemplate.Placeholder]) throws(ConfigurationError) -> CommandTemplate {
        let argv = try table.stringArray(key, required: true, what: "a program and its arguments, e.g. [\"/usr/bin/loginctl\", \"lock-session\"]")!
        guard let program = argv.first else { throw table.error(.invalidValue, key, "must name a program") }
        // No PATH search: an absolute path, or one relative to the configuration file's directory.
        let resolved: String
        if program.hasPrefix("/") {
            resolved = program
        } else if program.hasPrefix("./") || program.hasPrefix("../") {
            resolved = CardGateConfiguration.absolute(program, from: fileDirectory)
        } else {
            throw ConfigurationError(
                code: .invalidValue, file: file, key: "\(table.keyPath(key))[0]",
                message: "expected an absolute program path, or one starting with ./ or ../ (relative to the file); no PATH search; got \"\(program)\"")
        }
        let names = Set(allowed.map(\.rawValue))
        for (index, argument) in argv.enumerated() {
            for name in CommandTemplate.placeholders(in: argument) where !names.contains(name) {
                throw ConfigurationError(
                    code: .invalidValue, file: file, key: "\(table.keyPath(key))[\(index)]",
                    message: "unknown placeholder {\(name)}; allowed here: " + allowed.map { "{\($0.rawValue)}" }.joined(separator: ", "))
            }
        }
        return CommandTemplate(argv: [resolved] + argv.dropFirst())
    }

    /// `[history]` origin, witness-file, witness-command, witness = "none", and `[[history.keys]]`.
    private func historyWitnessAndKeys(_ table: inout TableReader, into history: inout CardGateConfiguration.History) throws(ConfigurationError) {
        history.origin = try table.string("origin", required: false, what: "the log's name in its checkpoints, e.g. cardgate.city.example/history")
        if let origin = history.origin, origin.contains(where: { $0 == "+" || $0.isWhitespace }) {
            throw table.error(.invalidValue, "origin", "must not contain spaces or +, got \"\(origin)\"")
        }
        if let value = environment[ConfigurationEnvironment.witnessFile.rawValue] {
            guard !value.isEmpty, !value.contains("\0") else {
                throw ConfigurationError(code: .invalidEnvironment, file: file, key: ConfigurationEnvironment.witnessFile.rawValue,
                                         message: "must be a non-empty path (overrides \(table.keyPath("witness-file")))")
            }
            _ = try table.string("witness-file", required: false, what: "a witness file on another disk or host")
            history.witnessFile = CardGateConfiguration.absolute(value, from: workingDirectory)
        } else if let file = try table.string("witness-file", required: false, what: "a witness file on another disk or host") {
            history.witnessFile = CardGateConfiguration.absolute(file, from: fileDirectory)
        }
        if table.contains("witness-command") {
            history.witnessCommand = try command(&table, "witness-command", allowed: []).argv
        }
        if let none = try table.string("witness", required: false, what: "only \"none\", to run without a witness") {
            guard none == "none" else { throw table.error(.invalidValue, "witness", "the only value is \"none\"; name a witness with witness-file or witness-command") }
            guard history.witnessFile == nil && history.witnessCommand == nil else {
                throw table.error(.invalidValue, "witness", "\"none\" cannot be combined with witness-file or witness-command")
            }
            history.witnessNone = true
        }
        guard table.contains("keys") else { return }
        var previous: Date?
        for (index, var keyTable) in try table.tables("keys", what: "the checkpoint keys, oldest first").enumerated() {
            let hex = try keyTable.string("public-key", what: "the key's public half, 64 hexadecimal digits")!
            guard hex.count == 64, hex.allSatisfy(\.isHexDigit) else { throw keyTable.error(.invalidValue, "public-key", "expected 64 hexadecimal digits") }
            var validFrom: Date?
            if let text = try keyTable.string("valid-from", required: index > 0, what: "from when the key signs, e.g. 2027-04-01T00:00:00Z") {
                guard let date = Self.parseDate(text) else { throw keyTable.error(.invalidValue, "valid-from", "expected a date (2027-04-01) or a UTC time (2027-04-01T00:00:00Z), got \"\(text)\"") }
                if let previous, date <= previous { throw keyTable.error(.invalidValue, "valid-from", "must be later than the key before") }
                validFrom = date
                previous = date
            }
            let file = try keyTable.string("file", required: false, what: "the key's private key file, mode 0600").map { CardGateConfiguration.absolute($0, from: fileDirectory) }
            try keyTable.finish()
            history.keys.append(CardGateConfiguration.HistoryKey(publicKey: hex.lowercased(), validFrom: validFrom, file: file))
        }
    }

    /// `YYYY-MM-DD` (midnight UTC) or an ISO 8601 time.
    private static func parseDate(_ text: String) -> Date? {
        if let d = try? Date.ISO8601FormatStyle().parse(text) { return d }
        guard text.count == 10 else { return nil }
        return try? Date.ISO8601FormatStyle().parse(text + "T00:00:00Z")
    }

    /// A `clients = [...]`-style list: `name`, `uid:N`, `group:name` or `gid:N`; missing means nobody.
    private func clientRules(_ table: inout TableReader, _ key: String) throws(ConfigurationError) -> [ClientRule] {
        let texts = try table.stringArray(key, required: false, what: "users and groups: \"name\", \"uid:1001\", \"group:kiosk\", \"gid:2001\"") ?? []
        var rules: [ClientRule] = []
        for (index, text) in texts.enumerated() {
            guard let rule = ClientRule(text) else {
                throw ConfigurationError(
                    code: .invalidValue, file: file, key: "\(table.keyPath(key))[\(index)]",
                    message: "expected a user name, \"uid:N\", \"group:name\" or \"gid:N\", got \"\(text)\"")
            }
            rules.append(rule)
        }
        return rules
    }

    /// The connection limits of a socket table, each with its safe default.
    private func socketLimits(_ table: inout TableReader) throws(ConfigurationError) -> CardGateConfiguration.SocketLimits {
        let maximum = try table.integer("max-connections", in: 4...512, default: 64, what: "connections open at once")
        let perClient = try table.integer("max-connections-per-client", in: 1...512, default: 16, what: "connections open at once for one user")
        guard perClient <= maximum else {
            throw table.error(.invalidValue, "max-connections-per-client", "must not be above max-connections (\(maximum)), got \(perClient)")
        }
        return CardGateConfiguration.SocketLimits(
            maximumConnections: maximum, maximumConnectionsPerClient: perClient,
            readTimeout: .seconds(try table.integer("read-timeout-seconds", in: 1...60, default: 5, what: "seconds to read a request")),
            idleTimeout: .seconds(try table.integer("idle-timeout-seconds", in: 1...3600, default: 30, what: "seconds a connection may wait for its next request")),
            maximumEventStreamsPerClient: try table.integer("max-event-streams-per-client", in: 1...64, default: 4, what: "event streams open at once for one user"))
    }

    private func scryptSettings(_ table: inout TableReader) throws(ConfigurationError) -> CardGateConfiguration.Scrypt {
        let log2N = try table.integer("log2-n", in: 1...20, default: 15, what: "log2 of scrypt's cost N")
        let r = try table.integer("r", in: 1...32, default: 8, what: "scrypt's block size")
        let p = try table.integer("p", in: 1...16, default: 3, what: "scrypt's parallelism")
        let weak = try table.boolean("allow-weak-for-tests", default: false, what: "allow cheap parameters in tests")
        // OWASP's scrypt minimums: N=2^17 r=8 p=1, N=2^16 r=8 p=2, N=2^15 r=8 p=3.
        let strong = r >= 8 && ((log2N >= 17 && p >= 1) || (log2N >= 16 && p >= 2) || (log2N >= 15 && p >= 3))
        if !strong && !weak {
            throw table.error(
                .invalidValue, nil,
                "log2-n = \(log2N), r = \(r), p = \(p) is below the OWASP minimums (log2-n 17 r 8 p 1, 16/8/2 or 15/8/3); "
                    + "set allow-weak-for-tests = true only for tests")
        }
        return CardGateConfiguration.Scrypt(log2N: log2N, r: r, p: p, allowWeakForTests: weak)
    }
}
