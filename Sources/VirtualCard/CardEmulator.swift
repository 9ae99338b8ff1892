/// A card as the vpcd link sees it: an ATR, power and reset, and an APDU processor.
///
/// `VPCDLink` calls these from its own thread, one call at a time.
public protocol CardEmulator: AnyObject, Sendable {
    /// The answer-to-reset the reader reports for this card.
    var atr: [UInt8] { get }
    /// Called on power-on and reset: drop any selected application and transient state.
    func reset()
    /// Processes one command APDU and returns the response (data ‖ SW1 ‖ SW2), or `nil` to stay mute.
    func process(_ command: [UInt8]) -> [UInt8]?
}
