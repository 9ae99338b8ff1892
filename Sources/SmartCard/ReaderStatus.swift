/// A snapshot of one reader: its name and whether (and which) card is in it.
public struct ReaderStatus: Sendable, Equatable {
    /// The PC/SC reader name, e.g. "CardGate Test A 00 00".
    public let name: String
    /// Whether a card is in the reader.
    public let cardPresent: Bool
    /// The card's answer-to-reset; empty when no card is present.
    public let atr: [UInt8]
    /// Whether the card did not answer the reset (present but unusable).
    public let mute: Bool
    /// Whether another program has the card open.
    public let inUse: Bool

    /// Makes a snapshot.
    public init(name: String, cardPresent: Bool, atr: [UInt8], mute: Bool = false, inUse: Bool = false) {
        self.name = name
        self.cardPresent = cardPresent
        self.atr = atr
        self.mute = mute
        self.inUse = inUse
    }
}
