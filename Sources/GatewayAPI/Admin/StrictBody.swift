import Foundation

/// Decodes a JSON request body into `T`, refusing keys that `T` does not know (a typo is an error, not ignored).
enum StrictBody {
    /// Accepts any JSON value, to list an object's keys without looking at their values.
    private struct AnyValue: Decodable {
        init(from decoder: any Decoder) throws {}
    }

    /// `T` decoded from `bytes` (an empty body is `{}`); ``GatewayError/Code/invalidJSON`` or
    /// ``GatewayError/Code/invalidField`` naming the key or the problem, never a value.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], allowed: Set<String>) throws(GatewayError) -> T {
        let data = bytes.isEmpty ? Data("{}".utf8) : Data(bytes)
        let keys: [String]
        do {
            keys = Array(try JSONDecoder().decode([String: AnyValue].self, from: data).keys)
        } catch {
            throw GatewayError(.invalidJSON, "the body must be one JSON object")
        }
        if let unknown = keys.first(where: { !allowed.contains($0) }) {
            throw GatewayError(.invalidField, "unknown field \"\(unknown.prefix(32))\"; allowed: \(allowed.sorted().joined(separator: ", "))")
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as GatewayError {
            throw error
        } catch DecodingError.keyNotFound(let key, _) {
            throw GatewayError(.invalidField, "field \"\(key.stringValue)\" is missing")
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
            throw GatewayError(.invalidField, "field \"\(context.codingPath.map(\.stringValue).joined(separator: "."))\" has the wrong type")
        } catch DecodingError.dataCorrupted(let context) {
            if let underlying = context.underlyingError as? GatewayError { throw underlying }
            throw GatewayError(.invalidField, "field \"\(context.codingPath.map(\.stringValue).joined(separator: "."))\" is not valid")
        } catch {
            throw GatewayError(.invalidJSON, "the body cannot be read")
        }
    }
}
