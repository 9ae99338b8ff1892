import Testing
import Vocabulary
@testable import Credentials

@Suite struct PINHashTests {
    /// Computed independently with Python: hmac(pepper=00..1f, "583029", sha256) then
    /// hashlib.scrypt(n=1024, r=8, p=1, salt=10..1f, dklen=32).
    static let vector = "$scrypt$ln=10,r=8,p=1$EBESExQVFhcYGRobHB0eHw$0sJKCfQoUkdXnQbsAAoPKbA/f/SV98vFHDm/ZbZpU5Q"
    static let pepper = try! Pepper(bytes: Array(0..<32))
    static let cheap = try! ScryptParameters(logN: 10, r: 8, p: 1, allowBelowMinimum: true)

    @Test func hashMatchesTheIndependentlyComputedVector() throws {
        let hasher = PINHasher(pepper: Self.pepper, parameters: Self.cheap)
        let made = try hasher.hash(PIN("583029"), salt: Array(16..<32), parameters: Self.cheap)
        #expect(made.phcString == Self.vector)
        #expect(try hasher.verify(PIN("583029"), against: Self.vector) == .match(needsRehash: false))
        #expect(try hasher.verify(PIN("583028"), against: Self.vector) == .mismatch)
    }

    @Test func aDifferentPepperDoesNotVerify() throws {
        let other = PINHasher(pepper: try Pepper(bytes: Array(1...32)), parameters: Self.cheap)
        #expect(try other.verify(PIN("583029"), against: Self.vector) == .mismatch)
    }

    @Test func newHashesHaveTheFormatARandomSixteenByteSaltAndRoundTrip() throws {
        let hasher = PINHasher(pepper: Self.pepper, parameters: Self.cheap)
        let first = try hasher.hash(PIN("583029"))
        let second = try hasher.hash(PIN("583029"))
        #expect(first.salt.count == 16)
        #expect(first.hash.count == 32)
        #expect(first.salt != second.salt)
        #expect(first.phcString.hasPrefix("$scrypt$ln=10,r=8,p=1$"))
        #expect(first.phcString.split(separator: "$").count == 4)
        let fields = first.phcString.split(separator: "$")
        #expect(!fields[2].contains("=") && !fields[3].contains("="))
        #expect(fields[2].count == 22 && fields[3].count == 43)
        let parsed = try PINHash(phc: first.phcString)
        #expect(parsed == first)
        #expect(parsed.phcString == first.phcString)
    }

