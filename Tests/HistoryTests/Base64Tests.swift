import Foundation
import Testing
@testable import History

/// The strict base64 codec against Foundation's, which it replaced for speed: the same encoding, and exactly
/// the texts Foundation decodes and encodes back unchanged are accepted.
@Suite struct Base64Tests {
    /// Foundation's decoding, restricted to canonical texts (the codec's former implementation).
    func reference(_ s: String) -> [UInt8]? {
        guard let data = Data(base64Encoded: s), data.base64EncodedString() == s else { return nil }
        return [UInt8](data)
    }

    @Test func encodesAsFoundationDoesAndDecodesItsOwnOutput() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<200 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let text = Base64.encode(bytes)
            #expect(text == Data(bytes).base64EncodedString())
            #expect(Base64.decode(text) == bytes)
        }
    }

    @Test func acceptsExactlyTheCanonicalTexts() {
        var generator = SystemRandomNumberGenerator()
        let symbols = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n\u{00e9}")
        var accepted = 0
        for round in 0..<20_000 {
            let text: String
            if round % 2 == 0 {
                // A valid encoding with one symbol changed, added or removed.
                var chars = Array(Data((0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64EncodedString())
                let position = chars.isEmpty ? 0 : Int.random(in: 0..<chars.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0 where !chars.isEmpty: chars[position] = symbols.randomElement(using: &generator)!
                case 1: chars.insert(symbols.randomElement(using: &generator)!, at: position)
                default: if !chars.isEmpty { chars.remove(at: position) }
                }
                text = String(chars)
            } else {
                text = String((0..<Int.random(in: 0...12, using: &generator)).map { _ in symbols.randomElement(using: &generator)! })
            }
            let expected = reference(text)
            #expect(Base64.decode(text) == expected, "\(text.debugDescription)")
            #expect(Base64.decode(Substring(text)) == expected)
            if expected != nil { accepted += 1 }
        }
        #expect(accepted > 1000)
    }

    @Test func refusesNonCanonicalSpellings() {
        #expect(Base64.decode("QQ==") == [0x41])
        #expect(Base64.decode("QR==") == nil)     // unused bits set
        #expect(Base64.decode("QUI=") == [0x41, 0x42])
        #expect(Base64.decode("QUJ=") == nil)
        #expect(Base64.decode("QQ") == nil)       // padding missing
        #expect(Base64.decode("Q===") == nil)
        #expect(Base64.decode("QQ==QQ==") == nil) // padding inside
        #expect(Base64.decode("QUJD\n") == nil)
        #expect(Base64.decode("-_-_") == nil)     // URL alphabet
        #expect(Base64.decode("") == [])
    }
}
