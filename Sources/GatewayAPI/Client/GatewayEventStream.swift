import AsyncHTTPClient

/// The events of `GET /v1/events`, decoded. Ends when the gateway closes the stream; throws
/// ``GatewayClientError`` for a stream it cannot read. Events of kinds this version does not know are skipped.
public struct GatewayEventStream: AsyncSequence, Sendable {
    /// Each element is one event.
    public typealias Element = GatewayEvent

    let body: HTTPClientResponse.Body

    /// Starts reading.
    public func makeAsyncIterator() -> Iterator {
        Iterator(chunks: body.makeAsyncIterator())
    }

    /// Reads chunks, parses them and hands out events one at a time.
    public struct Iterator: AsyncIteratorProtocol {
        var chunks: HTTPClientResponse.Body.AsyncIterator
        var parser = SSEParser()
        var pending: [SSEParser.Event] = []

        /// The next event, or nil at the end of the stream.
        public mutating func next() async throws -> GatewayEvent? {
            while true {
                while !pending.isEmpty {
                    let raw = pending.removeFirst()
                    let event: GatewayEvent?
                    do {
                        event = try ServerSentEvents.decode(kind: raw.name, data: raw.data)
                    } catch {
                        throw GatewayClientError(.badResponse, "cannot read a \(raw.name) event: \(error)")
                    }
                    if let event { return event }
                }
                guard let chunk = try await chunks.next() else { return nil }
                do {
                    pending = try parser.feed(chunk.readableBytesView)
                } catch {
                    throw GatewayClientError(.badResponse, error.description)
                }
            }
        }
    }
}
