import Foundation
import Testing
import Vocabulary
@testable import History

@Suite struct EncodingTests {
    @Test func genesisIsSHA256OfItsLabel() {
        #expect(Hex.encode(EventEncoding.genesis) == "53d566e53c502769940a6c6c6ece1cc593cc6997f90d09891a47ecd8498f0e28")
    }

    @Test func eventEncodingAndHashMatchTheFixedVector() throws {
        let details = try EventDetails(reason: "clone", retriesLeft: 2, outsideGrantedHours: true).encoded()
        #expect(Hex.encode(details) == "010005636c6f6e65050008000000000000000206000101")
        let enc = EventEncoding.encode(sequence: 1, timeMillis: 1_767_225_600_000, kind: "operation", result: "success",
                                       actor: "山田", card: nil, place: "t1", details: details)
        #expect(Hex.encode(enc) == "0100000000000000010000019b76daa80000096f7065726174696f6e000773756363657373010006e5b1b1e794b00001000274310017010005636c6f6e65050008000000000000000206000101")
        #expect(Hex.encode(EventEncoding.hash(previous: EventEncoding.genesis, encoding: enc)) == "4d3f373463928a041b81a958fc263111efa68f057c3ec7f6fc14bbb589ce8e8b")
    }

    @Test func detailsRoundTripAndRefuseNonCanonicalBytes() throws {
        let d = EventDetails(reason: "revoked", operation: "resident.view", record: "R-1", session: "s1", retriesLeft: 0,
                             outsideGrantedHours: false, year: 2026, count: 5, digest: Array(repeating: 7, count: 32), program: "cardgate 0.1.0")
        #expect(EventDetails.decode(try d.encoded()) == d)
        #expect(EventDetails.decode([0x02, 0x00, 0x01, 0x61, 0x01, 0x00, 0x01, 0x62]) == nil) // tags out of order
        #expect(EventDetails.decode([0x0B, 0x00, 0x00]) == nil) // unknown tag
        #expect(EventDetails.decode([0x06, 0x00, 0x01, 0x02]) == nil) // boolean not 0 or 1
    }

    @Test func detailsAreBoundedAndTextHasNoControlCharacters() {
        #expect(throws: HistoryError.self) { try EventDetails(reason: String(repeating: "x", count: 129)).encoded() }
        #expect(throws: HistoryError.self) { try EventDetails(reason: "a\nb").encoded() }
        let big = String(repeating: "y", count: 128)
        #expect { try EventDetails(reason: big, operation: big, record: big, session: big, program: big).encoded() } throws: {
            ($0 as? HistoryError)?.code == .invalidEvent && "\($0)".contains("at most 512")
        }
    }

    @Test func yearOfMillisMatchesTheCalendarAroundNewYear() {
        for y in [1999, 2000, 2024, 2026, 2100] {
            let start = HistoryTime.millis(HistoryTime.startOfYear(y))
            #expect(HistoryTime.year(ofMillis: start) == y)
            #expect(HistoryTime.year(ofMillis: start - 1) == y - 1)
        }
    }

    @Test func anEventEncodingDecodesToItsFieldsAndOnlyCanonicalBytesDo() throws {
        let details = try EventDetails(reason: "clone", retriesLeft: 2, outsideGrantedHours: true).encoded()
        let enc = EventEncoding.encode(sequence: 7, timeMillis: 1_767_225_600_000, kind: "operation", result: "success",
                                       actor: "山田", card: nil, place: "t1", details: details)
        let d = try #require(EventEncoding.decode(enc))
        #expect(d.sequence == 7 && d.timeMillis == 1_767_225_600_000 && d.kind == "operation" && d.actor == "山田" && d.card == nil && d.place == "t1")
        #expect(d.details == EventDetails(reason: "clone", retriesLeft: 2, outsideGrantedHours: true))
        #expect(EventEncoding.decode(enc + [0]) == nil)
        #expect(EventEncoding.decode(Array(enc.dropLast())) == nil)
        var other = enc
        other[0] = 2
        #expect(EventEncoding.decode(other) == nil)
    }

    @Test func kindPatternsSelectFamilies() {
        #expect(EventKind.pinFailed.matches("auth.pin.*"))
        #expect(!EventKind.cardRefused.matches("auth.pin.*"))
        #expect(EventKind.operation.matches("operation"))
        #expect(EventKind.allCases.allSatisfy { ["auth", "session", "door", "operation", "admin", "ledger", "system"].contains($0.family) })
    }
}

@Suite struct TextCheckTests {
    @Test(arguments: [("山田太郎", true), ("op-0042", true), ("a\u{7}b", false), ("tab\there", false), ("del\u{7F}", false),
                      ("c1\u{85}", false), ("nbsp\u{A0}", true), ("emoji 🚪", true)])
    func controlCharactersAreFoundLikeUnicodeCategoryCc(text: String, clean: Bool) {
        #expect(RawEvent.isCleanText(text) == clean)
        #expect(clean == !text.unicodeScalars.contains { $0.properties.generalCategory == .control })
    }

    @Test func malformedUTF8IsRefused() {
        for bytes: [UInt8] in [[0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE3, 0x81], [0x80]] {
            #expect(!bytes.withUnsafeBytes { RawEvent.isCleanUTF8($0) }, "\(bytes)")
        }
        #expect(Array("日本".utf8).withUnsafeBytes { RawEvent.isCleanUTF8($0) })
    }
}
