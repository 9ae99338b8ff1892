import Foundation

/// A checkpoint note compared and hashed by its UTF-8 bytes.
///
/// Notes are compared byte for byte: what a witness holds must be the very bytes signed, not a text Unicode
/// calls equivalent, and `String`'s own `==` and hashing normalise every non-ASCII text (the em dash of each
/// signature line) first, which made these comparisons a tenth of a seven-year verification.
struct NoteBytes: Hashable, Sendable {
    let text: String

    init(_ text: String) { self.text = text }

    static func == (a: NoteBytes, b: NoteBytes) -> Bool { sameBytes(a.text, b.text) }

    func hash(into hasher: inout Hasher) {
        var copy = text
        copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Whether two texts are the same bytes.
    static func sameBytes(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        var x = a, y = b
        return x.withUTF8 { p in y.withUTF8 { q in p.count == q.count && (p.count == 0 || memcmp(p.baseAddress!, q.baseAddress!, p.count) == 0) } }
    }
}
