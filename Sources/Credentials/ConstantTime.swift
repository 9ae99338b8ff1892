/// Comparison of secrets whose running time does not depend on where they differ.
enum ConstantTime {
    /// True when `a` and `b` have the same length and the same bytes. The length is not secret here
    /// (digests have a fixed length); the contents are compared without an early exit.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices {
            difference |= a[index] ^ b[index]
        }
        return difference == 0
    }
}
