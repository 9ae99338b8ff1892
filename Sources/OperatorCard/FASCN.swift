/// The Federal Agency Smart Credential Number in the CHUID: 40 characters of 5 bits (4 data bits sent
/// least significant first, then an odd-parity bit), packed into 25 bytes (TIG SCEPACS §6).
///
/// Layout: `SS agency(4) FS system(4) FS credential(6) FS series(1) FS issue(1) FS person(10)
/// category(1) organisation(4) association(1) ES LRC`.
public struct FASCN: Equatable, Sendable, CustomStringConvertible {
    /// Agency code, 4 digits.
    public var agency: String
    /// System code, 4 digits.
    public var system: String
    /// Credential number, 6 digits.
    public var credential: String
    /// Credential series, 1 digit.
    public var series: String
    /// Individual credential issue, 1 digit.
    public var issue: String
    /// Person identifier, 10 digits.
    public var person: String
    /// Organisational category, 1 digit.
    public var category: String
    /// Organisational identifier, 4 digits.
    public var organisation: String
    /// Person/organisation association category, 1 digit.
    public var association: String

    private static let fieldLengths = [4, 4, 6, 1, 1, 10, 1, 4, 1]
    private static let startSentinel: UInt8 = 0xB, separator: UInt8 = 0xD, endSentinel: UInt8 = 0xF

    /// Makes a FASC-N from its fields; nil unless each is all digits of its exact length.
    public init?(agency: String, system: String, credential: String, series: String, issue: String,
                 person: String, category: String, organisation: String, association: String) {
        let fields = [agency, system, credential, series, issue, person, category, organisation, association]
        for (f, n) in zip(fields, Self.fieldLengths) where f.count != n || !f.allSatisfy({ $0.isASCII && $0.isNumber }) {
            return nil
        }
        (self.agency, self.system, self.credential, self.series, self.issue) = (agency, system, credential, series, issue)
        (self.person, self.category, self.organisation, self.association) = (person, category, organisation, association)
    }

    /// Decodes the 25-byte form; nil when a parity bit, a separator or the LRC is wrong.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 25 else { return nil }
        var chars: [UInt8] = []
        var bitIndex = 0
        func bit(_ i: Int) -> UInt8 { (bytes[i / 8] >> (7 - UInt8(i % 8))) & 1 }
        for _ in 0..<40 {
            var v: UInt8 = 0
            for k in 0..<4 { v |= bit(bitIndex + k) << UInt8(k) }
            let parity = bit(bitIndex + 4)
            guard (v.nonzeroBitCount + Int(parity)) % 2 == 1 else { return nil }
            chars.append(v)
            bitIndex += 5
        }
        guard chars[0] == Self.startSentinel, chars[38] == Self.endSentinel else { return nil }
        let lrc = chars[0..<39].reduce(0, ^)
        guard lrc == chars[39] else { return nil }
        // Positions of the separators after SS: 5, 10, 17, 19, 21, then the person and tail fields.
        for p in [5, 10, 17, 19, 21] where chars[p] != Self.separator { return nil }
        let digitRanges = [1..<5, 6..<10, 11..<17, 18..<19, 20..<21, 22..<32, 32..<33, 33..<37, 37..<38]
        var fields: [String] = []
        for r in digitRanges {
            guard chars[r].allSatisfy({ $0 <= 9 }) else { return nil }
            fields.append(String(chars[r].map { Character(String($0)) }))
        }
        self.init(agency: fields[0], system: fields[1], credential: fields[2], series: fields[3], issue: fields[4],
                  person: fields[5], category: fields[6], organisation: fields[7], association: fields[8])
    }

    /// The 25-byte encoding.
    public var bytes: [UInt8] {
        let digits = { (s: String) in s.map { UInt8($0.wholeNumberValue ?? 0) } }
        var chars: [UInt8] = [Self.startSentinel]
        chars += digits(agency) + [Self.separator] + digits(system) + [Self.separator] + digits(credential)
        chars += [Self.separator] + digits(series) + [Self.separator] + digits(issue) + [Self.separator]
        chars += digits(person) + digits(category) + digits(organisation) + digits(association) + [Self.endSentinel]
        chars.append(chars.reduce(0, ^))
        var out = [UInt8](repeating: 0, count: 25)
        var bitIndex = 0
        func put(_ b: UInt8) {
            if b != 0 { out[bitIndex / 8] |= 1 << (7 - UInt8(bitIndex % 8)) }
            bitIndex += 1
        }
        for c in chars {
            for k in 0..<4 { put((c >> UInt8(k)) & 1) }
            put(c.nonzeroBitCount % 2 == 0 ? 1 : 0)
        }
        return out
    }

    /// `agency-system-credential-series-issue-person-category-organisation-association`.
    public var description: String {
        [agency, system, credential, series, issue, person, category, organisation, association].joined(separator: "-")
    }
}