    @Test(arguments: [
        "",
        "scrypt$ln=10,r=8,p=1$EBESExQVFhcYGRobHB0eHw$0sJKCfQoUkdXnQbsAAoPKbA/f/SV98vFHDm/ZbZpU5Q",
        "$argon2id$ln=10,r=8,p=1$EBESExQVFhcYGRobHB0eHw$0sJKCfQoUkdXnQbsAAoPKbA/f/SV98vFHDm/ZbZpU5Q",
        "$scrypt$ln=10,r=8$EBESExQVFhcYGRobHB0eHw$0sJKCfQoUkdXnQbsAAoPKbA/f/SV98vFHDm/ZbZpU5Q",
        "$scrypt$r=8,ln=10,p=1$EBESExQVFhcYGRobHB0eHw$0sJKCfQoUkdXnQbsAAoPKbA/f/SV98vFHDm/ZbZpU5Q",
        "$scrypt$ln=010,r=8,p=1$EBESExQVFhcYGRobHB0eHw$0sJKCfQoUkdXnQbsAAoPKbA/f/SV98vFHDm/ZbZpU5Q",
        "$scrypt$ln=-1,r=8,p=1$EBESExQVFhcYGRobHB0eHw$0sJKCfQoUkdXnQbsAAoPKbA/f/SV98vFHDm/ZbZpU5Q",
        "$scrypt$ln=40,r=8,p=1$EBESExQVFhcYGRobHB0eHw$0sJKCfQoUkdXnQbsAAoPKbA/f/SV98vFHDm/ZbZpU5Q",
        "$scrypt$ln=10,r=0,p=1$EBESExQVFhcYGRobHB0eHw$0sJKCfQoUkdXnQbsAAoPKbA/f/SV98vFHDm/ZbZpU5Q",
        "$scrypt$ln=10,r=8,p=99$EBESExQVFhcYGRobHB0eHw$0sJKCfQoUkdXnQbsAAoPKbA/f/SV98vFHDm/ZbZpU5Q",
        "$scrypt$ln=22,r=32,p=1$EBESExQVFhcYGRobHB0eHw$0sJKCfQoUkdXnQbsAAoPKbA/f/SV98vFHDm/ZbZpU5Q",
        "$scrypt$ln=10,r=8,p=1$EBESExQVFhcYGRobHB0e$0sJKCfQoUkdXnQbsAAoPKbA/f/SV98vFHDm/ZbZpU5Q",
        "$scrypt$ln=10,r=8,p=1$EBESExQVFhcYGRobHB0eHw==$0sJKCfQoUkdXnQbsAAoPKbA/f/SV98vFHDm/ZbZpU5Q",
        "$scrypt$ln=10,r=8,p=1$EBESExQVFhcYGRobHB0eHx$0sJKCfQoUkdXnQbsAAoPKbA/f/SV98vFHDm/ZbZpU5Q",
        "$scrypt$ln=10,r=8,p=1$EBESExQVFhcYGRobHB0eHw$0sJKCfQoUkdXnQbsAAoPKbA_f_SV98vFHDm_ZbZpU5Q",
        "$scrypt$ln=10,r=8,p=1$EBESExQVFhcYGRobHB0eHw$0sJKCfQoUkdXnQbsAAoPKbA/f/SV98vFHDm/ZbZpU5",
        "$scrypt$ln=10,r=8,p=1$EBESExQVFhcYGRobHB0eHw$0sJKCfQoUkdXnQbsAAoPKbA/f/SV98vFHDm/ZbZpU5Q$",
        "$scrypt$ln=10,r=8,p=1$$0sJKCfQoUkdXnQbsAAoPKbA/f/SV98vFHDm/ZbZpU5Q",
    ])
    func malformedStringsAreRefused(phc: String) {
        #expect(throws: CredentialsError.self) { try PINHash(phc: phc) }
        do {
            _ = try PINHash(phc: phc)
        } catch {
            #expect(error.code == .malformedHash)
        }
    }

    @Test func changedParametersAskForARehashOnlyAfterAGoodPIN() throws {
        let old = PINHasher(pepper: Self.pepper, parameters: Self.cheap)
        let stored = try old.hash(PIN("583029")).phcString
        let raised = PINHasher(pepper: Self.pepper, parameters: try ScryptParameters(logN: 11, r: 8, p: 1, allowBelowMinimum: true))
        #expect(try raised.verify(PIN("583029"), against: stored) == .match(needsRehash: true))
        #expect(try raised.verify(PIN("583028"), against: stored) == .mismatch)
        #expect(try old.verify(PIN("583029"), against: stored) == .match(needsRehash: false))
        let rehashed = try raised.hash(PIN("583029"))
        #expect(rehashed.parameters.logN == 11)
        #expect(try raised.verify(PIN("583029"), against: rehashed) == .match(needsRehash: false))
    }

    @Test func defaultParametersAreOWASPMinimumAndWeakerOnesNeedTheExplicitSwitch() throws {
        #expect(ScryptParameters.default.description == "ln=17,r=8,p=1")
        #expect(ScryptParameters.default.meetsOWASPMinimum)
        #expect(PINHasher(pepper: Self.pepper).parameters == .default)
        #expect(throws: CredentialsError.self) { try ScryptParameters(logN: 10, r: 8, p: 1) }
        #expect(throws: CredentialsError.self) { try ScryptParameters(logN: 17, r: 4, p: 1) }
        #expect(try ScryptParameters(logN: 16, r: 8, p: 2).meetsOWASPMinimum)
        #expect(try ScryptParameters(logN: 15, r: 8, p: 3).meetsOWASPMinimum)
        #expect(try ScryptParameters(logN: 10, r: 8, p: 1, allowBelowMinimum: true).logN == 10)
        #expect(throws: CredentialsError.self) { try ScryptParameters(logN: 30, r: 8, p: 1, allowBelowMinimum: true) }
        #expect(throws: CredentialsError.self) { try ScryptParameters(logN: 0, r: 8, p: 1, allowBelowMinimum: true) }
    }
}
