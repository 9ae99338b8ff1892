import Testing
@testable import APDU

@Suite struct StatusWordTests {
    @Test func namedConstantsHaveTheirISOValues() {
        let table: [(StatusWord, UInt16)] = [
            (.success, 0x9000), (.securityStatusNotSatisfied, 0x6982), (.authenticationBlocked, 0x6983),
            (.dataInvalid, 0x6984), (.conditionsNotSatisfied, 0x6985), (.incorrectData, 0x6A80),
            (.notFound, 0x6A82), (.incorrectP1P2, 0x6A86), (.wrongP1P2, 0x6B00),
            (.instructionNotSupported, 0x6D00), (.classNotSupported, 0x6E00), (.wrongLength, 0x6700),
        ]
        for (sw, raw) in table {
            #expect(sw.rawValue == raw)
            #expect(StatusWord(sw1: UInt8(raw >> 8), sw2: UInt8(raw & 0xFF)) == sw)
        }
    }

    @Test func familiesCarryTheirNumbers() {
        #expect(StatusWord(rawValue: 0x9000).family == .success)
        #expect(StatusWord(rawValue: 0x6110).family == .bytesRemaining(16))
        #expect(StatusWord(rawValue: 0x6100).family == .bytesRemaining(256))
        #expect(StatusWord(rawValue: 0x63C2).family == .retriesLeft(2))
        #expect(StatusWord(rawValue: 0x63C0).family == .retriesLeft(0))
        #expect(StatusWord(rawValue: 0x6C20).family == .wrongLength(exact: 32))
        #expect(StatusWord(rawValue: 0x6C00).family == .wrongLength(exact: 256))
        #expect(StatusWord(rawValue: 0x6300).family == .warning(StatusWord(rawValue: 0x6300)))
        #expect(StatusWord(rawValue: 0x6581).family == .executionError(StatusWord(rawValue: 0x6581)))
        #expect(StatusWord.notFound.family == .checkingError(.notFound))
        #expect(StatusWord(rawValue: 0x9001).family == .other(StatusWord(rawValue: 0x9001)))
    }

    @Test func retriesLeftCanBePatternMatched() {
        let sw = StatusWord(sw1: 0x63, sw2: 0xC1)
        guard case .retriesLeft(let n) = sw.family else {
            Issue.record("63C1 is not retriesLeft")
            return
        }
        #expect(n == 1)
    }

    @Test func descriptionShowsHexAndMeaning() {
        #expect(StatusWord.notFound.description == "6A82 (not found)")
        #expect(StatusWord(rawValue: 0x63C3).description == "63C3 (3 tries left)")
        #expect(StatusWord.success.bytes == [0x90, 0x00])
    }
}
