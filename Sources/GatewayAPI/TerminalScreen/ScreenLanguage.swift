/// The language of the lock screen, chosen from the locale.
public enum ScreenLanguage: String, Sendable, CaseIterable {
    /// 日本語.
    case japanese = "ja"
    /// English.
    case english = "en"

    /// Japanese when the effective message locale starts with `ja`, English otherwise.
    ///
    /// The effective locale follows POSIX: `LC_ALL`, else `LC_MESSAGES`, else `LANG` (the first set and
    /// non-empty one).
    public static func from(environment: [String: String]) -> ScreenLanguage {
        for key in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let value = environment[key], !value.isEmpty {
                return value.lowercased().hasPrefix("ja") ? .japanese : .english
            }
        }
        return .english
    }
}
