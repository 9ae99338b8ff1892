import APDU
import Crypto
import OperatorCard
import Vocabulary

/// The PIV card-authentication profile (`PIVCard`) against a card whose every answer comes from the fuzzer:
/// SELECT, GET DATA of the CHUID and of the certificate, GENERAL AUTHENTICATE, and the whole probe.
///
/// Input: one selector byte (which of those to do), then the card's answers as ``FuzzInput`` chunks.
///
/// Contract: every failure is an ``OperatorCardError`` with a message, and with the card's status word when
/// the card refused; transport errors only when the card went silent; every command sent is a well-formed
/// command APDU; what is accepted is consistent (a CHUID that reads back the same, a P-256 certificate, a DER
/// signature that re-encodes); and a card replaying answers never passes as genuine, because the challenge
/// is fresh.
public enum CardResponsesTarget: FuzzTarget {
    public static let name = "card-responses"

    enum Flow: UInt8, CaseIterable {
        case select, identity, certificate, sign, authenticate, probe
    }

    /// The challenge of the `sign` flow (fixed, so that a seed can carry a signature of it).
    static var fixedChallenge: ChallengeDigest { ChallengeDigest([UInt8](repeating: 0x5A, count: 32))! }

    public static func run(_ input: [UInt8]) throws(ContractViolation) {
        var reader = FuzzInput(input)
        let flow = Flow(rawValue: reader.byte() % UInt8(Flow.allCases.count))!
        let answers = reader.chunks()
        let channel = FuzzChannel(answers: answers)
        let card = PIVCard(channel: channel)
        do {
            if let broken = try perform(flow, on: card) { throw ContractViolation(broken) }
        } catch let violation as ContractViolation {
            throw violation
        } catch let error as OperatorCardError {
            try check(error, channel: channel)
        } catch {
            throw ContractViolation("untyped error \(error)")
        }
        for (index, command) in channel.commands.enumerated() {
            try require((try? CommandAPDU(bytes: command)) != nil, "command \(index) \(Hex.encode(command)) is not a command APDU")
        }
    }

    /// Runs `flow`; returns what is inconsistent in an accepted answer, nil when all is.
    static func perform(_ flow: Flow, on card: PIVCard) throws(OperatorCardError) -> String? {
        switch flow {
        case .select:
            _ = try card.selectApplication()
        case .identity:
            let identity = try card.readIdentity()
            if (try? CardIdentity(chuid: identity.chuidValue)) != identity { return "the CHUID read does not read back the same" }
        case .certificate:
            let certificate = try card.readCardAuthenticationCertificate()
            let again = try? CardAuthenticationCertificate(object: CardAuthenticationCertificate.objectValue(der: certificate.der))
            if again?.fingerprint != certificate.fingerprint { return "the certificate read does not read back the same" }
        case .sign:
            let signature = try card.sign(challenge: fixedChallenge)
            let again = try? P256.Signing.ECDSASignature(derRepresentation: signature.derRepresentation)
            if again?.rawRepresentation != signature.rawRepresentation { return "the signature does not re-encode" }
        case .authenticate:
            if try card.authenticate(publicKey: SeedKey.publicKey).isGenuine { return "replayed answers passed as genuine" }
        case .probe:
            if try card.probe().authenticity.isGenuine { return "replayed answers passed as genuine in a probe" }
        }
        return nil
    }

    static func check(_ error: OperatorCardError, channel: FuzzChannel) throws(ContractViolation) {
        try require(!error.description.isEmpty, "\(error.code) without a message")
        let given = channel.givenAnswers
        switch error.code {
        case .transport:
            try require(channel.commands.count == given.count + 1, "transport error while the card still had answers: \(error)")
        case .applicationNotFound, .objectMissing, .unexpectedStatus:
            let last = given.last ?? []
            try require(last.count >= 2, "\(error.code) without a status word from the card")
            try require(error.statusWord == StatusWord(sw1: last[last.count - 2], sw2: last[last.count - 1]),
                        "\(error.code) names status \(String(describing: error.statusWord)), the card's last was \(Hex.encode(last.suffix(2)))")
        case .randomUnavailable:
            throw ContractViolation("randomUnavailable from card answers: \(error)")
        default:
            try require(error.statusWord == nil, "\(error.code) carries a status word: \(error)")
        }
    }

    public static func seeds() throws -> [Seed] {
        let card = try SeedCard()
        let answers = card.probeAnswers
        // probe = SELECT, CHUID, certificate (with its GET RESPONSE blocks), GENERAL AUTHENTICATE.
        let certificateAnswers = Array(answers.dropFirst(2).dropLast())
        let fixedSignature = try SeedKey.privateKey.signature(for: fixedChallenge)
        let signAnswer = TLV(tag: 0x7C, children: [TLV(tag: 0x82, value: Array(fixedSignature.derRepresentation))]).encoded() + [0x90, 0x00]
        return [
            Seed("select", [Flow.select.rawValue] + FuzzInput.join([answers[0]])),
            Seed("identity", [Flow.identity.rawValue] + FuzzInput.join([answers[1]])),
            Seed("certificate", [Flow.certificate.rawValue] + FuzzInput.join(certificateAnswers)),
            Seed("sign", [Flow.sign.rawValue] + FuzzInput.join([signAnswer])),
            Seed("authenticate-replayed", [Flow.authenticate.rawValue] + FuzzInput.join([signAnswer])),
            Seed("probe", [Flow.probe.rawValue] + FuzzInput.join(answers)),
            Seed("object-missing", [Flow.identity.rawValue] + FuzzInput.join([[0x6A, 0x82]])),
            Seed("security-not-satisfied", [Flow.sign.rawValue] + FuzzInput.join([[0x69, 0x82]])),
        ]
    }
}

/// A fixed P-256 key: the key the `authenticate` flow expects, and the signer of the seeds' fixed challenge.
enum SeedKey {
    static var privateKey: P256.Signing.PrivateKey { try! P256.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 0x11, count: 32)) }
    static var publicKey: P256.Signing.PublicKey { privateKey.publicKey }
}
