import Logging
import NIOCore
import NIOHTTP1

/// Stands in front of NIOHTTP1's `HTTPServerPipelineHandler` and counts the complete requests
/// waiting for their answers. It does two things with that one count.
///
/// **Keeps the socket readable while a connection's one request is answered.** The answer
/// comes after the read that completed the request (`RequestCohort` decides it once the loop
/// has read every ready connection). When NIO asks for the next read at the end of that read,
/// the pipelining handler sees an answer pending and holds the read back until it is written;
/// NIO then turns the socket's read interest off and, when the read is released, on again:
/// two `epoll_ctl` calls per request. So when exactly one request waits, nothing partial
/// follows it, the client reads its answers (the channel is writable) and no drain has begun,
/// this handler asks for the next read itself. In every other case the pipelining handler's
/// backpressure applies as before; what can come in ahead is one more read of the socket, the
/// bound that handler has between two answers anyway.
///
/// **Closes a connection with more than `ServerLimits.maxPipelinedRequests` waiting.** The
/// pipelining handler answers one request at a time and holds the others, parsed, in memory.
/// It stops reading while an answer is pending, but everything one read of the socket brought
/// is parsed first: up to a megabyte of tiny pipelined requests, about 30 MiB once parsed.
/// Counting here, as they are parsed, closes the connection before that many pile up. API
/// servers and kubectl do not pipeline.
final class PipelineGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let limit: Int
    private let logger: Logger
    /// Complete requests read whose answers have not ended yet.
    private var waiting = 0
    /// True when the last part read ended a request: nothing partial follows.
    private var atRequestBoundary = true
    private var draining = false
    private var closing = false

    init(limit: Int, logger: Logger) {
        self.limit = limit
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }  // the rest of a flood already parsed: dropped
        guard case .end = unwrapInboundIn(data) else {
            atRequestBoundary = false
            return context.fireChannelRead(data)
        }
        atRequestBoundary = true
        waiting += 1
        guard waiting <= limit else {
            closing = true
            logger.warning(
                "connection closed: more than \(limit) pipelined requests waiting for their answers",
                metadata: ["remote": "\(context.channel.remoteAddress.map(ConnectionHandler.describe) ?? "?")"])
            return context.close(promise: nil)
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // Before passing it on: NIO asks for a read after this event only when none is
        // pending, so the pipelining handler never gets the read it would hold.
        if waiting == 1, atRequestBoundary, !draining, !closing, context.channel.isWritable { context.read() }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { waiting -= 1 }
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is DrainEvent || event is ChannelShouldQuiesceEvent { draining = true }
        context.fireUserInboundEventTriggered(event)
    }
}
