/// A configuration that cannot be used, naming the file and the key.
///
/// Its description reads `config/cardgate.toml: readers[2].direction: expected "in" or "out", got "up"`.
public struct ConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of problem it is.
    public enum Code: String, Hashable, Sendable {
        /// The file cannot be read.
        case unreadable
        /// The file is not valid TOML.
        case syntax
        /// A key the configuration does not know (often a typo).
        case unknownKey = "unknown-key"
        /// A required key is absent.
        case missingKey = "missing-key"
        /// A value of the wrong TOML type.
        case wrongType = "wrong-type"
        /// A value of the right type that is not allowed.
        case invalidValue = "invalid-value"
        /// An environment override that cannot be used.
        case invalidEnvironment = "invalid-environment"
    }

    /// The code to switch on.
    public let code: Code
    /// The configuration file as it was named to the loader.
    public let file: String
    /// The key path (`readers[2].direction`), the environment variable, or `nil` for the whole file.
    public let key: String?
    /// What is wrong and what is expected.
    public let message: String

    /// Creates an error.
    public init(code: Code, file: String, key: String?, message: String) {
        self.code = code
        self.file = file
        self.key = key
        self.message = message
    }

    public var description: String {
        if let key { return "\(file): \(key): \(message)" }
        return "\(file): \(message)"
    }
}
