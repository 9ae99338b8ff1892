import Hummingbird

/// Reads a small JSON request body: size limit first, then media type, then the strict object rules, or the typed
/// body of the administration socket.
struct RequestBodyReader: Sendable {
    /// Largest body accepted, in bytes.
    let maximumBytes: Int

    /// The raw bytes (checked for size and media type).
    func bytes(_ request: Request) async throws -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maximumBytes {
            throw GatewayError(.bodyTooLarge, "the body is larger than \(maximumBytes) bytes")
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maximumBytes)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw GatewayError(.bodyTooLarge, "the body is larger than \(maximumBytes) bytes")
        }
        let bytes = Array(buffer.readableBytesView)
        if !bytes.isEmpty {
            let type = request.headers[.contentType]?.lowercased() ?? ""
            guard type == "application/json" || type.hasPrefix("application/json;") else {
                throw GatewayError(.unsupportedMediaType, "send the body as application/json")
            }
        }
        return bytes
    }

    /// A flat JSON object of strings with exactly the allowed keys.
    func object(_ request: Request, allowed: [String], required: Set<String>) async throws -> StrictJSONObject {
        try StrictJSONObject(bytes: try await bytes(request), allowed: allowed, required: required)
    }
}
