import Hummingbird
import HummingbirdCore
import Logging
import NIOHTTP1

extension GatewayServer {
    /// What the server's HTTP/1 channel does with each request: `routes`' router answers it, and any error the
    /// router lets through becomes the JSON `internal` error, except a broken request, on which the channel
    /// answers 400 and closes the connection. The fuzz harness runs the same responder without a socket.
    package static func responder(routes: GatewayRoutes, logger: Logger) -> HTTPChannelHandler.Responder {
        let responder = routes.router().buildResponder()
        return { (request, responseWriter: consuming ResponseWriter, channel) in
            let context = BasicRequestContext(source: ApplicationRequestContextSource(channel: channel, logger: logger))
            let response: Response
            do {
                response = try await responder.respond(to: request, context: context)
            } catch let error as HTTPParserError {
                throw error  // the channel answers 400 and closes the connection
            } catch {
                logger.error("request failed", metadata: ["error.type": "\(type(of: error))"])
                response = APIResponses.error(GatewayError(.internal, "internal error of the gateway; see its log"))
            }
            try await responseWriter.write(response: response.head, body: response.body)
        }
    }
}
