import CardGateConfig
import Foundation

/// The TOML configuration file (`CardGateConfiguration.parse`, which `load(file:)` calls with the file's text).
///
/// Contract: a refused text is a ``ConfigurationError`` naming the file (and the line and column for a
/// syntax error, the key for a key of the wrong kind); an accepted one keeps every rule the loader promises
/// (absolute paths, a socket mode that gives others nothing, at least one reader and no name twice, PIN
/// lengths in order, rooms of the door rules that have their doors, absolute command paths); the environment
/// overrides (applied to inputs of odd length) change the paths they name and nothing else.
public enum ConfigTarget: FuzzTarget {
    public static let name = "config"

    static let file = "/etc/cardgate/cardgate.toml"
    static let overrides = Dictionary(uniqueKeysWithValues: ConfigurationEnvironment.allCases.map { ($0.rawValue, "/override/\($0.rawValue)") })

    public static func run(_ input: [UInt8]) throws(ContractViolation) {
        let text = String(decoding: input, as: UTF8.self)
        // Inputs of odd length are read with the environment overrides set, the others without.
        guard input.count % 2 == 1 else {
            if let plain = try load(text, environment: [:]) { try checkRules(plain) }
            return
        }
        guard let overridden = try load(text, environment: overrides) else { return }
        try checkRules(overridden)
        try require(overridden.storage.database == "/override/CARDGATE_DATABASE"
                    && overridden.storage.archiveDirectory == "/override/CARDGATE_ARCHIVE_DIR"
                    && overridden.api.socket == "/override/CARDGATE_SOCKET"
                    && overridden.admin.socket == "/override/CARDGATE_ADMIN_SOCKET"
                    && overridden.secrets.pepper == "/override/CARDGATE_PEPPER_FILE"
                    && overridden.secrets.historySigningKey == "/override/CARDGATE_SIGNING_KEY_FILE"
                    && overridden.history.witnessFile == "/override/CARDGATE_WITNESS_FILE",
                    "an environment override was not applied")
        if var plain = try load(text, environment: [:]) {
            plain.storage = overridden.storage
            plain.secrets = overridden.secrets
            plain.api.socket = overridden.api.socket
            plain.admin.socket = overridden.admin.socket
            plain.history.witnessFile = overridden.history.witnessFile
            try require(plain == overridden, "the environment changed more than the paths")
        }
    }

    /// The configuration `text` gives, or nil when it is refused as the contract allows.
    static func load(_ text: String, environment: [String: String]) throws(ContractViolation) -> CardGateConfiguration? {
        do {
            return try CardGateConfiguration.parse(text, file: file, environment: environment, workingDirectory: "/var/lib/cardgate")
        } catch {
            try require(error.description.hasPrefix(error.file + ": ") && error.file.hasPrefix(file), "error does not name the file: \(error)")
            try require(!error.message.isEmpty, "error without a message: \(error.code)")
            switch error.code {
            case .syntax:
                let place = error.file.dropFirst(file.count).split(separator: ":")
                try require(place.count == 2 && place.allSatisfy { Int($0) != nil }, "syntax error without line and column: \(error)")
            case .unknownKey, .missingKey, .wrongType, .invalidEnvironment:
                try require(error.key != nil, "\(error.code) without a key: \(error)")
                try require(error.file == file, "\(error.code) names \(error.file)")
            case .invalidValue:
                try require(error.file == file, "\(error.code) names \(error.file)")
            case .unreadable:
                throw ContractViolation("text refused as unreadable: \(error)")
            }
            return nil
        }
    }

    static func checkRules(_ c: CardGateConfiguration) throws(ContractViolation) {
        try require(c.file == file, "configuration of \(c.file)")
        for path in [c.storage.database, c.storage.archiveDirectory, c.secrets.pepper, c.secrets.historySigningKey, c.api.socket, c.admin.socket] {
            try require(path.hasPrefix("/"), "path \(path) is not absolute")
        }
        for mode in [c.api.mode, c.admin.mode] {
            try require(mode & 0o7007 == 0 && mode & 0o600 == 0o600, "socket mode \(String(mode, radix: 8))")
        }
        try require(!c.readers.isEmpty && Set(c.readers.map(\.name)).count == c.readers.count, "readers \(c.readers.map(\.name))")
        let terminals = c.terminals.map(\.terminalID)
        try require(Set(terminals).count == terminals.count, "a terminal has two readers")
        let p = c.policy
        try require(p.pinMinimumLength <= p.pinMaximumLength && (3...10).contains(p.pinLockoutAttempts), "PIN rules \(p)")
        let doors = c.doors
        let entryRooms = Set(doors.filter { $0.entryReader != nil }.map(\.configuration.roomID))
        let exitRooms = Set(doors.filter { $0.exitReader != nil }.map(\.configuration.roomID))
        try require(p.cardAndPINRooms.isSubset(of: entryRooms), "card + PIN rooms without an entry door")
        try require(p.antiPassbackRooms.isSubset(of: entryRooms.intersection(exitRooms)), "anti-passback rooms without both doors")
        for command in [c.commands.lock, c.commands.unlock, c.commands.doorOpen] {
            try require(command.argv.first?.hasPrefix("/") == true, "command \(command.argv) has no absolute program")
        }
        for reader in c.readers {
            try require(c.role(ofReader: reader.name) == reader.role, "reader \(reader.name) has two roles")
        }
    }

    public static func seeds() throws -> [Seed] {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let shipped = try [UInt8](Data(contentsOf: repository.appendingPathComponent("config/cardgate.toml")))
        // The same keys in TOML's other forms: inline tables, literal strings, an octal integer.
        let minimal = """
            paths = { database = 'db.sqlite', archive-dir = 'archive' }
            secrets = { pepper = '/etc/cardgate/pepper', history-signing-key = '/etc/cardgate/history.key' }
            api = { socket = '/run/cardgate/api.sock', mode = 0o600 }
            readers = [{ name = 'R 00 00', role = 'admin' }, { name = 'D 00 00', role = 'door', door = 'D1', room = 'R1', direction = 'in' }]
            commands = { lock = ['/bin/true'], unlock = ['/bin/true', '{operator}'], door-open = ['../bin/door', '{door}', '{seconds}'] }
            policy = { card-and-pin-rooms = ['R1'] }
            scrypt = { log2-n = 10, allow-weak-for-tests = true }
            """
        return [
            Seed("shipped-cardgate.toml", shipped),
            Seed("minimal.toml", Array(minimal.utf8)),
            Seed("types-and-dates.toml", Array("time-zone = 1979-05-27T07:32:00Z\n[paths]\ndatabase = [1, 2.5, true, {a = 'b'}]\n\"quoted key\" = '''x'''\n".utf8)),
        ]
    }
}
