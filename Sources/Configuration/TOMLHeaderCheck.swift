/// toml++ 3 (inside TOMLKit 0.6.0) asserts, so a build with assertions aborts, when a table header's first key
/// starts with a character no key starts with (`[#a]`, `[!]`, a `[` that ends its line); found by fuzzing
/// (Fuzz/regressions/config). Such a header is a syntax error anyway: this finds it before toml++ sees the text.
enum TOMLHeaderCheck {
    /// Throws the syntax error of the first table header whose first key cannot start there.
    static func check(_ text: String) throws(TOMLNode.SyntaxError) {
        let b = Array(text.utf8)
        var i = 0, line = 1, lineStart = 0, arrayDepth = 0, atLineStart = true
        while i < b.count {
            let c = b[i]
            if c == ascii("\n") {
                (line, lineStart, atLineStart, i) = (line + 1, i + 1, true, i + 1)
                continue
            }
            if atLineStart, c == ascii(" ") || c == ascii("\t") {
                i += 1
                continue
            }
            if atLineStart, c == ascii("["), arrayDepth == 0 {
                var j = i + 1
                if j < b.count, b[j] == ascii("[") { j += 1 }
                while j < b.count, b[j] == ascii(" ") || b[j] == ascii("\t") { j += 1 }
                guard j < b.count, startsKey(b[j]) || b[j] == ascii("]") else {
                    throw TOMLNode.SyntaxError(
                        message: "a table header must start with a key (a letter, a digit, '-', '_' or a quoted key)",
                        line: line, column: j - lineStart + 1)
                }
                atLineStart = false
                i = j
                continue
            }
            atLineStart = false
            switch c {
            case ascii("#"):
                while i < b.count, b[i] != ascii("\n") { i += 1 }
            case ascii("\""), ascii("'"):
                i = skipString(b, from: i, line: &line, lineStart: &lineStart)
            case ascii("["):
                arrayDepth += 1
                i += 1
            case ascii("]"):
                arrayDepth = max(0, arrayDepth - 1)
                i += 1
            default:
                i += 1
            }
        }
    }

    /// The index after the string that starts at `start` (basic or literal, on one line or several).
    private static func skipString(_ b: [UInt8], from start: Int, line: inout Int, lineStart: inout Int) -> Int {
        let quote = b[start]
        let multiLine = start + 2 < b.count && b[start + 1] == quote && b[start + 2] == quote
        var i = start + (multiLine ? 3 : 1)
        while i < b.count {
            let c = b[i]
            if c == ascii("\\"), quote == ascii("\"") {
                i += 2
                if i - 1 < b.count, b[i - 1] == ascii("\n") { (line, lineStart) = (line + 1, i) }
                continue
            }
            if c == ascii("\n") {
                guard multiLine else { return i }
                (line, lineStart) = (line + 1, i + 1)
            }
            if c == quote {
                if !multiLine { return i + 1 }
                if i + 2 < b.count, b[i + 1] == quote, b[i + 2] == quote { return i + 3 }
            }
            i += 1
        }
        return i
    }

    private static func startsKey(_ c: UInt8) -> Bool {
        (c >= ascii("a") && c <= ascii("z")) || (c >= ascii("A") && c <= ascii("Z")) || (c >= ascii("0") && c <= ascii("9"))
            || c == ascii("-") || c == ascii("_") || c == ascii("\"") || c == ascii("'")
    }

    private static func ascii(_ s: Unicode.Scalar) -> UInt8 { UInt8(s.value) }
}
