/// The small, typed payload of an event.
///
/// Only these fields exist; there is deliberately no free-text or binary field, so a copy of resident data has
/// nowhere to go (clause 8). Text fields are identifiers or short codes (at most `maximumTextBytes` UTF-8 bytes,
/// no control characters) and the whole encoding is at most `maximumEncodedSize` bytes.
public struct EventDetails: Equatable, Hashable, Sendable {
    /// Why: a short code such as `revoked`, `unknown`, `clone`, `expired`, `no-grant`, `idle-timeout`.
    public var reason: String?
    /// The operation on a resident record, e.g. `resident.view`, `resident.update`.
    public var operation: String?
    /// The identifier of the resident record acted on (never the record's contents).
    public var record: String?
    /// The session identifier a terminal event belongs to.
    public var session: String?
    /// PIN tries left after a failed PIN.
    public var retriesLeft: Int?
    /// Set on a `door.entry` let in outside the person's granted days or hours (an override).
    public var outsideGrantedHours: Bool?
    /// A year (archive and purge events).
    public var year: Int?
    /// A count (events archived or purged).
    public var count: Int?
    /// A SHA-256 digest (archive file, seal, program executable).
    public var digest: [UInt8]?
    /// A program identity: name and version.
    public var program: String?
    /// The door of a `door.*` event (the event's place is the room, so that a room's entry book reads one place).
    public var door: String?
    /// The name of a visitor without a card who entered or left beside their escort (the event's actor).
    public var visitor: String?
    /// The visitor's organisation.
    public var organisation: String?

    /// Largest accepted text field, in UTF-8 bytes.
    public static let maximumTextBytes = 128
    /// Largest accepted encoded payload, in bytes.
    public static let maximumEncodedSize = 512

    /// Creates a payload; all fields are optional.
    public init(reason: String? = nil, operation: String? = nil, record: String? = nil, session: String? = nil,
                retriesLeft: Int? = nil, outsideGrantedHours: Bool? = nil, year: Int? = nil, count: Int? = nil,
                digest: [UInt8]? = nil, program: String? = nil, door: String? = nil,
                visitor: String? = nil, organisation: String? = nil) {
        self.reason = reason
        self.operation = operation
        self.record = record
        self.session = session
        self.retriesLeft = retriesLeft
        self.outsideGrantedHours = outsideGrantedHours
        self.year = year
        self.count = count
        self.digest = digest
        self.program = program
        self.door = door
        self.visitor = visitor
        self.organisation = organisation
    }

    /// Whether no field is set.
    public var isEmpty: Bool { self == EventDetails() }

    // Tags of the canonical TLV encoding, in the order they are written. Never renumber.
    enum Tag: UInt8 {
        case reason = 1, operation, record, session, retriesLeft, outsideGrantedHours, year, count, digest, program, door, visitor,
             organisation
    }

    /// The canonical encoding: for each set field in tag order, tag (1 byte), length (2 bytes), value.
    /// Integers are 8-byte big-endian two's complement, booleans one byte (0 or 1), text UTF-8.
    func encoded() throws(HistoryError) -> [UInt8] {
        var w = ByteWriter(capacity: 64)
        func text(_ tag: Tag, _ value: String?) throws(HistoryError) {
            guard let value else { return }
            try Self.validateText(value, field: "\(tag)")
            w.u8(tag.rawValue); w.string(value)
        }
        func int(_ tag: Tag, _ value: Int?) {
            guard let value else { return }
            w.u8(tag.rawValue); w.u16(8); w.i64(Int64(value))
        }
        try text(.reason, reason)
        try text(.operation, operation)
        try text(.record, record)
        try text(.session, session)
        int(.retriesLeft, retriesLeft)
        if let outsideGrantedHours { w.u8(Tag.outsideGrantedHours.rawValue); w.u16(1); w.u8(outsideGrantedHours ? 1 : 0) }
        int(.year, year)
        int(.count, count)
        if let digest {
            guard digest.count == 32 else { throw HistoryError(.invalidEvent, "details digest must be 32 bytes (SHA-256), got \(digest.count)") }
            w.u8(Tag.digest.rawValue); w.field(digest)
        }
        try text(.program, program)
        try text(.door, door)
        try text(.visitor, visitor)
        try text(.organisation, organisation)
        guard w.bytes.count <= Self.maximumEncodedSize else {
            throw HistoryError(.invalidEvent, "event details take \(w.bytes.count) bytes; at most \(Self.maximumEncodedSize) are allowed")
        }
        return w.bytes
    }

