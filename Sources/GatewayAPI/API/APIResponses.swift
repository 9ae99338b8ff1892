import Foundation
import Hummingbird

/// Builds the API's JSON responses.
enum APIResponses {
    /// `value` as JSON with `status`.
    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try APIJSON.encoder().encode(value)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data))
        )
    }

    /// The error body `{"error": code, "message": …}` with the code's status.
    static func error(_ error: GatewayError) -> Response {
        let body = ErrorBody(error: error.code.rawValue, message: error.message, attemptsLeft: error.attemptsLeft)
        let data = (try? APIJSON.encoder().encode(body)) ?? Data(#"{"error":"internal","message":"encoding failed"}"#.utf8)
        return Response(
            status: HTTPResponse.Status(code: error.code.httpStatus),
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}
