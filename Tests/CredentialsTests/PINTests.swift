import Testing
@testable import Credentials

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
        #expect(PIN("583029\n").bytes == Array("583029".utf8))
        #expect(PIN("583029\r\n").bytes == Array("583029".utf8))
        #expect(PIN(" 583029").bytes == Array(" 583029".utf8))
    }

    @Test func confirmationMatchesOnlyTheSamePIN() throws {
        #expect(PIN("583029").matches(PIN("583029")))
        #expect(!PIN("583029").matches(PIN("583028")))
        #expect(!PIN("583029").matches(PIN("5830290")))
        #expect(throws: CredentialsError.self) { try PINPolicy.checkConfirmation(PIN("583029"), PIN("583028")) }
        try PINPolicy.checkConfirmation(PIN("583029"), PIN("583029\n"))
    }

    @Test func constantTimeEqualityComparesEveryByte() {
        #expect(ConstantTime.equal([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equal([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equal([0, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equal([1, 2], [1, 2, 3]))
        #expect(ConstantTime.equal([], []))
    }
}
