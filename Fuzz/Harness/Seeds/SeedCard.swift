import APDU
import OperatorCard
import VirtualCard

/// A new virtual PIV card and the answers it gave to a real read: what seeds of the card targets are made of.
public struct SeedCard: Sendable {
    /// The card's image (CHUID fields, certificate, key).
    public let image: CardImage
    /// Every raw answer (data ‖ SW1 SW2) of `PIVCard.probe()`, in order, GET RESPONSE blocks included.
    public let probeAnswers: [[UInt8]]
    /// The commands of that probe, in order.
    public let probeCommands: [[UInt8]]

    /// Makes a card and reads it once through ``RecordingChannel``.
    public init() throws {
        image = try CardImage.create()
        let emulator = PIVCardEmulator(image: image)
        let recorder = RecordingChannel(EmulatorChannel(card: emulator))
        _ = try PIVCard(channel: recorder).probe()
        probeAnswers = recorder.exchanges.map(\.answer)
        probeCommands = recorder.exchanges.map(\.command)
    }

    /// The answer to SELECT: the application property template and `9000`.
    public var selectAnswer: [UInt8] { probeAnswers[0] }
    /// The CHUID object as GET DATA gives it: `53 L <CHUID>`.
    public var chuidObject: [UInt8] { TLV(tag: 0x53, value: image.identity.chuidValue).encoded() }
    /// The certificate object as GET DATA gives it: `53 L { 70 <DER> 71 01 00 FE 00 }`.
    public var certificateObject: [UInt8] {
        TLV(tag: 0x53, value: CardAuthenticationCertificate.objectValue(der: image.certificateDER)).encoded()
    }
    /// The GENERAL AUTHENTICATE answer of the probe: `7C L { 82 L <signature> }` and `9000`.
    public var signatureAnswer: [UInt8] { probeAnswers[probeAnswers.count - 1] }
}
