import NIOCore
import NIOHTTP1

/// Keeps a connection's socket readable while its one complete request is being answered.
///
/// Why: the answer now comes after the read that completed the request (`RequestCohort`
/// decides it once the loop has read every ready connection). When NIO asks for the next
/// read at the end of that read, NIOHTTP1's `HTTPServerPipelineHandler` sees a response
/// pending and holds the read back until the answer is written; NIO then turns the socket's
/// read interest off and, when the read is released, on again: two `epoll_ctl` calls per
/// request. This handler, placed before the pipelining handler, asks for the next read
/// itself in that one case, so the socket stays registered.
///
/// It asks only when nothing beyond that one request has arrived and the client reads its
/// answers: a pipelined request, a partial one, a full outbound buffer (the channel not
/// writable) or a drain for shutdown leave the read to the pipelining handler, whose
/// backpressure then applies exactly as before. What it can let in ahead is one more read
/// of the socket, the same bound the pipelining handler has between two answers.
final class ReadInterestKeeper: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private var requestsEnded = 0
    private var responsesEnded = 0
    /// True when the last part read ended a request: nothing partial is waiting.
    private var atRequestBoundary = true
    private var draining = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) {
            requestsEnded += 1
            atRequestBoundary = true
        } else {
            atRequestBoundary = false
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // Before passing it on: NIO asks for a read after this event only when none is
        // pending, so the pipelining handler never gets the read it would hold.
        if !draining, atRequestBoundary, requestsEnded - responsesEnded == 1, context.channel.isWritable { context.read() }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { responsesEnded += 1 }
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is DrainEvent || event is ChannelShouldQuiesceEvent { draining = true }
        context.fireUserInboundEventTriggered(event)
    }
}
