/// Something that carries one raw command APDU to a card and brings back its raw response.
///
/// The PC/SC connection (`SmartCard`) and in-process test wiring both conform. `transmit` sends exactly
/// the bytes given and returns exactly what came back (response data followed by SW1 SW2): no
/// `61xx`/`6Cxx` handling and no command chaining, which the `APDU` module layers on top.
public protocol APDUChannel: Sendable {
    /// Sends one command APDU and returns the response APDU (data ‖ SW1 ‖ SW2).
    func transmit(_ command: [UInt8]) throws -> [UInt8]
}
