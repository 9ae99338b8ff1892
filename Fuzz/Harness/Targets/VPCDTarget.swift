import APDU
import VirtualCard
import Vocabulary

/// The vpcd wire protocol on the card side: the byte stream pcscd's vpcd driver sends, cut into frames,
/// read as requests and answered by the virtual PIV card.
///
/// Contract: the frames found re-encode to exactly the bytes they came from, and what is left is an
/// incomplete frame; a one-byte payload is a control code and a longer one a command APDU; every command APDU
/// gets a response of 2 to 65535 bytes ending in one of the status words the virtual card documents, get-ATR
/// gets the ATR, nothing else gets an answer; every answer travels in a frame that reads back as itself.
public enum VPCDTarget: FuzzTarget {
    public static let name = "vpcd"

    static let image = try! CardImage.create()

    /// The status words `PIVCardEmulator` answers with (its documentation lists them).
    static let documentedStatus: Set<UInt16> = [0x9000, 0x6700, 0x6A82, 0x6A86, 0x6A80, 0x6D00, 0x6E00, 0x6985, 0x6F00]

    public static func run(_ input: [UInt8]) throws(ContractViolation) {
        let (payloads, consumed) = VPCDFrame.parse(input)
        try require(payloads.flatMap(VPCDFrame.encode) == Array(input[..<consumed]), "frames do not re-encode to their bytes")
        let rest = input[consumed...]
        if rest.count >= 2 {
            let announced = VPCDFrame.payloadLength(header: Array(rest.prefix(2)))
            try require(rest.count - 2 < announced, "a complete frame was left unread")
        }
        let card = PIVCardEmulator(image: image)
        for payload in payloads {
            let request = VPCDRequest(payload: payload)
            let reply = request.reply(from: card)
            switch request {
            case .apdu(let command):
                try require(command == payload && payload.count >= 2, "a payload of \(payload.count) bytes read as a command APDU")
                guard let reply else { throw ContractViolation("command \(Hex.encode(payload)) got no answer") }
                try require((2...VPCDFrame.maximumPayload).contains(reply.count), "an answer of \(reply.count) bytes")
                let sw = UInt16(reply[reply.count - 2]) << 8 | UInt16(reply[reply.count - 1])
                try require(documentedStatus.contains(sw) || sw >> 8 == 0x61, "command \(Hex.encode(payload)) answered with status \(String(sw, radix: 16))")
            case .getATR:
                try require(reply == card.atr, "get-ATR answered \(Hex.encode(reply ?? []))")
            case .none, .powerOff, .powerOn, .reset, .unknownControl:
                try require(payload.count <= 1, "a payload of \(payload.count) bytes read as a control code")
                try require(reply == nil, "control \(Hex.encode(payload)) was answered")
            }
            if let reply {
                let framed = VPCDFrame.parse(VPCDFrame.encode(reply))
                try require(framed.payloads == [reply] && framed.consumed == reply.count + 2, "an answer frame does not read back")
            }
        }
    }

    public static func seeds() throws -> [Seed] {
        let card = try SeedCard()
        let session: [[UInt8]] = [[0x01], [0x04]] + card.probeCommands + [[0x02], [0x00]]
        return [
            Seed("probe-session", session.flatMap(VPCDFrame.encode)),
            Seed("chained-select", [[0x01], [0x10, 0xA4, 0x04, 0x00, 0x05, 0xA0, 0x00, 0x00, 0x03, 0x08], [0x00, 0xA4, 0x04, 0x00, 0x02, 0x00, 0x00, 0x00]].flatMap(VPCDFrame.encode)),
            Seed("unknown-control-and-partial-frame", [0x00, 0x01, 0x07, 0x00, 0x00, 0x00, 0x05, 0x00, 0xA4]),
        ]
    }
}
