import CardGateConfig
import Credentials
import Foundation
import Vocabulary
import Installation
import Registry
import VirtualCard

/// A temporary installation for the benchmark: 32 readers in the configuration and the equipment ledger, of which
/// the four Test readers exist in pcscd (pcsc-lite holds 16 readers per machine, and the other twelve belong to
/// other tests), operators with virtual cards on the four Test-reader terminals, and the scrypt cost of the
/// shipped config/cardgate.toml.
struct BenchInstallation {
    /// The measured terminal and its reader.
    static let measured = Terminal(id: "BM", reader: "CardGate Test A 00 00", port: 35973, operatorID: "bench-m")
    /// The terminals that keep four PIN hashes going.
    static let load = [
        Terminal(id: "BL1", reader: "CardGate Test A 00 01", port: 35974, operatorID: "bench-l1"),
        Terminal(id: "BL2", reader: "CardGate Test B 00 00", port: 35975, operatorID: "bench-l2"),
        Terminal(id: "BL3", reader: "CardGate Test B 00 01", port: 35976, operatorID: "bench-l3"),
    ]
    /// The measured door: the rig's room readers (its "in" and "out" side), room ``doorRoom`` with the door rules on.
    static let door = "BDM"
    static let doorRoom = "RBDM"
    static let doorSides = [
        DoorSide(direction: "in", reader: "CardGate Room1 In 00 00", port: 35969),
        DoorSide(direction: "out", reader: "CardGate Room1 Out 00 00", port: 35971),
    ]
    /// Configured (and approved) terminals whose readers are not in pcscd.
    static let absentTerminals = (5...24).map { String(format: "BT%02d", $0) }
    /// Configured (and approved) doors whose readers are not in pcscd: each has an "in" and an "out" reader.
    static let absentDoors = (1...4).map { "BD\($0)" }
    static let pin = "582046"
    /// The PIN set at issue, replaced by ``pin`` at once.
    static let initialPIN = "740391"

    /// One side of the measured door on a real (virtual) reader.
    struct DoorSide: Sendable {
        var direction: String
        var reader: String
        var port: UInt16
    }

    /// One terminal on a real (virtual) reader.
    struct Terminal: Sendable {
        var id: String
        var reader: String
        var port: UInt16
        var operatorID: String
    }

    let folder: String
    let configPath: String
    let socket: String
    let lockLog: String
    /// While this file exists, the unlock command of BL1 takes 5 seconds (the "slow unlock elsewhere" series).
    let slowUnlockFlag: String
    let scrypt: CardGateConfiguration.Scrypt
    /// The virtual card of each terminal's operator, by terminal id.
    let cards: [String: CardImage]

    static var readerCount: Int { 1 + load.count + absentTerminals.count + 2 * absentDoors.count + doorSides.count }

