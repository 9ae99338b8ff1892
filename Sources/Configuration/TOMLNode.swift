import TOMLKit

/// A parsed TOML value as a plain, sendable tree (TOMLKit's own types wrap C++ pointers).
enum TOMLNode: Sendable, Equatable {
    case table([String: TOMLNode])
    case array([TOMLNode])
    case string(String)
    case integer(Int)
    case float(Double)
    case boolean(Bool)
    /// A date, time or date-time; CardGate's configuration uses none, so only the type name is kept.
    case other(String)

    /// The TOML type's name for messages.
    var typeName: String {
        switch self {
        case .table: return "a table"
        case .array: return "an array"
        case .string: return "a string"
        case .integer: return "an integer"
        case .float: return "a floating-point number"
        case .boolean: return "a boolean"
        case .other(let name): return "a \(name)"
        }
    }

    /// A TOML syntax error with its place.
    struct SyntaxError: Error {
        let message: String
        let line: Int
        let column: Int
    }

    /// Parses a TOML document.
    static func parse(_ text: String) throws(SyntaxError) -> [String: TOMLNode] {
        try TOMLPreCheck.check(text)
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw SyntaxError(message: error.description, line: error.source.begin.line, column: error.source.begin.column)
        } catch {
            throw SyntaxError(message: "\(error)", line: 0, column: 0)
        }
        return convert(table)
    }

    private static func convert(_ table: TOMLTable) -> [String: TOMLNode] {
        var result: [String: TOMLNode] = [:]
        for (key, value) in table { result[key] = convert(value) }
        return result
    }

    private static func convert(_ value: any TOMLValueConvertible) -> TOMLNode {
        switch value.type {
        case .table: return .table(value.table.map(convert) ?? [:])
        case .array: return .array(value.array.map { $0.map(convert) } ?? [])
        case .string: return .string(value.string ?? "")
        case .int: return .integer(value.int ?? 0)
        case .double: return .float(value.double ?? 0)
        case .bool: return .boolean(value.bool ?? false)
        case .date, .time, .dateTime: return .other(value.type.description)
        }
    }
}
