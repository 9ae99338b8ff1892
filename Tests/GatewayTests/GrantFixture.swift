import Credentials
import Crypto
import Foundation
import Registry
import Vocabulary

/// Makes a room grant as the registry stores it, through a real registry in a temporary folder.
enum GrantFixture {
    /// A grant for operator `op1` in room `R1`, 08:00–18:00 on the ISO `weekdays` (Monday = 1).
    static func make(weekdays: [Int], validTo: Date?, withPIN: Bool) throws -> RoomGrant {
        let folder = NSTemporaryDirectory() + "gateway-grant-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let pepper = try Pepper.create(at: folder + "/pepper")
        let hasher = PINHasher(pepper: pepper, parameters: try ScryptParameters(logN: 10, r: 8, p: 1, allowBelowMinimum: true))
        let registry = try Registry(path: folder + "/" + Registry.defaultFileName, hasher: hasher, create: true,
                                    clock: { Date(timeIntervalSince1970: 1_795_000_000) })
        try registry.initialEnrolment.enrol(
            NewOperator(id: "pinadmin", name: "暗証 管理子", roles: [.pinAdmin, .administrator]), card: binding(), pin: PIN("739104"))
        try registry.operators.add(NewOperator(id: "netadmin", name: "網 管理者", roles: [.administrator]), by: "pinadmin")
        try registry.operators.add(NewOperator(id: "op1", name: "操作 一郎"), by: "pinadmin")
        try registry.rooms.add(Room(id: "R1", name: "電算室", requiresPIN: false, antiPassback: false), by: "netadmin")
        return try registry.rooms.grant(
            NewRoomGrant(roomId: "R1", grantee: .operator("op1"), weekdays: Set(weekdays.compactMap(Weekday.init(rawValue:))),
                         validTo: validTo, mode: withPIN ? .cardAndPIN : .card), by: "netadmin")
    }

    static func binding() -> CardBinding {
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255) }
        return CardBinding(guid: CardGUID(bytes: bytes)!, fascn: nil,
                           publicKeyDER: Array(Crypto.P256.Signing.PrivateKey().publicKey.derRepresentation))
    }
}
