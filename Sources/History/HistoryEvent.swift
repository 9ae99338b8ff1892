import Foundation

/// An event to append: who (actor) did what (kind) with which card, where (place), and how it ended.
public struct NewEvent: Sendable, Equatable {
    /// What happened.
    public var kind: EventKind
    /// How it ended.
    public var result: EventResult
    /// The operator id of the person acting, if known.
    public var actor: String?
    /// The card GUID (hex), if a card was involved.
    public var card: String?
    /// The terminal, door or reader id where it happened.
    public var place: String?
    /// The typed payload.
    public var details: EventDetails

    /// Creates an event to append.
    public init(kind: EventKind, result: EventResult, actor: String? = nil, card: String? = nil,
                place: String? = nil, details: EventDetails = EventDetails()) {
        self.kind = kind
        self.result = result
        self.actor = actor
        self.card = card
        self.place = place
        self.details = details
    }

    /// Largest accepted actor, card or place identifier, in UTF-8 bytes.
    public static let maximumIdentifierBytes = 128

    func validate() throws(HistoryError) {
        for (name, value) in [("actor", actor), ("card", card), ("place", place)] {
            guard let value else { continue }
            guard !value.isEmpty, value.utf8.count <= Self.maximumIdentifierBytes else {
                throw HistoryError(.invalidEvent, "\(name) must be 1…\(Self.maximumIdentifierBytes) UTF-8 bytes")
            }
            guard RawEvent.isCleanText(value) else {
                throw HistoryError(.invalidEvent, "\(name) contains a control character")
            }
        }
    }
}

/// An event as stored: the appended fields plus its place in the chain.
public struct HistoryEvent: Sendable, Equatable {
    /// The sequence number: 1, 2, 3 … across every year, without gaps.
    public let sequence: Int64
    /// When it was recorded (UTC, millisecond precision; never earlier than the event before).
    public let time: Date
    /// What happened.
    public let kind: EventKind
    /// How it ended.
    public let result: EventResult
    /// The operator id.
    public let actor: String?
    /// The card GUID.
    public let card: String?
    /// The terminal, door or reader id.
    public let place: String?
    /// The typed payload.
    public let details: EventDetails
    /// The hash of the event before (or the previous year's seal, or the genesis value).
    public let previousHash: [UInt8]
    /// This event's hash.
    public let hash: [UInt8]

    /// The calendar year (UTC) of `time`: the chain segment the event belongs to.
    public var year: Int { HistoryTime.year(ofMillis: HistoryTime.millis(time)) }
}

/// The canonical, versioned byte encoding of events and their SHA-256 chain.
///
/// Version 1, all integers big-endian:
/// `01 | seq u64 | time-ms i64 | kind (u16 len, UTF-8) | result (u16 len, UTF-8) |`
/// `actor, card, place (each: 00, or 01 + u16 len + UTF-8) | details (u16 len + canonical TLV)`.
/// An event's hash is `SHA-256(previous hash ‖ encoding)`.
public enum EventEncoding {
    /// The encoding version written today.
    public static let version: UInt8 = 1
    /// The value the first event of the first year links to: SHA-256 of "cardgate.history.genesis.v1".
    public static let genesis: [UInt8] = sha256(Array("cardgate.history.genesis.v1".utf8))

    /// Encodes the fields of one event.
    static func encode(sequence: Int64, timeMillis: Int64, kind: String, result: String, actor: String?,
                       card: String?, place: String?, details: [UInt8]) -> [UInt8] {
        var w = ByteWriter()
        w.u8(version)
        w.u64(UInt64(bitPattern: sequence))
        w.i64(timeMillis)
        w.string(kind)
        w.string(result)
        w.optionalString(actor)
        w.optionalString(card)
        w.optionalString(place)
        w.field(details)
        return w.bytes
    }

    /// The bytes whose SHA-256 is the event's hash: previous hash ‖ canonical encoding (for auditors' tools).
    public static func hashedBytes(of event: HistoryEvent) throws(HistoryError) -> [UInt8] {
        event.previousHash + encode(sequence: event.sequence, timeMillis: HistoryTime.millis(event.time), kind: event.kind.rawValue,
                                    result: event.result.rawValue, actor: event.actor, card: event.card, place: event.place,
                                    details: try event.details.encoded())
    }

    /// The chain hash of an encoded event.
    static func hash(previous: [UInt8], encoding: [UInt8]) -> [UInt8] {
        sha256Pair(previous, encoding)
    }
}

extension EventEncoding {
    /// The fields of a canonical encoding (for proof files); nil unless it is exactly what `encode` writes.
    static func decode(_ bytes: [UInt8]) -> (sequence: Int64, timeMillis: Int64, kind: String, result: String, actor: String?,
                                              card: String?, place: String?, details: EventDetails)? {
        var r = ByteReader(bytes)
        func text() -> String? { r.field().flatMap { String(validating: $0, as: UTF8.self) } }
        func optional() -> String?? {
            switch r.u8() {
            case 0: return .some(nil)
            case 1: return text().map { .some($0) }
            default: return nil
            }
        }
        guard r.u8() == version, let seq = r.u64(), let time = r.u64(), let kind = text(), let result = text(),
              let actor = optional(), let card = optional(), let place = optional(), let detailBytes = r.field(), r.isAtEnd,
              let details = EventDetails.decode(detailBytes) else { return nil }
        let decoded = (Int64(bitPattern: seq), Int64(bitPattern: time), kind, result, actor, card, place, details)
        // Canonical: encoding the fields again gives the same bytes.
        guard let canonical = try? details.encoded(),
              encode(sequence: decoded.0, timeMillis: decoded.1, kind: kind, result: result, actor: actor, card: card, place: place, details: canonical) == bytes else {
            return nil
        }
        return decoded
    }
}
