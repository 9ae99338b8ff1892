import Foundation

/// Validation and formatting shared by the services.
enum RegistryFormat {
    /// `2026-11-02` in the machine's time zone (the site's, Asia/Tokyo), for messages.
    static func day(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone.current
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    /// An identifier: 1–64 of letters, digits, `.`, `_`, `-`, starting with a letter or digit.
    static func checkIdentifier(_ value: String, what: String) throws(RegistryError) {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
        guard (1...64).contains(value.count), value.allSatisfy({ allowed.contains($0) }),
              let first = value.first, first.isLetter || first.isNumber else {
            throw RegistryError(.invalidInput, "\(what) \"\(value.prefix(64))\" is not valid: use 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit")
        }
    }

    /// A display text (names, locations): NFC, trimmed, 1–`limit` characters, no control characters.
    static func checkText(_ value: String, what: String, limit: Int = 200, allowEmpty: Bool = false) throws(RegistryError) -> String {
        let text = value.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespaces)
        guard allowEmpty || !text.isEmpty else {
            throw RegistryError(.invalidInput, "\(what) must not be empty")
        }
        guard text.count <= limit else {
            throw RegistryError(.invalidInput, "\(what) is longer than \(limit) characters")
        }
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw RegistryError(.invalidInput, "\(what) contains control characters (tabs, line breaks…)")
        }
        return text
    }

    /// Refuses a period whose end is not after its start.
    static func checkPeriod(from: Date?, to: Date?, what: String) throws(RegistryError) {
        if let from, let to, to <= from {
            throw RegistryError(.invalidInput, "\(what): the end (\(day(to))) must be after the start (\(day(from)))")
        }
    }
}
