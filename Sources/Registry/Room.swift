import Vocabulary
import Foundation
import GRDB

/// A room with a door reader (clause 12).
public struct Room: Sendable, Equatable, Encodable {
    /// Room id (letters, digits, `.`, `_`, `-`).
    public let id: String
    /// Display name (Japanese as written).
    public let name: String
    /// Entry needs card + PIN whatever the grant says.
    public let requiresPIN: Bool
    /// Anti-passback: no second entry without an exit in between.
    public let antiPassback: Bool
    /// Two different authorised people enter together, and nobody is left alone inside (二人制).
    public let twoPerson: Bool
    /// The most people (visitors included) the room may hold; nil for no limit.
    public let occupancyLimit: Int?
    /// When the room was added.
    public let createdAt: Date

    /// Makes a room description (for `RoomService.add`); `createdAt` is set by the service.
    public init(id: String, name: String, requiresPIN: Bool, antiPassback: Bool, twoPerson: Bool = false, occupancyLimit: Int? = nil) {
        self.init(id: id, name: name, requiresPIN: requiresPIN, antiPassback: antiPassback, twoPerson: twoPerson,
                  occupancyLimit: occupancyLimit, createdAt: Date(timeIntervalSince1970: 0))
    }

    init(id: String, name: String, requiresPIN: Bool, antiPassback: Bool, twoPerson: Bool, occupancyLimit: Int?, createdAt: Date) {
        self.id = id
        self.name = name
        self.requiresPIN = requiresPIN
        self.antiPassback = antiPassback
        self.twoPerson = twoPerson
        self.occupancyLimit = occupancyLimit
        self.createdAt = createdAt
    }

    init(row: Row) {
        self.init(id: row["id"], name: row["name"], requiresPIN: row["requiresPIN"], antiPassback: row["antiPassback"],
                  twoPerson: row["twoPerson"], occupancyLimit: row["occupancyLimit"], createdAt: row["createdAt"])
    }
}

/// A change to a room's rules (`cardgate room set`): each field left nil stays as it is.
public struct RoomChange: Sendable, Equatable {
    /// The new display name.
    public var name: String?
    /// Entry needs card + PIN.
    public var requiresPIN: Bool?
    /// Anti-passback.
    public var antiPassback: Bool?
    /// Two-person rule.
    public var twoPerson: Bool?
    /// The occupancy limit: `.some(nil)` removes it.
    public var occupancyLimit: Int??

    /// Makes a change; every field is optional.
    public init(name: String? = nil, requiresPIN: Bool? = nil, antiPassback: Bool? = nil, twoPerson: Bool? = nil, occupancyLimit: Int?? = nil) {
        self.name = name
        self.requiresPIN = requiresPIN
        self.antiPassback = antiPassback
        self.twoPerson = twoPerson
        self.occupancyLimit = occupancyLimit
    }
}

extension Weekday {
    /// Monday to Friday.
    public static let workdays: Set<Weekday> = [.monday, .tuesday, .wednesday, .thursday, .friday]

    /// The days as a bit mask (bit 0 = Monday), as the database stores them.
    static func mask(_ days: Set<Weekday>) -> Int {
        days.reduce(0) { $0 | (1 << ($1.rawValue - 1)) }
    }

    /// The days of a stored bit mask.
    static func days(_ mask: Int) -> Set<Weekday> {
        Set(allCases.filter { mask & (1 << ($0.rawValue - 1)) != 0 })
    }
}

/// How a door checks a person under a grant.
public enum AccessMode: String, Sendable, Codable {
    /// The card alone.
    case card
    /// Card and PIN.
    case cardAndPIN = "card+pin"
}

/// Who a grant is for.
public enum Grantee: Sendable, Equatable, Hashable {
    /// One operator by id.
    case `operator`(String)
    /// Every operator in a group.
    case group(String)
}

/// A room access grant as stored. Whether it is open at a given moment is decided by the AccessPolicy
/// module; hours are local wall-clock minutes since midnight. `fromMinute` > `toMinute` is a night shift across
/// midnight: the window opens on each granted day and runs into the next morning.
public struct RoomGrant: Sendable, Equatable {
    /// Grant number.
    public let id: Int64
    /// The room.
    public let roomId: String
    /// The operator or group.
    public let grantee: Grantee
    /// Days of the week.
    public let weekdays: Set<Weekday>
    /// Opening minute of the day (0–1439).
    public let fromMinute: Int
    /// Closing minute of the day (1–1440, exclusive).
    public let toMinute: Int
    /// Start of validity, if any.
    public let validFrom: Date?
    /// End of validity, if any.
    public let validTo: Date?
    /// Card only, or card + PIN.
    public let mode: AccessMode
    /// The holder may escort visitors without a card (立会い).
    public let escort: Bool
    /// Closed on holidays (national holidays and the city's closing days).
    public let excludeHolidays: Bool
    /// When and by whom it was granted.
    public let createdAt: Date
    /// Who granted it.
    public let createdBy: String
    /// When it was revoked, if it was.
    public let revokedAt: Date?
    /// Who revoked it, if anyone.
    public let revokedBy: String?

    init(row: Row) {
        id = row["id"]
        roomId = row["roomId"]
        if let operatorId: String = row["operatorId"] {
            grantee = .operator(operatorId)
        } else {
            grantee = .group(row["groupName"])
        }
        weekdays = Weekday.days(row["weekdays"])
        fromMinute = row["fromMinute"]
        toMinute = row["toMinute"]
        validFrom = row["validFrom"]
        validTo = row["validTo"]
        mode = AccessMode(rawValue: row["mode"]) ?? .cardAndPIN
        escort = row["escort"]
        excludeHolidays = row["excludeHolidays"]
        createdAt = row["createdAt"]
        createdBy = row["createdBy"]
        revokedAt = row["revokedAt"]
        revokedBy = row["revokedBy"]
    }
}

/// What is needed to grant room access.
public struct NewRoomGrant: Sendable {
    /// The room.
    public var roomId: String
    /// The operator or group.
    public var grantee: Grantee
    /// Days of the week (at least one).
    public var weekdays: Set<Weekday>
    /// Opening minute of the day.
    public var fromMinute: Int
    /// Closing minute of the day (exclusive); before `fromMinute` for a window across midnight (22:00–06:00).
    public var toMinute: Int
    /// Start of validity.
    public var validFrom: Date?
    /// End of validity.
    public var validTo: Date?
    /// Card only or card + PIN (card only is refused for a room that requires a PIN).
    public var mode: AccessMode
    /// The holder may escort visitors.
    public var escort: Bool
    /// Closed on holidays.
    public var excludeHolidays: Bool

    /// Makes a grant description.
    public init(roomId: String, grantee: Grantee, weekdays: Set<Weekday> = Weekday.workdays, fromMinute: Int = 8 * 60,
                toMinute: Int = 18 * 60, validFrom: Date? = nil, validTo: Date? = nil, mode: AccessMode = .cardAndPIN,
                escort: Bool = false, excludeHolidays: Bool = false) {
        self.escort = escort
        self.excludeHolidays = excludeHolidays
        self.roomId = roomId
        self.grantee = grantee
        self.weekdays = weekdays
        self.fromMinute = fromMinute
        self.toMinute = toMinute
        self.validFrom = validFrom
        self.validTo = validTo
        self.mode = mode
    }
}
