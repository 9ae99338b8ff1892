import Crypto
import OperatorCard
import Registry
import Vocabulary

/// A card shown at the admin reader: its identity and certificate, and whether it answered a fresh
/// challenge with the expected key.
struct PresentedCard {
    let identity: CardIdentity
    let certificate: CardAuthenticationCertificate
    let guid: CardGUID
    let authenticity: AuthenticityResult

    /// What to pin at issue: GUID, FASC-N and the certificate's public key.
    var binding: CardBinding {
        CardBinding(guid: guid, fascn: identity.fascn, publicKeyDER: Array(certificate.publicKey.derRepresentation))
    }

    /// Reads the card in `reader` and challenges it: with the key `expected(guid)` returns (the pinned
    /// key of a registered card), or with its own certificate's key when that returns nil.
    static func read(reader: String, expected: (CardGUID) throws -> P256.Signing.PublicKey?) throws -> PresentedCard {
        let (card, connection) = try ReaderCard.open(reader: reader)
        defer { connection.disconnect() }
        do {
            _ = try card.selectApplication()
            let identity = try card.readIdentity()
            let certificate = try card.readCardAuthenticationCertificate()
            let guid = identity.guid
            let key = try expected(guid) ?? certificate.publicKey
            let result = try card.authenticate(publicKey: key)
            return PresentedCard(identity: identity, certificate: certificate, guid: guid, authenticity: result)
        } catch let error as CommandFailure {
            throw error
        } catch {
            throw CommandFailure("the card in \"\(reader)\" cannot be read: \(error)")
        }
    }
}
