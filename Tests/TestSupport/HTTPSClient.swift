import HTTPSServerKit
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOTLS

/// TLS settings for the client side: whom to trust and, optionally, who we are.
public struct ClientTLS: Sendable {
    /// CA bundle the server certificate must chain to.
    public var trustRoots: PEMSource
    public var certificate: PEMSource?
    public var privateKey: PEMSource?
    /// Name to verify the server certificate against (SNI too); nil skips the hostname check.
    public var serverName: String?

    public init(
        trustRoots: PEMSource, certificate: PEMSource? = nil, privateKey: PEMSource? = nil, serverName: String? = nil
    ) {
        self.trustRoots = trustRoots
        self.certificate = certificate
        self.privateKey = privateKey
        self.serverName = serverName
    }

    func context() throws -> NIOSSLContext {
        var config = TLSConfiguration.makeClientConfiguration()
        config.minimumTLSVersion = .tlsv12
        config.trustRoots = .certificates(
            try NIOSSLCertificate.fromPEMBytes(Array(trustRoots.load("the trust roots").utf8)))
        config.certificateVerification = serverName == nil ? .noHostnameVerification : .fullVerification
        if let certificate, let privateKey {
            config.certificateChain = try NIOSSLCertificate.fromPEMBytes(
                Array(certificate.load("the client certificate").utf8)
            ).map { .certificate($0) }
            config.privateKey = .privateKey(
                try NIOSSLPrivateKey(bytes: Array(privateKey.load("the client key").utf8), format: .pem))
        }
        return try NIOSSLContext(configuration: config)
    }
}

extension ServerLimits {
    /// Production limits, except that a new connection has 60 s (not 10) to send its first
    /// request head. The header timer runs on the server's event loop from accept, while the
    /// test's next step (the request) waits its turn on the thread pool every test shares.
    /// Only the tests of that timer (`LimitsTests`) set it short.
    public static let forTests = ServerLimits(headerTimeout: .seconds(60))
}

/// A response as the client saw it.
public struct ClientResponse: Sendable {
    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: ByteBuffer

    public var bodyString: String { String(buffer: body) }
}

/// Failures of `HTTPSClient`.
public struct HTTPSClientError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// A minimal HTTP/1.1 client over one keep-alive connection (TLS or plain), for tests that
/// drive the servers built on this kit. Requests on one client run one at a time. (The
/// webhook's API client is `NIOTransport`; the sandbox calls webhooks with libcurl.)
public final class HTTPSClient: Sendable {
    private let channel: any Channel

    private init(channel: any Channel) { self.channel = channel }

