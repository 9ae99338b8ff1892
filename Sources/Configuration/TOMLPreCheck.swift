/// Syntax errors that toml++ 3 (inside TOMLKit 0.6.0) does not survive, found before it sees the text. toml++
/// asserts (a build with assertions aborts; without them it goes on from a state its author ruled out) when
///
/// - a table header's first key starts with a character no key starts with (`[#a]`, `[!]`, a `[` that ends its line,
///   also after a byte-order mark);
/// - a value is a date followed by `T` and no time (`a = 1979-05-27Trole2:00Z`): it reads the time from a letter;
/// - a value is a date, a space and one digit (`1978-05-2e 7]`): it reads on into a time that has ended;
/// - a value is missing where one must start (`unlock = ['/bin/true',}`, `a = ,`).
///
/// All were found by fuzzing (Fuzz/regressions/config) and are syntax errors anyway. A bare key may look like a
/// date (`1979-05-27Tx = 1` is a valid key): only values are checked, that is what follows `=`, an array's `[` or
/// a `,` inside an array.
enum TOMLPreCheck {
    /// What a `[` or `{` opened inside a value.
    private enum Bracket { case array, inlineTable }

    /// Throws the syntax error of the first such header or value.
    static func check(_ text: String) throws(TOMLNode.SyntaxError) {
        let b = Array(text.utf8)
        // toml++ skips a byte-order mark at the very start: the first line starts after it.
        let bom = b.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var i = bom, line = 1, lineStart = bom, atLineStart = true
        var open: [Bracket] = []
        var expectValue = false
        var arrayDepth: Int { open.count }
        while i < b.count {
            let c = b[i]
            if c == ascii("\n") {
                (line, lineStart, atLineStart, i) = (line + 1, i + 1, true, i + 1)
                if open.isEmpty { expectValue = false }
                continue
            }
            if c == ascii(" ") || c == ascii("\t") || c == ascii("\r") {
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
            if c == ascii("#") {
                while i < b.count, b[i] != ascii("\n") { i += 1 }
                continue
            }
            let valueHere = expectValue
            expectValue = false
            // Where a value must start, toml++ asserts that it does not meet the end of one (`b = [1,}`, `a = ,`).
            if valueHere, c == ascii(",") || c == ascii("}") || (c == ascii("]") && open.last != .array) {
                throw TOMLNode.SyntaxError(message: "a value is missing before '\(Character(Unicode.Scalar(c)))'", line: line, column: i - lineStart + 1)
            }
            switch c {
            case ascii("\""), ascii("'"):
                i = skipString(b, from: i, line: &line, lineStart: &lineStart)
            case ascii("="):
                expectValue = true
                i += 1
            case ascii("["):
                open.append(.array)
                expectValue = true
                i += 1
            case ascii("{"):
                open.append(.inlineTable)
                i += 1
            case ascii("]"), ascii("}"):
                _ = open.popLast()
                i += 1
            case ascii(","):
                expectValue = open.last == .array
                i += 1
            default:
                if valueHere, let column = dateWithoutTime(b, at: i) {
                    throw TOMLNode.SyntaxError(message: "a date followed by 'T' must go on with a time (YYYY-MM-DDTHH:MM:SS)",
                                               line: line, column: column - lineStart + 1)
                }
                if valueHere, let column = spacedDateWithoutTime(b, at: i) {
                    throw TOMLNode.SyntaxError(message: "a date followed by a space and a digit must go on with a time (YYYY-MM-DD HH:MM:SS)",
                                               line: line, column: column - lineStart + 1)
                }
                i += 1
            }
        }
    }

    /// The index of the character after `YYYY-MM-DDT` when the value at `start` is such a date and that character is
    /// not a digit (the end of the text included); nil otherwise.
    private static func dateWithoutTime(_ b: [UInt8], at start: Int) -> Int? {
        let shape = Array("0000-00-00T".utf8)
        guard start + shape.count <= b.count else { return nil }
        for (offset, expected) in shape.enumerated() {
            let c = b[start + offset]
            switch expected {
            case ascii("0"): guard isDigit(c) else { return nil }
            case ascii("T"): guard c == ascii("T") || c == ascii("t") else { return nil }
            default: guard c == expected else { return nil }
            }
        }
        let next = start + shape.count
        return next < b.count && isDigit(b[next]) ? nil : next
    }

    /// The index of the value at `start` when it looks like a date to toml++ (ten characters, a digit first, `-` at 4
    /// and 7, nothing that ends a value among them), then a space, one digit and no second digit (the end of the text
    /// included); nil otherwise. toml++ reads on into a time there and asserts when the value ends after one digit
    /// (`1978-05-2e 7]`). It counts characters, not bytes (an invalid byte it reads as one), so this does too. A valid
    /// local date-time always has two digits of hour there.
    private static func spacedDateWithoutTime(_ b: [UInt8], at start: Int) -> Int? {
        guard isDigit(b[start]) else { return nil }
        var scalars: [UInt32] = []
        var iterator = b[start...].makeIterator()
        var decoder = UTF8()
        decoding: while scalars.count < 13 {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): scalars.append(scalar.value)
            case .error: scalars.append(0xFFFD)
            case .emptyInput: break decoding
            }
        }
        let digit = { (c: UInt32) in c >= 0x30 && c <= 0x39 }
        guard scalars.count >= 12, scalars[4] == 0x2D, scalars[7] == 0x2D, scalars[10] == 0x20, digit(scalars[11]),
              !scalars[0..<10].contains(where: { $0 < 0x80 && endsValue(UInt8($0)) }) else { return nil }
        return scalars.count > 12 && digit(scalars[12]) ? nil : start
    }

    /// Whether toml++ ends a value at this byte (ASCII whitespace, `]`, `}`, `,`, `#`).
    private static func endsValue(_ c: UInt8) -> Bool {
        c == ascii(" ") || c == ascii("\t") || c == ascii("\n") || c == ascii("\r") || c == 0x0B || c == 0x0C
            || c == ascii("]") || c == ascii("}") || c == ascii(",") || c == ascii("#")
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= ascii("0") && c <= ascii("9") }

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
