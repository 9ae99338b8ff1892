import History
import Registry

extension AdminContext {
    /// Reads the card in `reader` and proves it against the key pinned for it at issue. An unregistered card and a
    /// card that fails the challenge (a clone) are recorded as `auth.card.refused` and refused; `unregisteredHint`
    /// ends the refusal message for an unknown card.
    func readRegisteredCard(reader: String, unregisteredHint: String = "") throws -> (presented: PresentedCard, card: Card) {
        let registry = registry
        var registered: Card?
        let presented = try PresentedCard.read(reader: reader) { guid in
            registered = try? registry.cards.show(guid)
            return registered?.key.publicKey
        }
        let cardId = presented.guid.hex
        guard let card = registered else {
            try record(NewEvent(kind: .cardRefused, result: .denied, card: cardId, place: reader, details: EventDetails(reason: "unknown")))
            throw CommandFailure("card \(presented.guid.short) is not registered\(unregisteredHint)")
        }
        guard presented.authenticity.isGenuine else {
            try record(NewEvent(kind: .cardRefused, result: .denied, actor: card.operatorId, card: cardId, place: reader,
                                details: EventDetails(reason: "clone")))
            throw CommandFailure("card \(presented.guid.short) did not answer the challenge with its pinned key (\(presented.authenticity.explanation)); it is refused")
        }
        return (presented, card)
    }
}
