import Testing
@testable import OperatorCard

@Suite struct FASCNTests {
    // The FASC-N of NIST's PIV test cards: agency 9999, system 9999, credential 999999, series 0, issue 1,
    // person 0000000000, category 3, organisation 0000, association 1.
    let nistTestCard: [UInt8] = [
        0xD4, 0xE7, 0x39, 0xDA, 0x73, 0x9C, 0xED, 0x39, 0xCE, 0x73, 0x9D, 0x83, 0x68, 0x58, 0x21, 0x08,
        0x42, 0x10, 0x84, 0x21, 0xC8, 0x42, 0x10, 0xC3, 0xEB,
    ]

    @Test func decodesTheNISTTestCardFASCN() throws {
        let fascn = try #require(FASCN(bytes: nistTestCard))
        #expect(fascn.agency == "9999")
        #expect(fascn.system == "9999")
        #expect(fascn.credential == "999999")
        #expect(fascn.series == "0")
        #expect(fascn.issue == "1")
        #expect(fascn.person == "0000000000")
        #expect(fascn.category == "3")
        #expect(fascn.organisation == "0000")
        #expect(fascn.association == "1")
        #expect(fascn.description == "9999-9999-999999-0-1-0000000000-3-0000-1")
    }

    @Test func encodesTheNISTTestCardFASCN() throws {
        let fascn = try #require(FASCN(agency: "9999", system: "9999", credential: "999999", series: "0", issue: "1",
                                       person: "0000000000", category: "3", organisation: "0000", association: "1"))
        #expect(fascn.bytes == nistTestCard)
    }

    @Test func encodesAnotherVector() throws {
        // Computed with an independent encoder: SS 1234 FS 5678 FS 901234 FS 5 FS 6 FS 0123456789 7 8901 2 ES LRC.
        let fascn = try #require(FASCN(agency: "1234", system: "5678", credential: "901234", series: "5", issue: "6",
                                       person: "0123456789", category: "7", organisation: "8901", association: "2"))
        #expect(fascn.bytes == [
            0xD4, 0x11, 0x92, 0x5A, 0xAD, 0xE0, 0xAD, 0x30, 0xC1, 0x19, 0x25, 0xAB, 0x66, 0xD8, 0x30, 0x46,
            0x49, 0x56, 0xF0, 0x53, 0xE0, 0xA6, 0x18, 0x23, 0xFA,
        ])
        #expect(FASCN(bytes: fascn.bytes) == fascn)
    }

    @Test func aFlippedBitFailsParityOrLRC() {
        for bit in [0, 7, 100, 199] {
            var bytes = nistTestCard
            bytes[bit / 8] ^= 1 << (7 - UInt8(bit % 8))
            #expect(FASCN(bytes: bytes) == nil, "bit \(bit) flipped was accepted")
        }
    }

    @Test func wrongLengthsAndNonDigitsAreRefused() {
        #expect(FASCN(bytes: Array(nistTestCard.prefix(24))) == nil)
        #expect(FASCN(agency: "99A9", system: "9999", credential: "999999", series: "0", issue: "1",
                      person: "0000000000", category: "3", organisation: "0000", association: "1") == nil)
        #expect(FASCN(agency: "999", system: "9999", credential: "999999", series: "0", issue: "1",
                      person: "0000000000", category: "3", organisation: "0000", association: "1") == nil)
    }
}
