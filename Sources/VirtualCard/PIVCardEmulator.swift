import APDU
import Crypto
import Foundation
import OperatorCard

/// A PIV card with the card-authentication subset, from a ``CardImage``.
///
/// Answers SELECT of the PIV AID (any prefix of at least the 5-byte RID), GET DATA for the CHUID
/// (`5FC102`) and the Card Authentication certificate (`5FC101`), GENERAL AUTHENTICATE with key 9E /
/// algorithm 11 (the 32-byte challenge is signed as a digest), GET RESPONSE for answers longer than Le
/// (`61xx`), and chained commands (CLA `0x10`). Everything else gets the status word a real PIV card
/// gives: other objects `6A82`, unknown instructions `6D00`, wrong P1-P2 `6A86`, bad data `6A80`,
/// other CLA `6E00`, any instruction before the PIV application is selected `6D00`.
// @unchecked Sendable: the only mutable field, `state`, is read and written only with `lock` held;
// every other stored property is a `let` of a Sendable type.
public final class PIVCardEmulator: CardEmulator, @unchecked Sendable {
    /// The answer-to-reset: T=1, historical bytes "CardGate".
    public let atr: [UInt8]
    /// The image the card serves.
    public let image: CardImage
    /// The faults this card shows.
    public let faults: CardFaults

    private let signingKey: P256.Signing.PrivateKey
    private let lock = NSLock()
    private var state = State()

    private struct State {
        var selected = false
        var pending: [UInt8] = []
        var chain: (ins: UInt8, p1: UInt8, p2: UInt8, data: [UInt8])?
    }

    /// Largest command data accepted through chaining.
    static let maximumChainedData = 4096

    /// Makes a card from `image`, misbehaving as `faults` says.
    public init(image: CardImage, faults: CardFaults = .none) {
        self.image = image
        self.faults = faults
        self.signingKey = faults.clone ? P256.Signing.PrivateKey() : image.privateKey
        let historical = Array("CardGate".utf8)
        var atr: [UInt8] = [0x3B, 0x80 | UInt8(historical.count), 0x80, 0x01] + historical
        atr.append(atr.dropFirst().reduce(0, ^))   // TCK: XOR of T0 … last historical byte
        self.atr = atr
    }

    /// Power-on or reset: no application selected, no pending answer, no chain in progress.
    public func reset() {
        lock.withLock { state = State() }
    }

    /// Processes one command APDU; `nil` when the card is mute.
    public func process(_ command: [UInt8]) -> [UInt8]? {
        if faults.mute { return nil }
        if faults.delayMilliseconds > 0 {
            Thread.sleep(forTimeInterval: Double(faults.delayMilliseconds) / 1000)
        }
        return lock.withLock { handle(command) }
    }

    // MARK: - Dispatch (called with the lock held)

    private func handle(_ bytes: [UInt8]) -> [UInt8] {
        let command: CommandAPDU
        do {
            command = try CommandAPDU(bytes: bytes)
        } catch {
            state.pending = []
            state.chain = nil
            return StatusWord.wrongLength.bytes
        }
        guard command.cla & ~CommandAPDU.chainingBit == 0x00 else {
            return StatusWord.classNotSupported.bytes
        }
        if command.ins == PIV.Instruction.getResponse {
            return getResponse(command)
        }
        state.pending = []

        var full = command
        if command.isChainedBlock {
            if let chain = state.chain, (chain.ins, chain.p1, chain.p2) == (command.ins, command.p1, command.p2) {
                state.chain!.data += command.data
            } else {
                state.chain = (command.ins, command.p1, command.p2, command.data)
            }
            guard state.chain!.data.count <= Self.maximumChainedData else {
                state.chain = nil
                return StatusWord.wrongLength.bytes
            }
            return StatusWord.success.bytes
        }
        if let chain = state.chain {
            state.chain = nil
            if (chain.ins, chain.p1, chain.p2) == (command.ins, command.p1, command.p2) {
                full.data = chain.data + command.data
            }
        }
        full.cla = 0x00

        // Before the PIV application is selected, its instructions do not exist (as on a card whose
        // default application is the card manager).
        if !state.selected && full.ins != PIV.Instruction.select {
            return StatusWord.instructionNotSupported.bytes
        }
        switch full.ins {
        case PIV.Instruction.select: return select(full)
        case PIV.Instruction.getData: return getData(full)
        case PIV.Instruction.generalAuthenticate: return generalAuthenticate(full)
        default: return StatusWord.instructionNotSupported.bytes
        }
    }

