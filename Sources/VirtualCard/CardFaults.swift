/// Ways a virtual card can misbehave, for tests of the reader side.
public struct CardFaults: Sendable, Equatable {
    /// Same CHUID and certificate as the image, but a different private key: signatures do not verify.
    public var clone: Bool
    /// The card gives an ATR but never answers an APDU.
    public var mute: Bool
    /// Milliseconds to wait before each answer (0 = none).
    public var delayMilliseconds: Int

    /// A well-behaved card.
    public static let none = CardFaults()

    /// Makes a set of faults; by default none.
    public init(clone: Bool = false, mute: Bool = false, delayMilliseconds: Int = 0) {
        self.clone = clone
        self.mute = mute
        self.delayMilliseconds = max(0, delayMilliseconds)
    }
}
