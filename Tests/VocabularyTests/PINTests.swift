import Testing
@_spi(PINDigits) import Vocabulary

@Suite struct PINTests {
    @Test func descriptionsNeverShowTheDigits() {
        let pin = PIN("583029")
        var dumped = ""
        dump(pin, to: &dumped)
        for text in [pin.description, pin.debugDescription, "\(pin)", String(describing: pin), String(reflecting: pin), dumped] {
            #expect(!text.contains("583029"))
            #expect(!text.contains("5"))
        }
        #expect(pin.description == "PIN(redacted)")
    }

    @Test func oneTrailingLineEndingFromStandardInputIsRemoved() {
        #expect(PIN("583029\n").digits == Array("583029".utf8))
        #expect(PIN("583029\r\n").digits == Array("583029".utf8))
        #expect(PIN(" 583029").digits == Array(" 583029".utf8))
    }

    @Test func confirmationMatchesOnlyTheSamePIN() throws {
        #expect(PIN("583029").matches(PIN("583029")))
        #expect(!PIN("583029").matches(PIN("583028")))
        #expect(!PIN("583029").matches(PIN("5830290")))
        #expect(PIN("583029").matches(PIN("583029\n")), "a line ending from standard input is not part of the PIN")
    }

    @Test func digitsOfAGivenLengthAreRecognised() {
        #expect(PIN("1234").isDigits(length: 4...16))
        #expect(!PIN("123").isDigits(length: 4...16))
        #expect(!PIN("12a4").isDigits(length: 4...16))
        #expect(!PIN("１２３４").isDigits(length: 4...16), "full-width digits are not ASCII digits")
        #expect(PIN(String(repeating: "1", count: 500)).count <= PIN.maximumEntryBytes + 2, "an absurd entry is cut, not kept whole")
    }

    @Test func constantTimeEqualityComparesEveryByte() {
        #expect(ConstantTime.equal([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equal([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equal([0, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equal([1, 2], [1, 2, 3]))
        #expect(ConstantTime.equal([], []))
    }
}
