import Foundation
import GatewayAPI
import OperatorCard
import Registry
import SmartCard
import Vocabulary

/// A card read at the admin station for issue: its identity, its certificate, and whether it answered a fresh
/// challenge with its certificate's key (the key then pinned).
struct IssueReading: Sendable {
    let binding: CardBinding
    let genuine: Bool
    let explanation: String

    /// Reads the card in `reader`. Blocks (PC/SC): call it on a thread of its own.
    static func read(reader: String) -> Result<IssueReading, GatewayError> {
        do {
            let context = try PCSCContext()
            defer { context.release() }
            let connection = try context.connect(reader: reader, responseTimeout: .seconds(3))
            defer { connection.disconnect() }
            let card = PIVCard(channel: connection)
            try card.selectApplication()
            let identity = try card.readIdentity()
            let certificate = try card.readCardAuthenticationCertificate()
            let result = try card.authenticate(publicKey: certificate.publicKey)
            let binding = CardBinding(guid: identity.guid, fascn: identity.fascn, publicKeyDER: Array(certificate.publicKey.derRepresentation))
            return .success(IssueReading(binding: binding, genuine: result.isGenuine, explanation: result.explanation))
        } catch {
            return .failure(GatewayError(.unavailable, "the card in \"\(reader)\" cannot be read: \(error)"))
        }
    }
}
