/// The cost parameters of scrypt: N = 2^logN iterations, block size r, parallelism p.
///
/// The default (`ln=17, r=8, p=1`) is OWASP's minimum for scrypt. Anything weaker is refused unless the
/// configuration asks for it explicitly with `allowBelowMinimum` (tests only). Parameters read back from a
/// stored hash are only range-checked, so that old hashes can still be verified and then rehashed.
public struct ScryptParameters: Sendable, Equatable, CustomStringConvertible {
    /// log2 of the CPU/memory cost N.
    public let logN: Int
    /// The block size r.
    public let r: Int
    /// The parallelism p.
    public let p: Int

    /// OWASP's minimum, used by default: N = 2^17, r = 8, p = 1 (128 MiB per hash). Measured on the
    /// 2-core build machine in a release build: 238–317 ms at best, 279–368 ms median over 10 hashes
    /// (three runs, load average about 7).
    public static let `default` = ScryptParameters(checkedLogN: 17, r: 8, p: 1)

    /// Equivalent OWASP minimums (logN, p) at r = 8: parameters at least as strong as one of them pass.
    static let owaspMinimums: [(logN: Int, p: Int)] = [(17, 1), (16, 2), (15, 3), (14, 5), (13, 10)]

    /// Largest values accepted anywhere, so that a stored string cannot ask for unbounded memory or time.
    static let maximumLogN = 22
    static let maximumR = 32
    static let maximumP = 16

    /// Parameters from configuration. Refuses values out of range, and values below the OWASP minimum
    /// unless `allowBelowMinimum` is true (which only the test configuration should set).
    public init(logN: Int, r: Int, p: Int, allowBelowMinimum: Bool = false) throws(CredentialsError) {
        try Self.checkRange(logN: logN, r: r, p: p)
        let candidate = ScryptParameters(checkedLogN: logN, r: r, p: p)
        guard allowBelowMinimum || candidate.meetsOWASPMinimum else {
            throw CredentialsError(.parametersBelowMinimum, "scrypt parameters \(candidate) are below the OWASP minimum (ln=17, r=8, p=1 or an equivalent); weaker parameters need the explicit test setting")
        }
        self = candidate
    }

    init(checkedLogN logN: Int, r: Int, p: Int) {
        self.logN = logN
        self.r = r
        self.p = p
    }

    /// Most memory one hash may take (128 · r · N bytes): 1 GiB, eight times the default.
    static let maximumMemory = 1 << 30

    static func checkRange(logN: Int, r: Int, p: Int) throws(CredentialsError) {
        guard (1...maximumLogN).contains(logN), (1...maximumR).contains(r), (1...maximumP).contains(p) else {
            throw CredentialsError(.parametersOutOfRange, "scrypt parameters ln=\(logN), r=\(r), p=\(p) are out of range (ln 1–\(maximumLogN), r 1–\(maximumR), p 1–\(maximumP))")
        }
        guard 128 * r * (1 << logN) <= maximumMemory else {
            throw CredentialsError(.parametersOutOfRange, "scrypt parameters ln=\(logN), r=\(r), p=\(p) would need more than 1 GiB of memory per hash")
        }
    }

    /// Whether these parameters are at least as strong as one of OWASP's scrypt minimums.
    public var meetsOWASPMinimum: Bool {
        r >= 8 && Self.owaspMinimums.contains { logN >= $0.logN && p >= $0.p }
    }

    /// N, the CPU/memory cost.
    public var n: Int { 1 << logN }

    /// The PHC parameter field: `ln=17,r=8,p=1`.
    public var description: String { "ln=\(logN),r=\(r),p=\(p)" }
}
