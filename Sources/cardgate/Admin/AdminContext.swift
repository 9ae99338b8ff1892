import ArgumentParser
import CardGateConfig
import Foundation
import History
import Installation
import Registry

/// The `--config` option every registry command takes.
struct ConfigOption: ParsableArguments {
    @Option(help: "The configuration file (default $CARDGATE_CONFIG, else /etc/cardgate/cardgate.toml).")
    var config: String?

    /// Loads the installation the file describes.
    func installation() throws -> Installation {
        do {
            return try Installation(configurationFile: config)
        } catch {
            throw CommandFailure("configuration: \(error)")
        }
    }
}

/// One administrative command's view of the installation: the registry, the history and the logged-in
/// administrator. Every change goes through ``perform(_:_:)``, which records the act in the history with the
/// administrator's id before doing it.
struct AdminContext {
    let installation: Installation
    let registry: Registry
    let history: HistoryStore
    /// The validated session, or nil for commands done by a card holder without a session (`pin change`).
    let session: AdminSession?

    /// The acting administrator's id.
    var actor: String? { session?.operatorId }

    /// Opens the installation and, unless `act` is nil, checks the session and that its roles permit `act`
    /// (a refusal for the role is recorded as denied).
    init(_ option: ConfigOption, act: AdministrativeAct?, kind: EventKind = .adminOperator) throws {
        installation = try option.installation()
        do {
            registry = try installation.openRegistry()
            history = try installation.openHistory()
        } catch {
            throw CommandFailure("\(error)")
        }
        guard let act else {
            session = nil
            return
        }
        let token = try SessionFile.read()
        let session: AdminSession
        do {
            session = try registry.adminSessions.validate(token)
        } catch where error.code == .sessionExpired {
            throw CommandFailure("administrative session expired; run cardgate admin login (\(error.description))")
        } catch {
            throw CommandFailure(error.description)
        }
        self.session = session
        guard Authorization.permits(session.roles, act) else {
            let needed = Authorization.roles(permitting: act).sorted().map(\.rawValue).joined(separator: " or ")
            try record(NewEvent(kind: kind, result: .denied, actor: session.operatorId,
                                details: EventDetails(reason: "role not permitted: \(act.rawValue)")))
            throw CommandFailure("\(session.operatorId) may not \(act.rawValue): this needs the \(needed) role; nothing was changed")
        }
    }

    /// Appends one event; a failure to record refuses the act.
    func record(_ event: NewEvent) throws {
        do {
            try history.append(event)
        } catch {
            throw CommandFailure("the history cannot record this act, so it is refused: \(error.description)")
        }
    }

    /// Records `event` (the administrator as actor), then runs `change`. When the change is refused, a
    /// second event with result `failure` and the refusal's code records that it did not take effect.
    func perform<T>(_ event: NewEvent, _ change: () throws -> T) throws -> T {
        var event = event
        if event.actor == nil { event.actor = actor }
        try record(event)
        do {
            return try change()
        } catch {
            var failed = event
            failed.result = .failure
            let code = (error as? RegistryError)?.code.rawValue ?? "error"
            failed.details.reason = String("not done: \(code)".prefix(EventDetails.maximumTextBytes))
            _ = try? history.append(failed)
            if let error = error as? RegistryError { throw CommandFailure(error.description) }
            throw error
        }
    }

    /// Parses a `YYYY-MM-DD` day in the configured time zone (the start of that day).
    func day(_ text: String?, option: String) throws -> Date? {
        guard let text else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = installation.configuration.timeZone
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.isLenient = false
        guard text.count == 10, let date = formatter.date(from: text) else {
            throw CommandFailure("\(option) must be a day written YYYY-MM-DD (for example 2027-03-31), not \"\(text)\"; nothing was changed")
        }
        return date
    }

    /// Checks that `reader` is an approved admin reader in the configuration.
    func requireAdminReader(_ reader: String) throws {
        guard installation.configuration.role(ofReader: reader) == .admin else {
            throw CommandFailure("\"\(reader)\" is not an admin reader in \(installation.configuration.file); cards are issued and administrators log in only at the admin reader")
        }
    }
}

/// Prints a value as one JSON object (sorted keys).
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Runs a registry call, turning its error into the command's refusal.
func registryCall<T>(_ body: () throws(RegistryError) -> T) throws -> T {
    do { return try body() } catch { throw CommandFailure(error.description) }
}
