/// Common and guessable PINs that a new PIN may not be.
///
/// Rules: too few different digits (000000, 121212, 101010), a run up or down (123456, 987654, 890123),
/// a repeated block (123123, 12341234), a mirror (123321), and a list of frequent PINs from published
/// PIN-frequency studies (keypad patterns, 159753, 147258, 520520 …).
enum PINBlocklist {
    /// Frequent six-digit and longer PINs that the rules below do not already catch.
    static let common: Set<String> = [
        "159753", "147258", "258369", "369258", "147852", "963852", "753951", "159357", "123654", "789456",
        "456123", "654987", "321654", "102030", "100200", "123789", "147369", "741852", "852963", "951753",
        "520520", "520131", "131420", "098765", "112233", "223344", "334455", "445566", "556677", "667788",
        "778899", "111222", "222333", "123412", "123321", "135790", "246810", "135791", "24681012",
        "11223344", "12344321", "20252025", "20262026", "19841984", "12131415", "12121990",
    ]

    /// Why the digits are refused, or nil when they pass.
    static func reason(for digits: [Int]) -> String? {
        guard !digits.isEmpty else { return nil }
        if Set(digits).count < 3 {
            return "fewer than three different digits"
        }
        let steps = zip(digits.dropFirst(), digits).map { ($0 - $1 + 10) % 10 }
        if steps.allSatisfy({ $0 == 1 }) { return "an ascending run of digits" }
        if steps.allSatisfy({ $0 == 9 }) { return "a descending run of digits" }
        for period in 1...(digits.count / 2) where digits.count % period == 0 {
            if digits.indices.allSatisfy({ digits[$0] == digits[$0 % period] }) {
                return "a repeated group of digits"
            }
        }
        if digits.count % 2 == 0, digits == digits.reversed() {
            return "a mirrored group of digits"
        }
        if common.contains(String(digits.map { Character(String($0)) })) {
            return "one of the most common PINs"
        }
        return nil
    }
}
