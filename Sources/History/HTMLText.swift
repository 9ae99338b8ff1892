/// Text made safe for HTML: every value that came from a person (a visitor's name, an operator id, a room id) goes
/// through ``escape(_:)`` before it is written into the entry book's page.
enum HTMLText {
    /// Escapes `&`, `<`, `>`, `"` and `'`, and drops control characters other than tab and line breaks (the history
    /// refuses them already; this keeps a page valid whatever it is given).
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.properties.generalCategory == .control { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