    /// Answers `data` with `9000`, or its first Le bytes and `61xx` with the rest kept for GET RESPONSE.
    private func reply(_ data: [UInt8], le: Int?) -> [UInt8] {
        let limit = min(le ?? 256, 65536)
        guard data.count > limit else { return data + StatusWord.success.bytes }
        state.pending = Array(data[limit...])
        return Array(data[..<limit]) + [0x61, UInt8(min(state.pending.count, 256) & 0xFF)]
    }

    private func getResponse(_ command: CommandAPDU) -> [UInt8] {
        guard command.p1 == 0, command.p2 == 0 else {
            state.pending = []
            return StatusWord.incorrectP1P2.bytes
        }
        guard !state.pending.isEmpty else {
            return StatusWord.conditionsNotSatisfied.bytes
        }
        let rest = state.pending
        state.pending = []
        return reply(rest, le: command.le)
    }

    // MARK: - SELECT

    /// The long AID with its version, `A0 00 00 03 08 00 00 10 00 01 00`.
    private static let fullAID: [UInt8] = PIV.aid + [0x01, 0x00]

    private func select(_ command: CommandAPDU) -> [UInt8] {
        guard command.p1 == 0x04, command.p2 == 0x00 || command.p2 == 0x0C else {
            return StatusWord.incorrectP1P2.bytes
        }
        guard command.data.count >= PIV.rid.count, command.data.count <= Self.fullAID.count,
              Array(Self.fullAID.prefix(command.data.count)) == command.data else {
            return StatusWord.notFound.bytes
        }
        state.selected = true
        if command.p2 == 0x0C { return StatusWord.success.bytes }
        return reply(Self.applicationPropertyTemplate, le: command.le)
    }

    /// `61 { 4F 06 00 00 10 00 01 00 · 79 07 { 4F 05 A0 00 00 03 08 } · 50 label · AC { 80 01 11 · 06 01 00 } }`.
    static let applicationPropertyTemplate: [UInt8] = TLV(tag: 0x61, children: [
        TLV(tag: 0x4F, value: [0x00, 0x00, 0x10, 0x00, 0x01, 0x00]),
        TLV(tag: 0x79, children: [TLV(tag: 0x4F, value: PIV.rid)]),
        TLV(tag: 0x50, value: Array("CardGate virtual PIV".utf8)),
        TLV(tag: 0xAC, children: [TLV(tag: 0x80, value: [PIV.algorithmECCP256]), TLV(tag: 0x06, value: [0x00])]),
    ]).encoded()

    // MARK: - GET DATA

    private func getData(_ command: CommandAPDU) -> [UInt8] {
        guard command.p1 == 0x3F, command.p2 == 0xFF else { return StatusWord.incorrectP1P2.bytes }
        guard let request = try? TLV.decodeSingle(command.data), request.tag == 0x5C,
              (1...3).contains(request.value.count) else {
            return StatusWord.incorrectData.bytes
        }
        let tag = request.value.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let value: [UInt8]
        switch tag {
        case PIV.Object.chuid:
            value = image.identity.chuidValue
        case PIV.Object.cardAuthenticationCertificate:
            value = CardAuthenticationCertificate.objectValue(der: image.certificateDER)
        default:
            return StatusWord.notFound.bytes
        }
        return reply(TLV(tag: 0x53, value: value).encoded(), le: command.le)
    }

    // MARK: - GENERAL AUTHENTICATE

    private func generalAuthenticate(_ command: CommandAPDU) -> [UInt8] {
        guard command.p1 == PIV.algorithmECCP256, command.p2 == PIV.cardAuthenticationKey else {
            return StatusWord.incorrectP1P2.bytes
        }
        guard let template = try? TLV.decodeSingle(command.data), template.tag == 0x7C,
              let items = try? template.children(),
              let response = items.first(tag: 0x82), response.value.isEmpty,
              let challenge = items.first(tag: 0x81), let digest = ChallengeDigest(challenge.value) else {
            return StatusWord.incorrectData.bytes
        }
        guard let signature = try? signingKey.signature(for: digest) else {
            return StatusWord.noPreciseDiagnosis.bytes
        }
        let answer = TLV(tag: 0x7C, children: [TLV(tag: 0x82, value: [UInt8](signature.derRepresentation))])
        return reply(answer.encoded(), le: command.le)
    }
}
