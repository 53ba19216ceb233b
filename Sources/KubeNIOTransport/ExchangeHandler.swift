import Foundation
import KubeClient
import NIOCore
import NIOHTTP1
import NIOTLS

/// What an exchange reports to its caller as the response arrives (called on the event loop,
/// in order, never concurrently).
struct ExchangeCallbacks: Sendable {
    var onHead: @Sendable (Int, [(name: String, value: String)]) -> Void
    var onBody: @Sendable (Data) -> Void
    /// Checked after every body chunk: when set, the connection is closed and the exchange
    /// fails with `.cancelled`.
    var stop: CancellationFlag
}

/// A response that ended normally.
struct ExchangeHead: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    /// The server will keep the connection open for another request.
    var keepAlive: Bool
}

/// A failed exchange, and whether any of the response had arrived (only exchanges that saw
/// nothing may be sent again on a fresh connection).
struct ExchangeFailure: Error {
    var error: any Error
    var responseStarted: Bool
}

/// The last handler of a client connection's pipeline: reports the TLS handshake, runs one
/// request/response exchange at a time, and notices when an idle connection dies.
///
/// Why one handler owns all of it: the connection's life (handshake, exchange, idle, closed)
/// is one state machine on the event loop, so a timeout, a cancellation, a server close and
/// the end of a response can never race each other.
final class ExchangeHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    /// One request in flight.
    private final class Exchange {
        let callbacks: ExchangeCallbacks
        let promise: EventLoopPromise<ExchangeHead>
        var head: HTTPResponseHead?
        var started = false
        var deadline: Scheduled<Void>?

        init(callbacks: ExchangeCallbacks, promise: EventLoopPromise<ExchangeHead>) {
            self.callbacks = callbacks
            self.promise = promise
        }
    }

    private var context: ChannelHandlerContext?
    private var handshake: EventLoopPromise<Void>?
    private var current: Exchange?
    private var firstError: (any Error)?
    private(set) var isClosed = false

    /// - Parameter handshake: completed when TLS is up (nil for plain HTTP).
    init(handshake: EventLoopPromise<Void>?) {
        self.handshake = handshake
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Sends a request and completes `promise` when its response ended, or fails it with an
    /// `ExchangeFailure`. `deadline` bounds the exchange (nil: none).
    func start(
        head: HTTPRequestHead, body: ByteBuffer?, callbacks: ExchangeCallbacks,
        deadline: NIODeadline?, promise: EventLoopPromise<ExchangeHead>
    ) {
        guard let context, !isClosed, current == nil else {
            promise.fail(ExchangeFailure(error: firstError ?? ChannelError.ioOnClosedChannel, responseStarted: false))
            return
        }
        let exchange = Exchange(callbacks: callbacks, promise: promise)
        current = exchange
        if let deadline {
            let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
            exchange.deadline = context.eventLoop.scheduleTask(deadline: deadline) {
                loopBound.value.abort(
                    TransportError(
                        server: "", kind: .timeout,
                        detail: "no complete response before the request timeout (SwiftNIO)"))
            }
        }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body, body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        written.futureResult.whenFailure { error in loopBound.value.fail(error) }
    }

    /// Ends the exchange in flight (or a pending handshake) with `error` and closes the connection.
    func abort(_ error: any Error) {
        if firstError == nil { firstError = error }
        handshake?.fail(error)
        handshake = nil
        fail(error)
        close()
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        context?.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls {
            handshake?.succeed()
            handshake = nil
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let exchange = current else {
            // Bytes on an idle connection: the server is not speaking our protocol; drop it.
            close()
            return
        }
        switch unwrapInboundIn(data) {
        case .head(let head):
            guard head.status.code >= 200 else { return }  // 1xx: wait for the real answer
            exchange.head = head
            exchange.started = true
            exchange.callbacks.onHead(Int(head.status.code), head.headers.map { (name: $0.name, value: $0.value) })
        case .body(let buffer):
            exchange.started = true
            exchange.callbacks.onBody(Data(buffer.readableBytesView))
            if exchange.callbacks.stop.isSet {
                abort(TransportError(server: "", kind: .cancelled, detail: "the caller stopped reading the response"))
            }
        case .end:
            guard let head = exchange.head else {
                fail(ChannelError.eof)
                close()
                return
            }
            current = nil
            exchange.deadline?.cancel()
            let keepAlive = head.isKeepAlive
            exchange.promise.succeed(
                ExchangeHead(
                    status: Int(head.status.code),
                    headers: head.headers.map { (name: $0.name, value: $0.value) },
                    keepAlive: keepAlive))
            if !keepAlive { close() }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        abort(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        isClosed = true
        let error = firstError ?? ChannelError.eof
        handshake?.fail(error)
        handshake = nil
        fail(error)
        context.fireChannelInactive()
    }

    private func fail(_ error: any Error) {
        guard let exchange = current else { return }
        current = nil
        exchange.deadline?.cancel()
        exchange.promise.fail(ExchangeFailure(error: error, responseStarted: exchange.started))
    }
}
