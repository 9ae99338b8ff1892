import Foundation
import Testing
import Vocabulary

@Suite struct CardGUIDTests {
    @Test func sixteenBytesBecomeThirtyTwoLowerCaseHexDigits() throws {
        let guid = try #require(CardGUID(bytes: Array(0..<16)))
        #expect(guid.hex == "000102030405060708090a0b0c0d0e0f")
        #expect(guid.bytes == Array(0..<16))
        #expect(guid.short == "00010203…")
        #expect(CardGUID(bytes: Array(0..<15)) == nil)
        #expect(CardGUID(bytes: Array(0..<17)) == nil)
    }

    @Test func textInEitherCaseAndWithDashesIsTheSameGUID() throws {
        let dashed = try #require(CardGUID(hex: "3F2A9C01-0000-4000-8000-00000000ABCD"))
        #expect(dashed.hex == "3f2a9c0100004000800000000000abcd")
        #expect(CardGUID(hex: dashed.hex) == dashed)
        for bad in ["3f2a", String(repeating: "g", count: 32), String(repeating: "a", count: 34), "", String(repeating: "-", count: 100)] {
            #expect(CardGUID(hex: bad) == nil, "\(bad)")
        }
    }

    @Test func jsonCarriesTheHexDigitsAndRefusesAnythingElse() throws {
        let guid = try #require(CardGUID(hex: "00112233445566778899aabbccddeeff"))
        let data = try JSONEncoder().encode([guid])
        #expect(String(decoding: data, as: UTF8.self) == #"["00112233445566778899aabbccddeeff"]"#)
        #expect(try JSONDecoder().decode([CardGUID].self, from: data) == [guid])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([CardGUID].self, from: Data(#"["xyz"]"#.utf8)) }
    }
}
