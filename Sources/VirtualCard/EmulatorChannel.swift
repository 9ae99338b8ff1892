import APDU

/// An ``APDUChannel`` straight into a ``CardEmulator``, in process: for tests and demos without pcscd.
public struct EmulatorChannel: APDUChannel {
    /// The card.
    public let card: any CardEmulator

    /// A mute card's silence, as the channel reports it.
    public struct MuteCard: Error, CustomStringConvertible {
        /// "the card did not answer".
        public var description: String { "the card did not answer (mute card)" }
    }

    /// Connects to `card` (after a reset, as an insertion does).
    public init(card: any CardEmulator) {
        self.card = card
        card.reset()
    }

    /// Hands the command to the card; throws ``MuteCard`` when it does not answer.
    public func transmit(_ command: [UInt8]) throws -> [UInt8] {
        guard let answer = card.process(command) else { throw MuteCard() }
        return answer
    }
}
