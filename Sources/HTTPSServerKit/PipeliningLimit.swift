import Logging
import NIOCore
import NIOHTTP1

/// Closes a connection that has more than `ServerLimits.maxPipelinedRequests` complete
/// requests waiting for their answers.
///
/// Why: NIOHTTP1's pipelining handler answers one request at a time and holds the others,
/// parsed, in memory. It stops reading while an answer is pending, but everything one read
/// of the socket brought is parsed first: up to a megabyte of tiny pipelined requests, about
/// 30 MiB once parsed, per connection. Placed before that handler, this one counts requests
/// as they are parsed, so the connection is closed before that many pile up.
final class PipeliningLimit: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let limit: Int
    private let logger: Logger
    private var waiting = 0
    private var closing = false

    init(limit: Int, logger: Logger) {
        self.limit = limit
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }  // the rest of a flood already parsed: dropped
        if case .end = unwrapInboundIn(data) {
            waiting += 1
            if waiting > limit {
                closing = true
                logger.warning("connection closed: more than \(limit) pipelined requests waiting for their answers",
                               metadata: ["remote": "\(context.channel.remoteAddress.map(ConnectionHandler.describe) ?? "?")"])
                context.close(promise: nil)
                return
            }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { waiting -= 1 }
        context.write(data, promise: promise)
    }
}
