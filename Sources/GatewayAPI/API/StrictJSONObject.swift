import Foundation

/// Reads a request body that must be a flat JSON object of string fields: no unknown field, no missing
/// required field, no other type. Messages name fields, never values.
public struct StrictJSONObject: Sendable {
    /// The string fields present, by name.
    public let fields: [String: String]

    /// Parses `bytes`. An empty body counts as `{}`.
    public init(bytes: [UInt8], allowed: [String], required: Set<String>) throws(GatewayError) {
        let object: [String: Any]
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            object = [:]
        } else {
            let parsed: Any
            do {
                parsed = try JSONSerialization.jsonObject(with: Data(bytes), options: [])
            } catch {
                throw GatewayError(.invalidJSON, "the body is not valid JSON")
            }
            guard let dictionary = parsed as? [String: Any] else {
                throw GatewayError(.invalidJSON, "the body must be a JSON object")
            }
            object = dictionary
        }
        var fields: [String: String] = [:]
        for key in object.keys.sorted() {
            guard allowed.contains(key) else {
                let list = allowed.isEmpty ? "no fields" : allowed.map { "\"\($0)\"" }.joined(separator: ", ")
                // The unknown name is not echoed: it could be anything the client typed, a PIN included.
                throw GatewayError(.invalidField, "the body has an unknown field; this request takes \(list)")
            }
            guard let value = object[key] as? String, !(object[key] is NSNumber) else {
                throw GatewayError(.invalidField, "field \"\(key)\" must be a string")
            }
            fields[key] = value
        }
        for key in required.sorted() where fields[key] == nil {
            throw GatewayError(.invalidField, "missing field \"\(key)\"")
        }
        self.fields = fields
    }
}