    /// Creates the folder, configuration, secrets, history, registry, ledger, operators and cards.
    init(repository: URL) throws {
        // The PIN-hash cost is that of the shipped configuration: the point is the load of real PIN hashes.
        let shipped = try CardGateConfiguration.load(file: repository.appendingPathComponent("config/cardgate.toml").path, environment: [:])
        scrypt = shipped.scrypt

        folder = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-bench-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        configPath = folder + "/cardgate.toml"
        socket = folder + "/api.sock"
        lockLog = folder + "/lock.log"
        slowUnlockFlag = folder + "/slow-unlock"

        // The lock command: bash writes its own start time ($EPOCHREALTIME, no extra process) and its arguments.
        let lockScript = folder + "/lock-stamp.sh"
        try "#!/bin/bash\nprintf '%s %s\\n' \"$EPOCHREALTIME\" \"$*\" >> '\(lockLog)'\n".write(toFile: lockScript, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: lockScript)
        // The unlock command: BL1's takes 5 s while the slow-unlock flag file exists.
        let unlockScript = folder + "/unlock.sh"
        try "#!/bin/bash\nif [ \"$2\" = BL1 ] && [ -e '\(slowUnlockFlag)' ]; then sleep 5; fi\n"
            .write(toFile: unlockScript, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: unlockScript)

        var readers = ""
        for terminal in [Self.measured] + Self.load {
            readers += "[[readers]]\nname = \"\(terminal.reader)\"\nrole = \"terminal\"\nterminal = \"\(terminal.id)\"\nclients = [\"uid:\(getuid())\"]\n"
        }
        for id in Self.absentTerminals {
            readers += "[[readers]]\nname = \"CardGate Bench \(id) 00 00\"\nrole = \"terminal\"\nterminal = \"\(id)\"\nclients = [\"uid:\(getuid())\"]\n"
        }
        for side in Self.doorSides {
            readers += "[[readers]]\nname = \"\(side.reader)\"\nrole = \"door\"\ndoor = \"\(Self.door)\"\nroom = \"\(Self.doorRoom)\"\ndirection = \"\(side.direction)\"\nclients = [\"uid:\(getuid())\"]\n"
        }
        // The city's closing days are checked at every door decision; tomorrow and the day after, so that they never
        // refuse the measured card.
        let closing = (1...2).map { offset -> String in
            let day = Calendar(identifier: .gregorian).date(byAdding: .day, value: offset, to: Date())!
            let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "Asia/Tokyo")!, from: day)
            let two = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
            return "\"\(two(parts.month!))-\(two(parts.day!))\""
        }
        for door in Self.absentDoors {
            for direction in ["in", "out"] {
                readers += "[[readers]]\nname = \"CardGate Bench \(door) \(direction) 00 00\"\nrole = \"door\"\ndoor = \"\(door)\"\nroom = \"R\(door)\"\ndirection = \"\(direction)\"\nclients = [\"uid:\(getuid())\"]\n"
            }
        }
        let text = """
            time-zone = "Asia/Tokyo"
            [paths]
            database = "\(folder)/cardgate.sqlite"
            archive-dir = "\(folder)/archive"
            [secrets]
            pepper = "\(folder)/secrets/pepper"
            history-signing-key = "\(folder)/secrets/history-signing.key"
            [api]
            socket = "\(socket)"
            mode = "0660"
            supervisors = ["uid:\(getuid())"]
            [admin]
            socket = "\(folder)/admin.sock"
            group = ""
            \(readers)
            [policy]
            idle-timeout-seconds = 600
            maximum-session-seconds = 28800
            pin-lockout-attempts = 5
            anti-passback-rooms = ["\(Self.doorRoom)"]
            closing-days = [\(closing.joined(separator: ", "))]
            door-held-open-seconds = 30
            [commands]
            lock = ["\(lockScript)", "lock", "{terminal}"]
            unlock = ["\(unlockScript)", "unlock", "{terminal}", "{operator}"]
            door-open = ["/bin/true", "door-open", "{door}", "{direction}", "{seconds}"]
            [program-identity]
            check = "warn"
            [history]
            witness-file = "\(folder)/witness/history.witness"
            [scrypt]
            log2-n = \(scrypt.log2N)
            r = \(scrypt.r)
            p = \(scrypt.p)
            allow-weak-for-tests = \(scrypt.allowWeakForTests)

            """
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)

        let installation = Installation(configuration: try CardGateConfiguration.load(file: configPath, environment: [:]))
        let (_, registry) = try installation.initialize()
        try registry.initialEnrolment.enrol(
            NewOperator(id: "pinadmin", name: "Bench PIN admin", roles: [.pinAdmin, .administrator]), card: Self.binding(try CardImage.create()),
            pin: PIN("739104"))
        try registry.operators.add(NewOperator(id: "netadmin", name: "Bench admin", roles: [.administrator]), by: "pinadmin")
        try registry.operators.add(NewOperator(id: "opsmgr", name: "Bench manager", roles: [.operationsManager]), by: "pinadmin")
        for reader in installation.configuration.readers {
            try registry.ledger.add(Equipment(id: reader.name, kind: .reader, name: "bench reader", location: "rig"), by: "netadmin")
        }
        for terminal in installation.configuration.terminals.map(\.terminalID).sorted() {
            try registry.ledger.add(Equipment(id: terminal, kind: .terminal, name: "bench terminal", location: "rig"), by: "netadmin")
        }
        // The measured door's room: anti-passback, an occupancy limit, a holiday calendar and an escort grant that
        // excludes holidays, so that every rule of a municipal server room is evaluated at each decision.
        try registry.rooms.add(Room(id: Self.doorRoom, name: "bench server room", requiresPIN: false, antiPassback: true, occupancyLimit: 20),
                               by: "netadmin")
        let holidays = (1...16).map {
            HolidayEntry(date: CivilDate(Date().addingTimeInterval(Double(7 * $0) * 86_400), in: TimeZone(identifier: "Asia/Tokyo")!),
                         name: "bench holiday \($0)")
        }
        try registry.holidays.importCalendar(holidays, by: "netadmin")
        for door in Self.absentDoors {
            try registry.rooms.add(Room(id: "R\(door)", name: "bench room", requiresPIN: false, antiPassback: false), by: "netadmin")
        }
        var cards: [String: CardImage] = [:]
        for terminal in [Self.measured] + Self.load {
            try registry.operators.add(NewOperator(id: terminal.operatorID, name: "Bench \(terminal.id)", roles: [.operator]), by: "pinadmin")
            _ = try registry.operators.update(terminal.operatorID, OperatorUpdate(terminals: [terminal.id]), by: "opsmgr")
            let image = try CardImage.create()
            _ = try registry.cards.issue(Self.binding(image), to: terminal.operatorID, initialPIN: PIN(Self.initialPIN), by: "pinadmin")
            // The holder replaces the initial PIN before first use; until then the gateway refuses the card.
            try registry.pins.change(card: Self.binding(image).guid, current: PIN(Self.initialPIN), new: PIN(Self.pin))
            cards[terminal.id] = image
        }
        try registry.rooms.grant(NewRoomGrant(roomId: Self.doorRoom, grantee: .operator(Self.measured.operatorID), weekdays: Set(Weekday.allCases),
                                              fromMinute: 0, toMinute: 24 * 60, mode: .card, escort: true, excludeHolidays: true),
                                 by: "netadmin")
        self.cards = cards
    }

    static func binding(_ image: CardImage) throws -> CardBinding {
        CardBinding(guid: image.identity.guid, fascn: image.identity.fascn,
                    publicKeyDER: Array(image.publicKey.derRepresentation))
    }

    /// The lock command's lines so far: (start time, arguments).
    func lockLines() -> [(time: Double, arguments: String)] {
        let text = (try? String(contentsOfFile: lockLog, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let space = line.firstIndex(of: " "), let time = Double(line[..<space]) else { return nil }
            return (time, String(line[line.index(after: space)...]))
        }
    }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }
}
