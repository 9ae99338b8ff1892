import Testing
import Vocabulary
@testable import Credentials

@Suite struct PINPolicyTests {
    let policy = PINPolicy.default

    func refusal(_ text: String, _ policy: PINPolicy = .default) -> CredentialsError? {
        do {
            try policy.check(PIN(text))
            return nil
        } catch {
            return error
        }
    }

    @Test func defaultsAreSixToTwelveDigitsFiveHistoryFiveFailures() {
        #expect(policy.minimumLength == 6)
        #expect(policy.maximumLength == 12)
        #expect(policy.historyCount == 5)
        #expect(policy.maximumFailures == 5)
    }

    @Test(arguments: ["583029", "7391046", "90817263", "283746519203", "504918"])
    func ordinaryPINsPass(pin: String) {
        #expect(refusal(pin) == nil)
    }

    @Test func lengthOutsideTheRangeIsRefused() {
        #expect(refusal("58302")?.code == .pinTooShort)
        #expect(refusal("")?.code == .pinTooShort)
        #expect(refusal("5830291746382")?.code == .pinTooLong)
        let longer = try! PINPolicy(minimumLength: 8, maximumLength: 16)
        #expect(refusal("5830297", longer)?.code == .pinTooShort)
        #expect(refusal("58302974", longer) == nil)
    }

    @Test(arguments: ["58302a", "583 029", "５８３０２９", "583029\t", "-583029"])
    func anythingButASCIIDigitsIsRefused(pin: String) {
        #expect(refusal(pin)?.code == .pinNotDigits)
    }

    @Test(arguments: [
        "123456", "000000", "111111", "999999", "654321", "012345", "987654", "890123", "3456789",
        "121212", "101010", "112211", "123123", "12341234", "123321", "159753", "147258", "520520", "112233",
    ])
    func blocklistedPINsAreRefused(pin: String) {
        let error = refusal(pin)
        #expect(error?.code == .pinBlocklisted)
        #expect(error?.description.contains(pin) == false)
    }

    @Test func errorsNameTheRuleButNeverThePIN() {
        for pin in ["58302", "5830291746382", "58302a", "123456"] {
            let error = refusal(pin)
            #expect(error != nil)
            #expect(error?.description.contains(pin) == false)
        }
        #expect(refusal("58302")?.description.contains("at least 6 digits") == true)
    }

    @Test func lockoutThresholdOutsideThreeToTenIsRefusedNotClamped() throws {
        for bad in [0, 1, 2, 11, 100, -5] {
            #expect(throws: CredentialsError.self) { try PINPolicy(maximumFailures: bad) }
        }
        #expect(try PINPolicy(maximumFailures: 3).maximumFailures == 3)
        #expect(try PINPolicy(maximumFailures: 10).maximumFailures == 10)
        #expect(throws: CredentialsError.self) { try PINPolicy(minimumLength: 4) }
        #expect(throws: CredentialsError.self) { try PINPolicy(minimumLength: 10, maximumLength: 8) }
        #expect(throws: CredentialsError.self) { try PINPolicy(historyCount: 0) }
    }

    @Test func aPINMatchingOneOfTheRecentHashesIsRefusedAsReused() throws {
        let hasher = PINHasher(pepper: try Pepper(bytes: Array(repeating: 7, count: 32)),
                               parameters: try ScryptParameters(logN: 8, r: 8, p: 1, allowBelowMinimum: true))
        let recent = try ["583029", "7391046", "504918"].map { try hasher.hash(PIN($0)).phcString }
        for old in ["583029", "7391046", "504918"] {
            #expect(throws: CredentialsError.self) { try policy.checkNotReused(PIN(old), recentHashes: recent, hasher: hasher) }
        }
        try policy.checkNotReused(PIN("90817263"), recentHashes: recent, hasher: hasher)
        // Only the last `historyCount` hashes count.
        let short = try PINPolicy(historyCount: 2)
        try short.checkNotReused(PIN("504918"), recentHashes: recent, hasher: hasher)
        do {
            try short.checkNotReused(PIN("7391046"), recentHashes: recent, hasher: hasher)
            Issue.record("reuse was accepted")
        } catch {
            #expect(error.code == .pinReused)
            #expect(!error.description.contains("7391046"))
        }
    }
}
