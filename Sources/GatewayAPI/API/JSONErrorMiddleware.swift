import Hummingbird
import Logging
import NIOHTTP1

/// Turns every error into a JSON error body and logs each request as one key=value line.
///
/// Only the method, the route template (`/v1/terminals/{id}/pin`), the id, the status, the error code and
/// the duration are logged: never a body, and never a raw path (a confused client could put a PIN in one;
/// an unmatched request logs `route=NotFound`).
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger
    /// The socket's routes, to tell a wrong method (405 with `Allow`) from an unknown path (404).
    let routes: RouteTable

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        let response: Response
        var code: String?
        do {
            response = try await next(request, context)
        } catch let error as HTTPParserError {
            throw error  // a broken request: the channel answers 400 and closes the connection
        } catch let error as GatewayError {
            code = error.code.rawValue
            response = APIResponses.error(error)
        } catch let error as any HTTPResponseError {
            let allowed = error.status.code == 404 ? routes.methods(for: request.uri.path) : []
            if allowed.isEmpty {
                let mapped = Self.map(error.status)
                code = mapped.code.rawValue
                response = APIResponses.error(mapped)
            } else {
                let mapped = GatewayError(.methodNotAllowed, "\(request.uri.path) answers \(allowed.joined(separator: ", ")) only")
                code = mapped.code.rawValue
                var answer = APIResponses.error(mapped)
                answer.headers[.allow] = allowed.joined(separator: ", ")
                response = answer
            }
        } catch {
            // The type only: a description could carry request data.
            logger.error("request failed", metadata: ["route": "\(context.endpointPath ?? "unmatched")", "error.type": "\(type(of: error))"])
            let mapped = GatewayError(.internal, "internal error of the gateway; see its log")
            code = mapped.code.rawValue
            response = APIResponses.error(mapped)
        }
        let elapsed = ContinuousClock.now - start
        let ms = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        var metadata: Logger.Metadata = [
            "method": "\(request.method.rawValue)",
            "route": "\(context.endpointPath ?? "unmatched")",
            "status": "\(response.status.code)",
            "ms": "\((ms * 10).rounded() / 10)",
        ]
        if let code { metadata["error"] = "\(code)" }
        if let id = context.parameters.get("id"), (try? InputRules.id(id, field: "id")) != nil { metadata["id"] = "\(id)" }
        // Reads that succeed are debug: a lock screen or door panel polls several times a second (about 25 MB of
        // log an hour at info in the soak). Acts, refusals and errors stay at info and above.
        let level: Logger.Level = response.status.code >= 500 ? .warning
            : (request.method == .get || request.method == .head) && response.status.code < 400 ? .debug : .info
        logger.log(level: level, "request", metadata: metadata)
        return response
    }

    /// Hummingbird's own errors (no route, body too large…) in the API's vocabulary.
    static func map(_ status: HTTPResponse.Status) -> GatewayError {
        switch status.code {
        case 404: GatewayError(.notFound, "no such route; see docs/openapi.yaml")
        case 405: GatewayError(.methodNotAllowed, "the route does not answer this method; see docs/openapi.yaml")
        case 413: GatewayError(.bodyTooLarge, "the body is larger than the API accepts")
        case 400..<500: GatewayError(.invalidRequest, "malformed request (HTTP \(status.code))")
        default: GatewayError(.internal, "internal error of the gateway (HTTP \(status.code)); see its log")
        }
    }
}
