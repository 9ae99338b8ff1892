import NIOCore
import NIOHTTPTypes

/// Sent inward by ``RawByteWatcher`` each time bytes arrive, before the HTTP decoder sees them.
struct RequestBytesArrived: Sendable {}

/// The first handler of a connection's pipeline (next to the socket): tells ``RequestTimer`` that bytes arrived, so
/// that the time to read a request counts from its first byte, headers included (a slow sender cannot hide in the
/// header phase).
final class RawByteWatcher: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireUserInboundEventTriggered(RequestBytesArrived())
        context.fireChannelRead(data)
    }
}

/// Closes a connection that is too slow: a request must be read whole (headers and body) within `readTimeout` of its
/// first byte, and a kept-alive connection may wait at most `idleTimeout` for its next request. While a response is
/// being produced (an event stream may last for hours) no timer runs.
final class RequestTimer: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum Phase { case idle, reading, responding }

    private let readTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private var phase = Phase.idle
    private var deadline: Scheduled<Void>?

    init(readTimeout: TimeAmount, idleTimeout: TimeAmount) {
        self.readTimeout = readTimeout
        self.idleTimeout = idleTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context, idleTimeout) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context, idleTimeout)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is RequestBytesArrived {
            startReading(context)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: startReading(context)
        case .body: break
        case .end:
            phase = .responding
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            phase = .idle
            arm(context, idleTimeout)
        }
        context.write(data, promise: promise)
    }

    private func startReading(_ context: ChannelHandlerContext) {
        guard phase == .idle else { return }
        phase = .reading
        arm(context, readTimeout)
    }

    private func arm(_ context: ChannelHandlerContext, _ amount: TimeAmount) {
        deadline?.cancel()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: amount) { channel.close(promise: nil) }
    }
}
