import APDU
import Vocabulary

/// BER-TLV as PIV cards write it, response APDUs and status words: the bytes every card answer starts as.
///
/// Contract: a refused input throws ``APDUError`` (never traps); a decoded sequence re-encodes to bytes that
/// decode to the same objects, and to the input itself when the input used the shortest length forms;
/// `decodeSingle` agrees with `decodeAll`; constructed values decode the same way, level by level; a
/// response APDU splits into data and status word and joins back into the input.
public enum TLVTarget: FuzzTarget {
    public static let name = "tlv"

    public static func run(_ input: [UInt8]) throws(ContractViolation) {
        try checkSequence(input, depth: 0)
        try checkResponse(input)
    }

    /// Nesting followed into constructed values (PIV's objects nest three levels at most).
    static let maximumDepth = 8

    static func checkSequence(_ bytes: [UInt8], depth: Int) throws(ContractViolation) {
        let objects: [TLV]
        do {
            objects = try TLV.decodeAll(bytes)
        } catch {
            try require(!error.description.isEmpty, "APDUError \(error.code) without a message")
            try checkSingle(bytes, all: nil)
            return
        }
        let encoded = objects.flatMap { $0.encoded() }
        let again: [TLV]
        do {
            again = try TLV.decodeAll(encoded)
        } catch {
            throw ContractViolation("re-encoded TLVs \(Hex.encode(encoded)) do not decode: \(error)")
        }
        try require(again == objects, "TLVs of \(Hex.encode(bytes)) decode differently after re-encoding")
        try require(encoded.count <= bytes.count, "re-encoding \(Hex.encode(bytes)) made it longer")
        if usesShortestLengths(bytes) {
            try require(encoded == bytes, "\(Hex.encode(bytes)) re-encodes as \(Hex.encode(encoded))")
        }
        for object in objects {
            try require(object.tagBytes.count <= 3, "tag \(object.tag) has more than 3 bytes")
            try require(!object.tagBytes.isEmpty, "a decoded tag has no bytes")
            if object.isConstructed, depth < maximumDepth {
                try checkSequence(object.value, depth: depth + 1)
            }
        }
        try checkSingle(bytes, all: objects)
    }

    /// `decodeSingle` succeeds exactly when the bytes hold one object, and then gives that object.
    static func checkSingle(_ bytes: [UInt8], all: [TLV]?) throws(ContractViolation) {
        let single = try? TLV.decodeSingle(bytes)
        if let all, all.count == 1 {
            try require(single == all[0], "decodeSingle disagrees with decodeAll on \(Hex.encode(bytes))")
        } else {
            try require(single == nil, "decodeSingle accepted \(Hex.encode(bytes)), which is not exactly one TLV")
        }
    }

    /// True when every length field in the top-level sequence uses its shortest form (as ``TLV/encodeLength(_:)``).
    static func usesShortestLengths(_ bytes: [UInt8]) -> Bool {
        var rest = bytes[...]
        while !rest.isEmpty {
            guard let (tlv, used) = try? TLV.decodeFirst(rest) else { return false }
            let header = used - tlv.value.count
            guard header == tlv.tagBytes.count + TLV.encodeLength(tlv.value.count).count else { return false }
            rest = rest.dropFirst(used)
        }
        return true
    }

    static func checkResponse(_ bytes: [UInt8]) throws(ContractViolation) {
        let response: ResponseAPDU
        do {
            response = try ResponseAPDU(bytes: bytes)
        } catch {
            try require(bytes.count < 2 && error.code == .responseTooShort, "response APDU of \(bytes.count) bytes refused: \(error)")
            return
        }
        try require(response.bytes == bytes, "response APDU \(Hex.encode(bytes)) does not join back")
        let sw = response.statusWord
        try require(StatusWord(sw1: sw.sw1, sw2: sw.sw2) == sw, "status word \(sw.rawValue) does not split into SW1 SW2")
        try require(sw.description.hasPrefix(Hex.encode(sw.bytes).uppercased() + " ("), "status word description \(sw.description)")
        try require(!sw.meaning.isEmpty, "status word \(sw.rawValue) has no meaning")
        try require(sw.isSuccess == (sw.family == .success), "isSuccess and family disagree for \(sw.description)")
        switch sw.family {
        case .bytesRemaining(let n), .wrongLength(exact: let n):
            try require((1...256).contains(n), "\(sw.description) announces \(n) bytes")
        case .retriesLeft(let n):
            try require((0...15).contains(n), "\(sw.description) announces \(n) tries")
        default: break
        }
    }

    public static func seeds() throws -> [Seed] {
        let card = try SeedCard()
        return [
            Seed("select-answer", card.selectAnswer),
            Seed("chuid-object", card.chuidObject),
            Seed("certificate-object", card.certificateObject),
            Seed("general-authenticate-answer", card.signatureAnswer),
            Seed("long-length-forms", [0x53, 0x81, 0x03, 0x30, 0x01, 0x00, 0x5F, 0xC1, 0x02, 0x82, 0x00, 0x01, 0xAA, 0x90, 0x00]),
            Seed("retries-left", [0x63, 0xC2]),
            Seed("bytes-remaining", [0x01, 0x02, 0x61, 0x00]),
        ]
    }
}
