import AccessPolicy
import CardGateConfig
import Foundation
import Testing

/// The repository's default configuration file.
let defaultFile: String = {
    let here = URL(fileURLWithPath: #filePath)
    return here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("config/cardgate.toml").path
}()
let defaultText = try! String(contentsOfFile: defaultFile, encoding: .utf8)
let configDirectory = (defaultFile as NSString).deletingLastPathComponent

/// Parses the default text after a change, as if it came from config/cardgate.toml.
func load(_ text: String, environment: [String: String] = [:]) throws(ConfigurationError) -> CardGateConfiguration {
    try CardGateConfiguration.parse(text, file: "config/cardgate.toml", environment: environment, workingDirectory: "/srv/work")
}

/// The default text with one exact substring replaced (the test fails if it is not there).
func replacing(_ old: String, with new: String) -> String {
    precondition(defaultText.contains(old), "the default file no longer contains \(old)")
    return defaultText.replacingOccurrences(of: old, with: new)
}

@Suite("Configuration")
struct ConfigurationTests {
    @Test func theDefaultFileLoads() throws {
        let configuration = try CardGateConfiguration.load(file: defaultFile, environment: [:])
        #expect(configuration.file == defaultFile)
        #expect(configuration.timeZone.identifier == "Asia/Tokyo")
        #expect(configuration.readers.count == 6)
        #expect(configuration.role(ofReader: "CardGate Admin 00 00") == .admin)
        #expect(configuration.role(ofReader: "CardGate Admin 00 01") == .adminSubject)
        #expect(configuration.adminStation.admin == "CardGate Admin 00 00" && configuration.adminStation.subject == "CardGate Admin 00 01")
        #expect(configuration.clients(ofTerminal: "T01") == [.uid(0)])
        #expect(configuration.clients(ofDoor: "D1") == [.uid(0), .uid(0)])
        #expect(configuration.api.supervisors == [.uid(0)])
        #expect(configuration.api.limits == CardGateConfiguration.SocketLimits())
        #expect(configuration.admin.group == nil && configuration.admin.sessionIdle == .seconds(600))
        #expect(configuration.commands.lockRetries == 2 && configuration.commands.timeout == .seconds(10))
        #expect(configuration.commands.alarm != nil)
        #expect(configuration.pcscd.watchdog == .seconds(3))
        #expect(configuration.service.account == "cardgate" && configuration.service.auditGroup == "cardgate-audit")
        #expect(configuration.role(ofReader: "CardGate T01 00 00") == .terminal(id: "T01"))
        #expect(configuration.role(ofReader: "CardGate T02 00 00") == .terminal(id: "T02"))
        #expect(configuration.role(ofReader: "CardGate Room1 In 00 00") == .door(id: "D1", room: "R1", direction: .entry))
        #expect(configuration.role(ofReader: "CardGate Room1 Out 00 00") == .door(id: "D1", room: "R1", direction: .exit))
        #expect(configuration.role(ofReader: "CardGate Rogue 00 00") == nil)
        #expect(configuration.terminals.map(\.terminalID) == ["T01", "T02"])
        #expect(configuration.terminals.map(\.reader) == ["CardGate T01 00 00", "CardGate T02 00 00"])

        let doors = configuration.doors
        #expect(doors.count == 1)
        #expect(doors.first?.configuration.doorID == "D1" && doors.first?.configuration.roomID == "R1")
        #expect(doors.first?.entryReader == "CardGate Room1 In 00 00" && doors.first?.exitReader == "CardGate Room1 Out 00 00")
        #expect(doors.first?.configuration.roomRequiresPIN == true)
        #expect(doors.first?.configuration.antiPassback == false)
        #expect(doors.first?.configuration.pinTimeout == .seconds(30))
        #expect(doors.first?.configuration.openDuration == .seconds(5))
        #expect(doors.first?.configuration.timeZone.identifier == "Asia/Tokyo")

        #expect(configuration.terminalPolicy == TerminalPolicy(idleTimeout: .seconds(600), maximumSession: .seconds(28_800)))
        #expect(configuration.policy.pinLockoutAttempts == 5)
        #expect(configuration.policy.pinMinimumLength == 6 && configuration.policy.pinMaximumLength == 12)
        #expect(configuration.programIdentityCheck == .warn)
        #expect(configuration.history.checkpointEveryEvents == 1000 && configuration.history.checkpointEvery == .seconds(300))
        #expect(configuration.scrypt.log2N == 15 && configuration.scrypt.r == 8 && configuration.scrypt.p == 3)
        #expect(!configuration.scrypt.allowWeakForTests)
        #expect(configuration.api.mode == 0o660 && configuration.api.group == nil)

        let repository = (configDirectory as NSString).deletingLastPathComponent
        #expect(configuration.storage.database == repository + "/run/cardgate.sqlite")
        #expect(configuration.storage.archiveDirectory == repository + "/run/archive")
        #expect(configuration.secrets.pepper == repository + "/run/secrets/pepper")
        #expect(configuration.api.socket == repository + "/run/cardgate.sock")

        let script = configDirectory + "/rig-command.sh"
        #expect(configuration.commands.lock.argv == [script, "lock", "{terminal}"])
        #expect(FileManager.default.isExecutableFile(atPath: script))
        #expect(configuration.commands.unlock.render([.terminal: "T01", .operator: "op-1"]) == [script, "unlock", "T01", "op-1"])
        #expect(configuration.commands.doorOpen.render([.door: "D1", .direction: "in", .seconds: "5"]) == [script, "door-open", "D1", "in", "5"])
    }

    @Test func theProductionTemplateLoadsWithTheInstallationsPathsAndGroups() throws {
        let file = configDirectory + "/production.toml"
        let configuration = try CardGateConfiguration.load(file: file, environment: [:])
        #expect(configuration.storage.database == "/var/lib/cardgate/history.sqlite")
        #expect(configuration.api.socket == "/run/cardgate/api.sock" && configuration.api.group == "cardgate-api")
        #expect(configuration.admin.socket == "/run/cardgate/admin.sock" && configuration.admin.group == "cardgate-admin")
        #expect(configuration.api.supervisors == [.group("cardgate-supervisor")])
        #expect(configuration.api.firePanels == [.group("cardgate-fire")])
        #expect(configuration.policy.doorHeldOpen == .seconds(30) && configuration.policy.closingDays.count == 6)
        #expect(configuration.commands.doorHold?.argv == ["/usr/local/libexec/cardgate/door-hold", "{door}"])
        #expect(configuration.programIdentityCheck == .refuse)
        #expect(configuration.service.account == "cardgate" && configuration.service.auditGroup == "cardgate-audit")
        #expect(!configuration.scrypt.allowWeakForTests)
        #expect(configuration.history.witnessFile == "/mnt/cardgate-witness/history.witness" && !configuration.history.witnessNone)
    }

    @Test func theRigsWitnessFileComesFromTheFileOrFromCARDGATE_WITNESS_FILE() throws {
        let repository = (configDirectory as NSString).deletingLastPathComponent
        let file = configDirectory + "/cardgate.toml"
        #expect(try CardGateConfiguration.load(file: file, environment: [:]).history.witnessFile == repository + "/run/witness/history.witness")
        let overridden = try CardGateConfiguration.load(file: file, environment: ["CARDGATE_WITNESS_FILE": "demo/witness/w"], workingDirectory: "/tmp/x")
        #expect(overridden.history.witnessFile == "/tmp/x/demo/witness/w")
        #expect(throws: ConfigurationError.self) { try CardGateConfiguration.load(file: file, environment: ["CARDGATE_WITNESS_FILE": ""]) }
    }

    @Test func pathsAreNormalisedWithoutFollowingSymbolicLinks() throws {
        // A link must reach the secret-file check as the path written, so that O_NOFOLLOW can refuse it.
        let folder = NSTemporaryDirectory() + "cg-config-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/real", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createSymbolicLink(atPath: folder + "/link", withDestinationPath: folder + "/real")
        let configuration = try load(replacing(#"pepper = "../run/secrets/pepper""#, with: #"pepper = "\#(folder)/link/./x/../pepper""#))
        #expect(configuration.secrets.pepper == folder + "/link/pepper")
    }

    @Test func clientListsAcceptUsersGroupsAndNumbersAndRefuseAnythingElse() throws {
        let ok = try load(replacing(#"supervisors = ["uid:0"]"#, with: #"supervisors = ["kiosk", "uid:1001", "group:audit", "gid:7"]"#))
        #expect(ok.api.supervisors == [.user("kiosk"), .uid(1001), .group("audit"), .gid(7)])
        #expect {
            try load(replacing(#"supervisors = ["uid:0"]"#, with: #"supervisors = ["uid:x"]"#))
        } throws: { ($0 as? ConfigurationError)?.key == "api.supervisors[0]" }
        #expect {
            try load(replacing("max-connections-per-client = 16", with: "max-connections-per-client = 100"))
        } throws: { ($0 as? ConfigurationError)?.key == "api.max-connections-per-client" }
    }

    @Test func aBadDirectionNamesTheFileAndTheKey() {
        let text = replacing("direction = \"out\"", with: "direction = \"up\"")
        #expect {
            try load(text)
        } throws: { error in
            (error as? ConfigurationError)?.description
                == "config/cardgate.toml: readers[5].direction: expected \"in\" or \"out\", got \"up\""
        }
    }

    static let badFiles: [BadFile] = [
        BadFile("unknown top-level key", "time-zone = \"Asia/Tokyo\"", "time-zone = \"Asia/Tokyo\"\ncolour = \"blue\"", key: "colour", .unknownKey),
        BadFile("typo in a policy key", "idle-timeout-seconds = 600", "idle-timout-seconds = 600", key: "policy.idle-timout-seconds", .unknownKey),
        BadFile("unknown key in a reader", "terminal = \"T02\"", "terminal = \"T02\"\nslot = 1", key: "readers[3].slot", .unknownKey),
        BadFile("unknown table", "[history]", "[histories]\n[history]", key: "histories", .unknownKey),
        BadFile("missing database", "database = \"../run/cardgate.sqlite\"", "", key: "paths.database", .missingKey),
        BadFile("missing signing key", "history-signing-key = \"../run/secrets/history-signing.key\"", "", key: "secrets.history-signing-key", .missingKey),
        BadFile("missing lock command", "lock = [\"./rig-command.sh\", \"lock\", \"{terminal}\"]", "", key: "commands.lock", .missingKey),
        BadFile("missing terminal id", "terminal = \"T01\"", "", key: "readers[2].terminal", .missingKey),
        BadFile("missing door room", "room = \"R1\"\ndirection = \"in\"", "direction = \"in\"", key: "readers[4].room", .missingKey),
        BadFile("idle timeout as a string", "idle-timeout-seconds = 600", "idle-timeout-seconds = \"600\"", key: "policy.idle-timeout-seconds", .wrongType),
        BadFile("lockout above 10", "pin-lockout-attempts = 5", "pin-lockout-attempts = 11", key: "policy.pin-lockout-attempts", .invalidValue),
        BadFile("lockout below 3", "pin-lockout-attempts = 5", "pin-lockout-attempts = 2", key: "policy.pin-lockout-attempts", .invalidValue),
        BadFile("PIN shorter than 6", "pin-min-length = 6\n", "pin-min-length = 4\n", key: "policy.pin-min-length", .invalidValue),
        BadFile("max PIN below min", "pin-min-length = 6\npin-max-length = 12", "pin-min-length = 8\npin-max-length = 7", key: "policy.pin-max-length", .invalidValue),
        BadFile("zero idle timeout", "idle-timeout-seconds = 600", "idle-timeout-seconds = 0", key: "policy.idle-timeout-seconds", .invalidValue),
        BadFile("world-readable socket", "mode = \"0660\"", "mode = \"0666\"", key: "api.mode", .invalidValue),
        BadFile("socket mode not octal", "mode = \"0660\"", "mode = \"rw-rw----\"", key: "api.mode", .invalidValue),
        BadFile("unknown time zone", "time-zone = \"Asia/Tokyo\"", "time-zone = \"Asia/Edo\"", key: "time-zone", .invalidValue),
        BadFile("duplicate reader", "name = \"CardGate T02 00 00\"", "name = \"CardGate T01 00 00\"", key: "readers[3].name", .invalidValue),
        BadFile("duplicate terminal id", "terminal = \"T02\"", "terminal = \"T01\"", key: "readers[3].terminal", .invalidValue),
        BadFile("door key on a terminal", "terminal = \"T02\"", "terminal = \"T02\"\ndoor = \"D1\"", key: "readers[3].door", .invalidValue),
        BadFile("unknown role", "role = \"admin\"", "role = \"printer\"", key: "readers[0].role", .invalidValue),
        BadFile("bad terminal id", "terminal = \"T02\"", "terminal = \"T 02\"", key: "readers[3].terminal", .invalidValue),
        BadFile("two in readers on one door", "direction = \"out\"", "direction = \"in\"", key: "readers[5].direction", .invalidValue),
        BadFile("a door in two rooms", "room = \"R1\"\ndirection = \"out\"", "room = \"R2\"\ndirection = \"out\"", key: "readers[5].room", .invalidValue),
        BadFile("shell string command", "lock = [\"./rig-command.sh\", \"lock\", \"{terminal}\"]", "lock = \"./rig-command.sh lock\"", key: "commands.lock", .wrongType),
        BadFile("program found by PATH", "lock = [\"./rig-command.sh\", \"lock\", \"{terminal}\"]", "lock = [\"loginctl\", \"lock-session\"]", key: "commands.lock[0]", .invalidValue),
        BadFile("empty command", "lock = [\"./rig-command.sh\", \"lock\", \"{terminal}\"]", "lock = []", key: "commands.lock", .invalidValue),
        BadFile("unknown placeholder", "lock = [\"./rig-command.sh\", \"lock\", \"{terminal}\"]", "lock = [\"./rig-command.sh\", \"lock\", \"{operator}\"]", key: "commands.lock[2]", .invalidValue),
        BadFile("number in a command", "lock = [\"./rig-command.sh\", \"lock\", \"{terminal}\"]", "lock = [\"./rig-command.sh\", 5]", key: "commands.lock[1]", .wrongType),
        BadFile("identity mode", "check = \"warn\"", "check = \"ignore\"", key: "program-identity.check", .invalidValue),
        BadFile("cheap scrypt", "log2-n = 15", "log2-n = 10", key: "scrypt", .invalidValue),
        BadFile("scrypt r too small", "r = 8", "r = 1", key: "scrypt", .invalidValue),
        BadFile("scrypt flag not a boolean", "allow-weak-for-tests = false", "allow-weak-for-tests = \"no\"", key: "scrypt.allow-weak-for-tests", .wrongType),
        BadFile("PIN room without a door", "card-and-pin-rooms = [\"R1\"]", "card-and-pin-rooms = [\"R1\", \"R9\"]", key: "policy.card-and-pin-rooms[1]", .invalidValue),
        BadFile("anti-passback room without exit", "anti-passback-rooms = []", "anti-passback-rooms = [\"R9\"]", key: "policy.anti-passback-rooms[0]", .invalidValue),
        BadFile("checkpoint interval zero", "checkpoint-every-events = 1000", "checkpoint-every-events = 0", key: "history.checkpoint-every-events", .invalidValue),
        BadFile("direction as a number", "direction = \"in\"", "direction = 1", key: "readers[4].direction", .wrongType),
    ]

    @Test(arguments: badFiles)
    func eachBadValueNamesItsKeyAndTheFile(_ bad: BadFile) {
        let text = replacing(bad.old, with: bad.new)
        do {
            _ = try load(text)
            Issue.record("loaded despite: \(bad.name)")
        } catch {
            #expect(error.key == bad.key, "\(bad.name): \(error)")
            #expect(error.code == bad.code, "\(bad.name): \(error)")
            #expect(error.file == "config/cardgate.toml")
            #expect(error.description.hasPrefix("config/cardgate.toml: \(bad.key): "))
        }
    }

    @Test func cheapScryptIsAllowedOnlyWithTheTestFlag() throws {
        let text = replacing("log2-n = 15", with: "log2-n = 10").replacingOccurrences(of: "allow-weak-for-tests = false", with: "allow-weak-for-tests = true")
        let configuration = try load(text)
        #expect(configuration.scrypt.log2N == 10 && configuration.scrypt.allowWeakForTests)
    }

    @Test func theOWASPAlternativesAreAccepted() throws {
        #expect(try load(replacing("log2-n = 15\nr = 8\np = 3", with: "log2-n = 17\nr = 8\np = 1")).scrypt.log2N == 17)
        #expect(try load(replacing("log2-n = 15\nr = 8\np = 3", with: "log2-n = 16\nr = 8\np = 2")).scrypt.p == 2)
        #expect(throws: ConfigurationError.self) { try load(replacing("log2-n = 15\nr = 8\np = 3", with: "log2-n = 16\nr = 8\np = 1")) }
    }

    @Test func aSyntaxErrorGivesLineAndColumn() {
        do {
            _ = try load("time-zone = \"Asia/Tokyo\"\n[paths\n")
            Issue.record("loaded")
        } catch {
            #expect(error.code == .syntax)
            #expect(error.file.hasPrefix("config/cardgate.toml:2:"), "\(error)")
        }
    }

    @Test func anUnreadableFileIsReported() {
        do {
            _ = try CardGateConfiguration.load(file: "/nonexistent/cardgate.toml", environment: [:])
            Issue.record("loaded")
        } catch {
            #expect(error.code == .unreadable && error.file == "/nonexistent/cardgate.toml")
        }
    }

    @Test func environmentVariablesOverrideThePaths() throws {
        let configuration = try load(defaultText, environment: [
            "CARDGATE_DATABASE": "/var/tmp/test.sqlite",
            "CARDGATE_ARCHIVE_DIR": "archive",
            "CARDGATE_SOCKET": "/var/tmp/cg.sock",
            "CARDGATE_PEPPER_FILE": "/var/tmp/pepper",
            "CARDGATE_SIGNING_KEY_FILE": "keys/../signing.key",
        ])
        #expect(configuration.storage.database == "/var/tmp/test.sqlite")
        #expect(configuration.storage.archiveDirectory == "/srv/work/archive")
        #expect(configuration.api.socket == "/var/tmp/cg.sock")
        #expect(configuration.secrets.pepper == "/var/tmp/pepper")
        #expect(configuration.secrets.historySigningKey == "/srv/work/signing.key")
    }

    @Test func withoutOverridesRelativePathsFollowTheFile() throws {
        let configuration = try load(defaultText)
        #expect(configuration.storage.database == "/srv/work/run/cardgate.sqlite")
        #expect(configuration.commands.lock.argv.first == "/srv/work/config/rig-command.sh")
    }

    @Test func anEnvironmentOverrideStandsInForAMissingKey() throws {
        let text = replacing("database = \"../run/cardgate.sqlite\"", with: "")
        #expect(try load(text, environment: ["CARDGATE_DATABASE": "/tmp/db.sqlite"]).storage.database == "/tmp/db.sqlite")
    }

    @Test func anEmptyOverrideIsRefused() {
        do {
            _ = try load(defaultText, environment: ["CARDGATE_SOCKET": ""])
            Issue.record("loaded")
        } catch {
            #expect(error.code == .invalidEnvironment && error.key == "CARDGATE_SOCKET")
        }
    }

    @Test func optionalSectionsTakeTheirDefaults() throws {
        var text = defaultText
        for section in ["[history]", "[scrypt]", "[program-identity]"] {
            let start = text.range(of: section)!.lowerBound
            let rest = text[text.index(after: start)...]
            let end = rest.range(of: "\n[")?.lowerBound ?? text.endIndex
            text.removeSubrange(start..<end)
        }
        text = text.replacingOccurrences(of: "idle-timeout-seconds = 600\n", with: "")
        let configuration = try load(text)
        #expect(configuration.history.checkpointEveryEvents == 1000)
        #expect(configuration.scrypt.log2N == 15 && configuration.scrypt.p == 3)
        #expect(configuration.programIdentityCheck == .warn)
        #expect(configuration.policy.idleTimeout == .seconds(600))
    }

    @Test func socketModeMayBeATOMLOctalInteger() throws {
        #expect(try load(replacing("mode = \"0660\"", with: "mode = 0o600")).api.mode == 0o600)
    }

    @Test func antiPassbackOnARoomWithBothReadersLoads() throws {
        let configuration = try load(replacing("anti-passback-rooms = []", with: "anti-passback-rooms = [\"R1\"]"))
        #expect(configuration.doors.first?.configuration.antiPassback == true)
    }

    @Test func placeholdersAreFilledInEveryArgument() {
        let template = CommandTemplate(argv: ["/bin/door", "--door={door}", "{seconds}s", "{room}-{direction}"])
        #expect(template.render([.door: "D1", .seconds: "5", .room: "R1", .direction: "in"]) == ["/bin/door", "--door=D1", "5s", "R1-in"])
    }
}

/// One change to the default file that must be refused, with the key and code the error must give.
struct BadFile: Sendable, CustomTestStringConvertible {
    let name: String, old: String, new: String, key: String, code: ConfigurationError.Code

    init(_ name: String, _ old: String, _ new: String, key: String, _ code: ConfigurationError.Code) {
        self.name = name
        self.old = old
        self.new = new
        self.key = key
        self.code = code
    }

    var testDescription: String { name }
}