    /// Connects (and completes the TLS handshake when `tls` is given).
    public static func connect(
        host: String, port: Int, tls: ClientTLS?,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> HTTPSClient {
        let sslContext = try tls?.context()
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let sslContext {
                        try sync.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: tls?.serverName))
                    }
                    try sync.addHTTPClientHandlers()
                    try sync.addHandler(ResponseCollector())
                }
            }
            .connect(host: host, port: port).get()
        let client = HTTPSClient(channel: channel)
        if sslContext != nil {
            // Surface handshake failures here rather than on the first request.
            try await client.handshake()
        }
        return client
    }

    private func handshake() async throws {
        let promise = channel.eventLoop.makePromise(of: Void.self)
        // A handshake that already failed has closed the channel: the close completes the
        // promise (completing an already completed promise is a no-op).
        channel.closeFuture.whenComplete { _ in
            promise.fail(HTTPSClientError(description: "the connection closed during the TLS handshake"))
        }
        channel.pipeline.fireUserInboundEventTriggered(ResponseCollector.AwaitHandshake(promise: promise))
        try await promise.futureResult.get()
    }

    /// Sends a request and waits for the whole response.
    public func send(
        _ method: HTTPMethod, _ uri: String, headers: HTTPHeaders = [:], body: ByteBuffer? = nil
    ) async throws -> ClientResponse {
        let promise = channel.eventLoop.makePromise(of: ClientResponse.self)
        try await write(method, uri, headers, body, .collect(promise))
        return try await promise.futureResult.get()
    }

    /// Sends a request and returns the status and head at once, and the body as a stream of
    /// chunks (for watch-style responses). The stream ends when the response ends.
    public func stream(
        _ method: HTTPMethod, _ uri: String, headers: HTTPHeaders = [:]
    ) async throws
        -> (HTTPResponseHead, AsyncThrowingStream<ByteBuffer, any Error>)
    {
        let (stream, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        let head = channel.eventLoop.makePromise(of: HTTPResponseHead.self)
        try await write(method, uri, headers, nil, .stream(head, continuation))
        return (try await head.futureResult.get(), stream)
    }

    private func write(
        _ method: HTTPMethod, _ uri: String, _ headers: HTTPHeaders, _ body: ByteBuffer?,
        _ sink: ResponseCollector.Sink
    ) async throws {
        var headers = headers
        if !headers.contains(name: "host") { headers.add(name: "Host", value: "localhost") }
        if let body { headers.replaceOrAdd(name: "Content-Length", value: String(body.readableBytes)) }
        let head = HTTPRequestHead(version: .http1_1, method: method, uri: uri, headers: headers)
        channel.pipeline.fireUserInboundEventTriggered(ResponseCollector.Expect(sink: sink))
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if let body { channel.write(HTTPClientRequestPart.body(.byteBuffer(body)), promise: nil) }
        do {
            try await channel.writeAndFlush(HTTPClientRequestPart.end(nil))
        } catch {
            // The event may never have reached the collector (closed pipeline): fail here.
            switch sink {
            case .collect(let promise): promise.fail(error)
            case .stream(let promise, let continuation):
                promise.fail(error)
                continuation.finish(throwing: error)
            }
            throw error
        }
    }

    /// Whether the server has not closed the connection.
    public var isOpen: Bool { channel.isActive }

    /// Waits until the server closes the connection.
    public func closed() async { try? await channel.closeFuture.get() }

    public func close() async { try? await channel.close() }
}

/// Hands response parts to the waiting request.
final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    enum Sink: Sendable {
        case collect(EventLoopPromise<ClientResponse>)
        case stream(EventLoopPromise<HTTPResponseHead>, AsyncThrowingStream<ByteBuffer, any Error>.Continuation)
    }
    struct Expect: Sendable { var sink: Sink }
    struct AwaitHandshake: Sendable { var promise: EventLoopPromise<Void> }

    private var pending: [Sink] = []
    private var head: HTTPResponseHead?
    private var body = ByteBuffer()
    private var handshake: EventLoopPromise<Void>?
    private var handshakeDone = false

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let expect = event as? Expect {
            pending.append(expect.sink)
        } else if let wait = event as? AwaitHandshake {
            if handshakeDone { wait.promise.succeed(()) } else { handshake = wait.promise }
        } else if case TLSUserEvent.handshakeCompleted = event as? TLSUserEvent ?? .shutdownCompleted {
            handshakeDone = true
            handshake?.succeed(())
            handshake = nil
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            if h.status == .continue { return }
            head = h
            body.clear()
            if case .stream(let promise, _)? = pending.first { promise.succeed(h) }
        case .body(let chunk):
            if case .stream(_, let continuation)? = pending.first {
                continuation.yield(chunk)
            } else {
                var chunk = chunk
                body.writeBuffer(&chunk)
            }
        case .end:
            guard !pending.isEmpty, let h = head else { return }
            switch pending.removeFirst() {
            case .collect(let promise):
                promise.succeed(ClientResponse(status: h.status, headers: h.headers, body: body))
            case .stream(_, let continuation): continuation.finish()
            }
            head = nil
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(HTTPSClientError(description: "the server closed the connection"))
        context.fireChannelInactive()
    }

    private func failAll(_ error: any Error) {
        handshake?.fail(error)
        handshake = nil
        for sink in pending {
            switch sink {
            case .collect(let promise): promise.fail(error)
            case .stream(let promise, let continuation):
                promise.fail(error)
                continuation.finish(throwing: error)
            }
        }
        pending.removeAll()
    }
}
