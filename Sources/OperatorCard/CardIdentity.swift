import Vocabulary
import APDU

/// What a card's CHUID says about it: the GUID (CardGate's card identifier), the FASC-N and the expiry.
///
/// The CHUID is public and copyable; it names a card but proves nothing. ``PIVCard/authenticate(publicKey:)``
/// is what proves the card.
public struct CardIdentity: Equatable, Sendable {
    /// The GUID (tag `34`, 16 bytes): CardGate's card identifier.
    public let guid: CardGUID
    /// The 25-byte FASC-N (tag `30`).
    public let fascn: [UInt8]
    /// The expiry date as written on the card, `YYYYMMDD` (tag `35`).
    public let expiry: String

    /// The FASC-N as 50 lower-case hex digits.
    public var fascnHex: String { Hex.encode(fascn) }
    /// The FASC-N's fields, when it is a well-formed FASC-N (parity, separators and LRC correct).
    public var fascnFields: FASCN? { FASCN(bytes: fascn) }

    /// Makes an identity from its parts (as read from a card, or to build one).
    public init(guid: CardGUID, fascn: [UInt8], expiry: String) {
        self.guid = guid
        self.fascn = fascn
        self.expiry = expiry
    }

    /// Parses the value of a CHUID object (the content of tag `53`): `30 19 FASC-N · 34 10 GUID · 35 08
    /// YYYYMMDD · [3E signature] · [FE 00]`. Unknown tags (organisational identifier, DUNS, …) are skipped.
    public init(chuid: [UInt8]) throws(OperatorCardError) {
        let objects: [TLV]
        do {
            objects = try TLV.decodeAll(chuid)
        } catch {
            throw OperatorCardError(.malformedCHUID, "the CHUID is not well-formed BER-TLV: \(error.description)")
        }
        guard let fascn = objects.first(tag: 0x30) else {
            throw OperatorCardError(.malformedCHUID, "the CHUID has no FASC-N (tag 30)")
        }
        guard fascn.value.count == 25 else {
            throw OperatorCardError(.malformedCHUID, "the CHUID's FASC-N has \(fascn.value.count) bytes, not 25")
        }
        guard let guid = objects.first(tag: 0x34) else {
            throw OperatorCardError(.malformedCHUID, "the CHUID has no GUID (tag 34)")
        }
        guard let guidValue = CardGUID(bytes: guid.value) else {
            throw OperatorCardError(.malformedCHUID, "the CHUID's GUID has \(guid.value.count) bytes, not 16")
        }
        guard let expiry = objects.first(tag: 0x35) else {
            throw OperatorCardError(.malformedCHUID, "the CHUID has no expiry date (tag 35)")
        }
        guard expiry.value.count == 8, expiry.value.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw OperatorCardError(.malformedCHUID, "the CHUID's expiry date is not 8 ASCII digits YYYYMMDD")
        }
        let text = String(decoding: expiry.value, as: UTF8.self)
        let month = Int(text.dropFirst(4).prefix(2)) ?? 0, day = Int(text.suffix(2)) ?? 0
        guard (1...12).contains(month), (1...31).contains(day) else {
            throw OperatorCardError(.malformedCHUID, "the CHUID's expiry date \(text) is not a date")
        }
        self.init(guid: guidValue, fascn: fascn.value, expiry: text)
    }

    /// The CHUID value this identity is written as (with an empty issuer signature `3E 00` and `FE 00`).
    public var chuidValue: [UInt8] {
        TLV(tag: 0x30, value: fascn).encoded() + TLV(tag: 0x34, value: guid.bytes).encoded()
            + TLV(tag: 0x35, value: Array(expiry.utf8)).encoded()
            + TLV(tag: 0x3E, value: []).encoded() + TLV(tag: 0xFE, value: []).encoded()
    }
}
