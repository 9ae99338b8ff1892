import Credentials
import Crypto
import Foundation
import Synchronization
import Vocabulary
@testable import Registry

/// A clock that tests move by hand.
final class TestClock: Sendable {
    private let value: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_795_000_000)) {  // 2026-11-18
        value = Mutex(start)
    }

    var now: Date { value.withLock { $0 } }

    func advance(_ seconds: TimeInterval) {
        value.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}

/// A registry in a fresh temporary folder with cheap scrypt parameters, a first PIN administrator
/// ("admin", card `adminCard`, PIN 583029) and an administrator ("netadmin", who gives roles beyond operator).
struct Fixture {
    static let cheap = try! ScryptParameters(logN: 10, r: 8, p: 1, allowBelowMinimum: true)
    static let adminPIN = "583029"

    let folder: String
    let path: String
    let pepper: Pepper
    let clock = TestClock()
    let registry: Registry
    let adminCard: CardBinding

    init(policy: PINPolicy = .default) throws {
        folder = NSTemporaryDirectory() + "registry-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        path = folder + "/" + Registry.defaultFileName
        pepper = try Pepper.create(at: folder + "/pepper")
        registry = try Self.open(path: path, pepper: pepper, clock: clock, policy: policy, create: true)
        adminCard = Self.newCard()
        try registry.initialEnrolment.enrol(NewOperator(id: "admin", name: "暗証 管理子", roles: [.pinAdmin]),
                                            card: adminCard, pin: PIN(Self.adminPIN))
        // The second person of the office, an administrator (who alone gives roles beyond operator), is set up the way
        // `cardgate init --role` sets up the first: directly, as the installation's starting state. The PIN
        // administrator may not give roles, and nobody gives them to themself (separation of duties).
        let start = registry.now
        try registry.write { db in
            _ = try OperatorService.insert(db, NewOperator(id: "netadmin", name: "網 管理者", roles: [.administrator]), now: start)
        }
    }

    static func open(path: String, pepper: Pepper, clock: TestClock, policy: PINPolicy = .default,
                     parameters: ScryptParameters = cheap, create: Bool = false, readOnly: Bool = false) throws -> Registry {
        let configuration = RegistryConfiguration(policy: policy, busyTimeout: 0.2, readOnly: readOnly)
        return try Registry(path: path, hasher: PINHasher(pepper: pepper, parameters: parameters),
                            configuration: configuration, create: create, clock: { clock.now })
    }

    /// The same database opened again, as after a restart.
    func reopened(parameters: ScryptParameters = cheap, policy: PINPolicy = .default, readOnly: Bool = false) throws -> Registry {
        try Self.open(path: path, pepper: pepper, clock: clock, policy: policy, parameters: parameters, readOnly: readOnly)
    }

    /// A card with a random GUID and a fresh P-256 key.
    static func newCard() -> CardBinding {
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255) }
        return CardBinding(guid: try! CardGUID(validatingBytes: bytes), fascn: nil,
                           publicKeyDER: Array(P256.Signing.PrivateKey().publicKey.derRepresentation))
    }

    /// Adds operator `id` and issues them a card with initial PIN 7391046.
    @discardableResult
    func operatorWithCard(_ id: String, roles: Set<Role> = [.operator]) throws -> CardBinding {
        try registry.operators.add(NewOperator(id: id, name: "操作 太郎", roles: roles), by: roles.subtracting([.operator]).isEmpty ? "admin" : "netadmin")
        let card = Self.newCard()
        try registry.cards.issue(card, to: id, initialPIN: PIN("7391046"), by: "admin")
        return card
    }
}

/// The error a throwing call gave, or nil.
func registryError(_ body: () throws -> Void) -> RegistryError? {
    do {
        try body()
        return nil
    } catch let error as RegistryError {
        return error
    } catch {
        return RegistryError(.database, "unexpected \(error)")
    }
}
