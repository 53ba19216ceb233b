import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// Sent down a connection's pipeline when the server starts draining for shutdown.
///
/// A connection that is idle then is not closed at once: a request may already be on the
/// wire (a keep-alive client does not know yet), and closing under it loses that request
/// or, with its bytes unread in the socket, resets the connection. It gets `quietPeriod` for
/// a request to begin; one that does is answered with `Connection: close`.
struct DrainEvent: Sendable {
    var quietPeriod: TimeAmount
}

/// One connection's HTTP state machine: aggregate a request (within limits and
/// timeouts), hand it to the `HTTPSHandler`, write the answer, keep alive or close.
///
/// HTTPServerPipelineHandler in front of it serialises pipelined requests, so this
/// handler only ever has one request in flight; it hands over the next one from inside the
/// write of the previous answer's end (see `endResponse`).
///
/// A complete request goes to the loop's `RequestCohort`, which decides it together with the
/// other requests of the same loop iteration. Answers are flushed after the iteration, not
/// at once: with several connections ready together, their answers then leave back to
/// back, and the client's wake-ups (costly on virtual machines) are shared.
///
/// A client that stops reading its answers gets nothing more decided: once NIO's outbound
/// buffer passes its high watermark, the next request waits (and with it all reading) until
/// the client reads again, or is closed after the idle timeout. Without that, a client
/// pipelining requests and never reading made the server buffer answers without bound.
final class ConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        /// Waiting for a request head; `first` on a fresh connection.
        case idle(first: Bool)
        /// Reading the body of `head` into `body` (kept outside the enum so appending never copies).
        case receiving(HTTPRequestHead)
        /// The body was too large (or too slow): its answer is on the way, then the connection
        /// closes; what else arrives is dropped, never buffered.
        case discarding
        case responding
        case closed
    }

    private let handler: any HTTPSHandler
    /// Decides this loop's requests together (`RequestCohort`).
    private let cohort: RequestCohort
    private let limits: ServerLimits
    private let logger: Logger
    private var state = State.idle(first: true)
    // The phase deadline (ConnectionHandler+Deadline.swift).
    var timer: Scheduled<Void>?
    /// When `timer` fires; nil when none is pending.
    var timerFiresAt: NIODeadline?
    /// The current phase's deadline; `.distantFuture` when none applies (while responding).
    var deadline = NIODeadline.distantFuture
    private var keepAlive = true
    private var draining = false
    private var streamTask: Task<Void, Never>?
    private var peer: PeerIdentity??
    private var remote: String??
    private var body = ByteBuffer()
    /// A complete request held back while the client is not reading its answers.
    private var parked: (head: HTTPRequestHead, body: ByteBuffer)?
    private var loopExecutor: EventLoopTaskExecutor?
    /// Content-Length announced more than the cap: only `oversizePrefix` bytes are read.
    private var oversizeDeclared = false
    static let oversizePrefix = 64 * 1024

    init(handler: any HTTPSHandler, cohort: RequestCohort, limits: ServerLimits, logger: Logger) {
        self.handler = handler
        self.cohort = cohort
        self.limits = limits
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        arm(limits.headerTimeout, context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        state = .closed
        parked = nil
        disarm()
        timer?.cancel()
        streamTask?.cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (unwrapInboundIn(data), state) {
        case (.head(let head), .idle):
            keepAlive = head.isKeepAlive
            let expectsContinue = head.headers.first(name: "expect")?.lowercased() == "100-continue"
            oversizeDeclared = false
            if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > limits.maxBodyBytes {
                // Read a short prefix anyway (unless the client waits for 100-continue), so the
                // handler can still echo an identifier from it; then answer 413.
                guard !expectsContinue else {
                    tooLarge(head, ByteBuffer(), context)
                    return
                }
                oversizeDeclared = true
            }
            if expectsContinue {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
            }
            body = ByteBuffer()
            state = .receiving(head)
            arm(limits.bodyTimeout, context)
        case (.body(var chunk), .receiving(let head)):
            if oversizeDeclared {
                body.writeBuffer(&chunk)
                let prefix = min(Self.oversizePrefix, limits.maxBodyBytes)
                if body.readableBytes >= prefix {
                    tooLarge(head, body.getSlice(at: body.readerIndex, length: prefix) ?? body, context)
                }
                return
            }
            if body.readableBytes + chunk.readableBytes > limits.maxBodyBytes {
                tooLarge(head, body, context)
                return
            }
            // A body that arrives in one piece (the usual AdmissionReview) is kept as that
            // piece, a view of the decrypted bytes: no buffer allocated, nothing copied. The
            // cohort decides it before this connection is read again; a request still held
            // then (its parent fetched from the API) makes the decoder copy its buffer once,
            // as any shared ByteBuffer does.
            if body.readableBytes == 0 { body = chunk } else { body.writeBuffer(&chunk) }
        case (.end, .receiving(let head)) where oversizeDeclared:
            // The body ended before the declared length (the decoder would not allow this): still too large.
            tooLarge(head, body, context)
        case (.end, .receiving(let head)):
            disarm()
            state = .responding
            let complete = body
            body = ByteBuffer()
            guard context.channel.isWritable else {
                // The client is not reading its answers (NIO's outbound buffer is past its high
                // watermark): answer this one once it does. Until then it counts as in flight,
                // so the pipelining handler reads nothing more; memory stays bounded. A client
                // that never reads again is closed after the idle timeout.
                parked = (head, complete)
                arm(limits.idleTimeout, context)
                return
            }
            dispatch(head, complete, context)
        case (_, .discarding):
            break  // the rest of a refused body: dropped unread; the connection closes after the answer
        default:
            break  // parts after close, or out of order: the pipeline handler prevents these
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, let (head, body) = parked.take() {
            disarm()
            dispatch(head, body, context)
        }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let drain = event as? DrainEvent {
            draining = true
            switch state {
            case .idle: arm(drain.quietPeriod, context)  // timedOut closes it unless a request begins
            case .responding: streamTask?.cancel()  // a streaming response ends cleanly, then the connection closes
            case .receiving, .discarding, .closed: break
            }
            return
        }
        if let event = event as? ChannelEvent, event == .inputClosed {
            // Needs ChannelOptions.allowRemoteHalfClosure: without it NIO closes on the FIN,
            // and an answer still being written was lost.
            keepAlive = false  // the client half-closed (TCP FIN) after its request: answer it, then close
            switch state {
            case .idle, .receiving: context.close(promise: nil)  // no request, or one that can never complete
            case .responding: streamTask?.cancel()  // an answer is written, then the connection closes; a stream (a watch) has no reader left
            case .discarding, .closed: break
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let tls = error as? NIOSSLError, case .uncleanShutdown = tls {
            return  // a FIN without close_notify: the inputClosed event that follows decides
        }
        logger.debug("connection error", metadata: ["error": "\(error)", "peer": "\(context.channel.remoteAddress.map(Self.describe) ?? "?")"])
        context.close(promise: nil)
    }

    // MARK: - Requests and responses

    private func request(_ head: HTTPRequestHead, _ body: ByteBuffer, _ context: ChannelHandlerContext) -> ServerRequest {
        ServerRequest(method: head.method, uri: head.uri, headers: head.headers, body: body,
                      peer: peerIdentity(context), remoteAddress: remoteAddress(context))
    }

    /// "ip:port" of the client, formatted once per connection rather than per request.
    private func remoteAddress(_ context: ChannelHandlerContext) -> String? {
        if let remote { return remote }
        let described = context.channel.remoteAddress.map(Self.describe)
        remote = .some(described)
        return described
    }

    private func dispatch(_ head: HTTPRequestHead, _ body: ByteBuffer, _ context: ChannelHandlerContext) {
        cohort.enqueue(request(head, body, context)) { self.answer($0, context) }
    }

    /// Answers 413 and closes once the answer is written. The rest of the body is never read
    /// into memory: sixteen clients streaming past the limit must not cost sixteen times it.
    private func tooLarge(_ head: HTTPRequestHead, _ body: ByteBuffer, _ context: ChannelHandlerContext) {
        let handler = self.handler, limit = limits.maxBodyBytes
        refuse(head, body, context) { await handler.bodyTooLarge($0, limit: limit) }
    }

    /// Ends a request that cannot complete (too large, too slow) with the handler's answer,
    /// then closes the connection. `body` is what came so far, so the answer can still echo
    /// an identifier from it.
    private func refuse(_ head: HTTPRequestHead, _ body: ByteBuffer, _ context: ChannelHandlerContext,
                        _ make: @escaping @Sendable (ServerRequest) async -> ServerResponse) {
        state = .discarding
        keepAlive = false
        arm(limits.bodyTimeout, context)  // bounds writing the answer to a client that does not read
        let request = request(head, body, context)
        self.body = ByteBuffer()
        answer(.later { await make(request) }, context)
    }

    /// Writes an answer given now; runs later work as a task on this loop, then writes.
    private func answer(_ result: HandlerResult, _ context: ChannelHandlerContext) {
        switch result {
        case .now(let response):
            write(response, context)
        case .later(let work):
            let promise = context.eventLoop.makePromise(of: ServerResponse.self)
            promise.completeOnLoop(executor(context), work)
            promise.futureResult.assumeIsolated().whenSuccess { response in
                self.write(response, context)
            }
        }
    }

    private func write(_ response: ServerResponse, _ context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        var headers = response.headers
        let closeAfter = !keepAlive || draining
        if closeAfter { headers.replaceOrAdd(name: "connection", value: "close") }
        switch response.body {
        case .bytes(let buffer):
            headers.replaceOrAdd(name: "content-length", value: String(buffer.readableBytes))
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers))), promise: nil)
            if buffer.readableBytes > 0 { context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil) }
            endResponse(context)
            flushAfterThisTick(context)
        case .stream(let produce):
            headers.remove(name: "content-length")
            headers.replaceOrAdd(name: "transfer-encoding", value: "chunked")
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers))), promise: nil)
            let writer = ResponseBodyWriter(channel: context.channel)
            let finished = context.eventLoop.makePromise(of: Void.self)
            streamTask = Task(executorPreference: executor(context)) {
                do { try await produce(writer) } catch { /* the client left or the producer failed: end the stream */ }
                finished.succeed(())
            }
            finished.futureResult.assumeIsolated().whenSuccess {
                self.streamTask = nil
                guard context.channel.isActive else { return }
                self.endResponse(context)
                context.flush()
            }
        }
    }

    /// Writes the end of the response. A connection that stays open is idle again *before*
    /// that write: HTTPServerPipelineHandler hands over a pipelined next request from inside
    /// it, and this handler must be ready for it (it dropped such requests before). Closing
    /// (after a refused request too) waits until the end is written.
    private func endResponse(_ context: ChannelHandlerContext) {
        if case .responding = state, keepAlive, !draining {
            state = .idle(first: false)
            arm(limits.idleTimeout, context)
            context.write(wrapOutboundOut(.end(nil)), promise: nil)
            return
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        context.write(wrapOutboundOut(.end(nil)), promise: written)
        written.futureResult.assumeIsolated().whenComplete { _ in
            self.responseDone(context)
        }
    }

    /// Flushes once the event loop has handled every connection that was ready, rather than
    /// now: the responses of one loop iteration then reach the socket back to back.
    private func flushAfterThisTick(_ context: ChannelHandlerContext) {
        let loop = context.eventLoop.assumeIsolated()
        loop.execute { context.flush() }
    }

    private func responseDone(_ context: ChannelHandlerContext) {
        // Only answers that end the connection wait for their end to be written (endResponse).
        switch state {
        case .responding, .discarding:
            state = .closed
            context.close(promise: nil)
        case .idle, .receiving, .closed:
            break
        }
    }

    func timedOut(_ context: ChannelHandlerContext) {
        switch state {
        case .receiving(let head) where oversizeDeclared:
            // Waiting for the prefix of a body that is too large anyway: answer 413 with what came.
            tooLarge(head, body, context)
        case .receiving(let head):
            // A request whose body trickles in: the handler's 408, then close.
            let handler = self.handler, limit = limits.bodyTimeout
            refuse(head, body, context) { await handler.bodyTimedOut($0, limit: limit) }
        case .idle, .discarding:
            state = .closed
            context.close(promise: nil)
        case .responding where parked != nil:
            // Not reading its answers for the whole idle timeout: give up on it.
            parked = nil
            state = .closed
            context.close(promise: nil)
        case .responding, .closed:
            break
        }
    }

    /// The task executor of this connection's event loop, made once per connection.
    private func executor(_ context: ChannelHandlerContext) -> EventLoopTaskExecutor {
        if let loopExecutor { return loopExecutor }
        let made = EventLoopTaskExecutor(context.eventLoop)
        loopExecutor = made
        return made
    }

    private func peerIdentity(_ context: ChannelHandlerContext) -> PeerIdentity? {
        if let peer { return peer }
        let tls = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
        let identity = (try? tls?.peerCertificate?.toDERBytes()).flatMap { $0.flatMap(CertificateSubject.identity(fromDER:)) }
        peer = .some(identity)
        return identity
    }

    static func describe(_ address: SocketAddress) -> String {
        if let ip = address.ipAddress, let port = address.port { return "\(ip):\(port)" }
        return "\(address)"
    }
}
