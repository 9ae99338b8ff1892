import Foundation

/// An external command as an argument vector (never a shell string), with `{placeholders}` filled in when it runs.
public struct CommandTemplate: Hashable, Sendable {
    /// The placeholders a command may use.
    public enum Placeholder: String, Hashable, Sendable, CaseIterable {
        /// The terminal's identifier.
        case terminal
        /// The reader's PC/SC name.
        case reader
        /// The operator signed in (unlock only).
        case `operator`
        /// The door's identifier.
        case door
        /// The room's identifier.
        case room
        /// The reader's direction, `in` or `out`.
        case direction
        /// How long the door stays open, in seconds.
        case seconds
        /// Where an alarm was raised: a terminal, door or room id, or `history`.
        case place
        /// Why an alarm was raised, as a reason code.
        case reason
    }

    /// The argument vector; the first element is an absolute path to the program.
    public let argv: [String]

    /// Wraps an argument vector (the loader validates it).
    public init(argv: [String]) { self.argv = argv }

    /// The argument vector with each `{placeholder}` replaced by its value; a placeholder without a value is left out
    /// of its argument as an empty string.
    public func render(_ values: [Placeholder: String]) -> [String] {
        argv.map { argument in
            var result = argument
            for placeholder in Placeholder.allCases {
                result = result.replacingOccurrences(of: "{\(placeholder.rawValue)}", with: values[placeholder] ?? "")
            }
            return result
        }
    }

    /// The `{names}` used in one argument.
    static func placeholders(in argument: String) -> [String] {
        var names: [String] = []
        var rest = Substring(argument)
        while let open = rest.firstIndex(of: "{") {
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "}") else { break }
            names.append(String(after[..<close]))
            rest = after[after.index(after: close)...]
        }
        return names
    }
}