    /// Decodes a canonical encoding; anything else (unknown tag, wrong order, bad length) is refused.
    static func decode<C: Collection>(_ bytes: C) -> EventDetails? where C.Element == UInt8 {
        var r = ByteReader(Array(bytes))
        var d = EventDetails()
        var last: UInt8 = 0
        while !r.isAtEnd {
            guard let t = r.u8(), t > last, let tag = Tag(rawValue: t), let value = r.field() else { return nil }
            last = t
            func text() -> String? {
                guard let s = String(validating: value, as: UTF8.self), (try? validateText(s, field: "")) != nil else { return nil }
                return s
            }
            func int() -> Int? {
                guard value.count == 8 else { return nil }
                var v: UInt64 = 0
                for b in value { v = v << 8 | UInt64(b) }
                return Int(Int64(bitPattern: v))
            }
            switch tag {
            case .reason: guard let s = text() else { return nil }; d.reason = s
            case .operation: guard let s = text() else { return nil }; d.operation = s
            case .record: guard let s = text() else { return nil }; d.record = s
            case .session: guard let s = text() else { return nil }; d.session = s
            case .retriesLeft: guard let v = int() else { return nil }; d.retriesLeft = v
            case .outsideGrantedHours:
                guard value.count == 1, let b = value.first, b <= 1 else { return nil }
                d.outsideGrantedHours = b == 1
            case .year: guard let v = int() else { return nil }; d.year = v
            case .count: guard let v = int() else { return nil }; d.count = v
            case .digest: guard value.count == 32 else { return nil }; d.digest = Array(value)
            case .program: guard let s = text() else { return nil }; d.program = s
            case .door: guard let s = text() else { return nil }; d.door = s
            case .visitor: guard let s = text() else { return nil }; d.visitor = s
            case .organisation: guard let s = text() else { return nil }; d.organisation = s
            }
        }
        return d
    }

    static func validateText(_ s: String, field: String) throws(HistoryError) {
        guard !s.isEmpty, s.utf8.count <= maximumTextBytes else {
            throw HistoryError(.invalidEvent, "details \(field) must be 1…\(maximumTextBytes) UTF-8 bytes")
        }
        guard RawEvent.isCleanText(s) else {
            throw HistoryError(.invalidEvent, "details \(field) contains a control character")
        }
    }

    /// The fields as (name, text) pairs in tag order, for JSON and table output.
    public var fields: [(String, String)] {
        var out: [(String, String)] = []
        if let reason { out.append(("reason", reason)) }
        if let operation { out.append(("operation", operation)) }
        if let record { out.append(("record", record)) }
        if let session { out.append(("session", session)) }
        if let retriesLeft { out.append(("retriesLeft", String(retriesLeft))) }
        if let outsideGrantedHours { out.append(("outsideGrantedHours", String(outsideGrantedHours))) }
        if let year { out.append(("year", String(year))) }
        if let count { out.append(("count", String(count))) }
        if let digest { out.append(("digest", Hex.encode(digest))) }
        if let program { out.append(("program", program)) }
        if let door { out.append(("door", door)) }
        if let visitor { out.append(("visitor", visitor)) }
        if let organisation { out.append(("organisation", organisation)) }
        return out
    }
}
