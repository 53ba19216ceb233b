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

/// One connection's HTTP plumbing: it reports each request part, write, deadline and
/// channel event to its `ConnectionStateMachine` and performs the step that returns:
/// aggregate a request (within limits and timeouts), hand it to the `HTTPSHandler`, write
/// the answer, keep alive or close.
///
/// HTTPServerPipelineHandler in front of it serialises pipelined requests, so this
/// handler only ever has one request in flight; it hands over the next one from inside the
/// write of the previous answer's end (see `ConnectionStateMachine.responseComplete`).
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

    private let handler: any HTTPSHandler
    /// Decides this loop's requests together (`RequestCohort`).
    private let cohort: RequestCohort
    private let limits: ServerLimits
    private let logger: Logger
    private var machine: ConnectionStateMachine
    // The phase deadline (ConnectionHandler+Deadline.swift).
    var timer: Scheduled<Void>?
    /// When `timer` fires; nil when none is pending.
    var timerFiresAt: NIODeadline?
    /// The current phase's deadline; `.distantFuture` when none applies (while responding).
    var deadline = NIODeadline.distantFuture
    private var streamTask: Task<Void, Never>?
    /// The handler's work on an answer given `.later`; cancelled when the connection closes,
    /// since no one is left to read the answer.
    private var answerTask: Task<Void, Never>?
    private var peer: PeerIdentity??
    private var remote: String??
    /// Runs this loop's handler tasks (shared by its connections).
    private let executor: EventLoopTaskExecutor

    init(
        handler: any HTTPSHandler, cohort: RequestCohort, executor: EventLoopTaskExecutor, limits: ServerLimits,
        logger: Logger
    ) {
        self.handler = handler
        self.cohort = cohort
        self.executor = executor
        self.limits = limits
        self.logger = logger
        self.machine = ConnectionStateMachine(limits: limits)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        perform(machine.connectionStarted(), context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        perform(machine.channelInactive(), context)
        answerTask?.cancel()
        answerTask = nil
        timer?.cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): perform(machine.requestHead(head), context)
        case .body(let chunk): perform(machine.requestBody(chunk), context)
        case .end: perform(machine.requestEnd(writable: context.channel.isWritable), context)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        perform(machine.writabilityChanged(writable: context.channel.isWritable), context)
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let drain = event as? DrainEvent {
            perform(machine.drainStarted(quietPeriod: drain.quietPeriod), context)
            return
        }
        if let event = event as? ChannelEvent, event == .inputClosed {
            perform(machine.inputClosed(), context)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let tls = error as? NIOSSLError, case .uncleanShutdown = tls {
            return  // a FIN without close_notify: the inputClosed event that follows decides
        }
        logger.debug(
            "connection error",
            metadata: ["error": "\(error)", "peer": "\(context.channel.remoteAddress.map(Self.describe) ?? "?")"])
        perform(machine.errorCaught(), context)
    }

    /// Called by the deadline timer (ConnectionHandler+Deadline.swift).
    func timedOut(_ context: ChannelHandlerContext) {
        perform(machine.deadlinePassed(), context)
    }

    /// Performs what the state machine decided: the deadline first, then the action.
    private func perform(_ step: ConnectionStateMachine.Step, _ context: ChannelHandlerContext) {
        switch step.deadline {
        case .unchanged: break
        case .arm(let amount): arm(amount, context)
        case .clear: disarm()
        }
        switch step.action {
        case .none:
            break
        case .sendContinue(let version):
            context.writeAndFlush(
                wrapOutboundOut(.head(HTTPResponseHead(version: version, status: .continue))), promise: nil)
        case .dispatch(let head, let body):
            cohort.enqueue(request(head, body, context)) { self.answer($0, context) }
        case .refuse(let refusal, let head, let body):
            refuse(refusal, request(head, body, context), context)
        case .writeResponse:
            break  // only `responseReady`, which `write` handles itself
        case .writeEnd(thenClose: false):
            context.write(wrapOutboundOut(.end(nil)), promise: nil)
        case .writeEnd(thenClose: true):
            let written = context.eventLoop.makePromise(of: Void.self)
            context.write(wrapOutboundOut(.end(nil)), promise: written)
            written.futureResult.assumeIsolated().whenComplete { _ in
                self.perform(self.machine.endWritten(), context)
            }
        case .cancelStream:
            streamTask?.cancel()
        case .close:
            context.close(promise: nil)
        case .closeOutOfOrder(let what):
            logger.warning(
                "connection closed: out of order",
                metadata: [
                    "event": "\(what)", "peer": "\(context.channel.remoteAddress.map(Self.describe) ?? "?")",
                ])
            context.close(promise: nil)
        }
    }

    // MARK: - Requests and responses

    private func request(_ head: HTTPRequestHead, _ body: ByteBuffer, _ context: ChannelHandlerContext) -> ServerRequest
    {
        ServerRequest(
            method: head.method, uri: head.uri, headers: head.headers, body: body,
            peer: peerIdentity(context), remoteAddress: remoteAddress(context))
    }

    /// "ip:port" of the client, formatted once per connection rather than per request.
    private func remoteAddress(_ context: ChannelHandlerContext) -> String? {
        if let remote { return remote }
        let described = context.channel.remoteAddress.map(Self.describe)
        remote = .some(described)
        return described
    }

    /// Answers a request that cannot complete (too large, too slow) with the handler's
    /// refusal; `request.body` is what came so far, so the answer can still echo an
    /// identifier from it. The rest of the body is never read into memory: sixteen clients
    /// streaming past the limit must not cost sixteen times it.
    private func refuse(
        _ refusal: ConnectionStateMachine.Refusal, _ request: ServerRequest, _ context: ChannelHandlerContext
    ) {
        let handler = self.handler
        switch refusal {
        case .tooLarge:
            let limit = limits.maxBodyBytes
            answer(.later { await handler.bodyTooLarge(request, limit: limit) }, context)
        case .timedOut:
            let limit = limits.bodyTimeout
            answer(.later { await handler.bodyTimedOut(request, limit: limit) }, context)
        }
    }

    /// Writes an answer given now; runs later work as a task on this loop, then writes.
    private func answer(_ result: HandlerResult, _ context: ChannelHandlerContext) {
        switch result {
        case .now(let response):
            write(response, context)
        case .later(let work):
            let promise = context.eventLoop.makePromise(of: ServerResponse.self)
            answerTask = promise.completeOnLoop(executor, work)
            promise.futureResult.assumeIsolated().whenSuccess { response in
                self.answerTask = nil
                self.write(response, context)
            }
        }
    }

    private func write(_ response: ServerResponse, _ context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        let ready = machine.responseReady()
        guard case .writeResponse(let closeConnection) = ready.action else { return perform(ready, context) }
        var headers = response.headers
        if closeConnection { headers.replaceOrAdd(name: "connection", value: "close") }
        switch response.body {
        case .bytes(let buffer):
            headers.replaceOrAdd(name: "content-length", value: String(buffer.readableBytes))
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers))),
                promise: nil)
            if buffer.readableBytes > 0 { context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil) }
            perform(machine.responseComplete(), context)
            flushAfterThisTick(context)
        case .stream(let produce):
            headers.remove(name: "content-length")
            headers.replaceOrAdd(name: "transfer-encoding", value: "chunked")
            context.writeAndFlush(
                wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers))),
                promise: nil)
            let writer = ResponseBodyWriter(channel: context.channel)
            let finished = context.eventLoop.makePromise(of: Void.self)
            let executor = self.executor
            streamTask = Task(executorPreference: executor) {
                do { try await produce(writer) } catch { /* the client left or the producer failed: end the stream */  }
                executor.ifServing { finished.succeed(()) }
            }
            finished.futureResult.assumeIsolated().whenSuccess {
                self.streamTask = nil
                guard context.channel.isActive else { return }
                self.perform(self.machine.responseComplete(), context)
                context.flush()
            }
        }
    }

    /// Flushes once the event loop has handled every connection that was ready, rather than
    /// now: the responses of one loop iteration then reach the socket back to back.
    private func flushAfterThisTick(_ context: ChannelHandlerContext) {
        let loop = context.eventLoop.assumeIsolated()
        loop.execute { context.flush() }
    }

    private func peerIdentity(_ context: ChannelHandlerContext) -> PeerIdentity? {
        if let peer { return peer }
        let tls = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
        let identity = (try? tls?.peerCertificate?.toDERBytes()).flatMap {
            $0.flatMap(CertificateSubject.identity(fromDER:))
        }
        peer = .some(identity)
        return identity
    }

    static func describe(_ address: SocketAddress) -> String {
        if let ip = address.ipAddress, let port = address.port { return "\(ip):\(port)" }
        return "\(address)"
    }
}
