import Hummingbird
import HummingbirdCore
import Logging
import NIOHTTP1
import Vocabulary

extension SocketServer {
    /// What one connection's HTTP/1 channel does with each request: `responder` answers it with `caller` in its
    /// ``CallerContext``, and any error it lets through becomes the JSON `internal` error, except a broken request,
    /// on which the channel answers 400 and closes the connection.
    ///
    /// ``SocketServer`` builds one per admitted connection with the caller the kernel named; the fuzz harness runs the
    /// same responder on an in-process channel, without a socket, with a caller of its own.
    package static func channelResponder(
        _ responder: @escaping Responder, caller: Peer, logger: Logger
    ) -> HTTPChannelHandler.Responder {
        { request, writer, channel in
            var context = CallerContext(source: ApplicationRequestContextSource(channel: channel, logger: logger))
            context.caller = caller
            let response: Response
            do {
                response = try await responder(request, context)
            } catch let error as HTTPParserError {
                throw error  // the channel answers 400 and closes the connection
            } catch {
                logger.error("request failed", metadata: ["error.type": "\(type(of: error))"])
                response = APIResponses.error(GatewayError(.internal, "internal error of the gateway; see its log"))
            }
            try await writer.write(response: response.head, body: response.body)
        }
    }
}
