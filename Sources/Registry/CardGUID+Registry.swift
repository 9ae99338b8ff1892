import Vocabulary

extension CardGUID {
    /// A GUID typed by a person or read from the database: 32 hex digits (dashes allowed), or ``RegistryError``
    /// `invalidInput` naming what was given.
    public init(validating text: String) throws(RegistryError) {
        guard let guid = CardGUID(hex: text) else {
            throw RegistryError(.invalidInput, "\"\(text.prefix(48))\" is not a card GUID: expected 32 hex digits")
        }
        self = guid
    }

    /// The GUID of the 16 bytes read from a card, or ``RegistryError`` `invalidInput`.
    public init(validatingBytes bytes: [UInt8]) throws(RegistryError) {
        guard let guid = CardGUID(bytes: bytes) else {
            throw RegistryError(.invalidInput, "a card GUID has 16 bytes, not \(bytes.count)")
        }
        self = guid
    }
}
