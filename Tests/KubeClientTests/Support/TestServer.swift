import Foundation
import Synchronization
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A request as the test server saw it.
struct RecordedRequest: Sendable {
    var method: String
    var uri: String
    var headers: [(name: String, value: String)]
    var body: Data

    var path: String { String(uri.split(separator: "?", maxSplits: 1).first ?? "") }
    var query: [String: String] {
        guard let components = URLComponents(string: uri) else { return [:] }
        var result: [String: String] = [:]
        for item in components.queryItems ?? [] { result[item.name] = item.value ?? "" }
        return result
    }
    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
    func headerValues(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }
}

/// What the test server answers.
struct TestResponse: Sendable {
    var status: Int = 200
    var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
    /// Written one after the other (chunked encoding), then the response ends.
    var chunks: [Data] = []
    /// Close the connection without answering (a reset, as curl sees it).
    var closeWithoutResponse = false
    /// Wait before answering, in seconds (for timeout tests).
    var delay: TimeInterval = 0
    /// Send the head and chunks but never end the response (a watch that stays open).
    var keepOpen = false

    static func json(_ text: String, status: Int = 200, headers: [(name: String, value: String)] = []) -> TestResponse {
        TestResponse(
            status: status, headers: [("Content-Type", "application/json")] + headers, chunks: [Data(text.utf8)])
    }
}

/// TLS settings of the test server.
struct ServerTLS: Sendable {
    var certificatePEM: String
    var keyPEM: String
    /// When set, a client certificate signed by this CA is required.
    var clientCAPEM: String?
}

/// A small HTTP/1.1 server on 127.0.0.1 (port 0) over SwiftNIO, optionally with (mutual) TLS.
/// Every request is recorded; answers come from a closure.
final class TestServer: Sendable {
    typealias Handler = @Sendable (RecordedRequest) -> TestResponse

    let group: MultiThreadedEventLoopGroup
    let channel: any Channel
    let log: RequestLog
    let scheme: String

    var port: Int { channel.localAddress?.port ?? 0 }
    var url: String { "\(scheme)://127.0.0.1:\(port)" }
    var requests: [RecordedRequest] { log.requests }
    var connectionCount: Int { log.connections }
    var closedConnectionCount: Int { log.closed }

    private init(group: MultiThreadedEventLoopGroup, channel: any Channel, log: RequestLog, scheme: String) {
        self.group = group
        self.channel = channel
        self.log = log
        self.scheme = scheme
    }

    static func start(tls: ServerTLS? = nil, handler: @escaping Handler) async throws -> TestServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let log = RequestLog()
        var sslContext: NIOSSLContext?
        if let tls {
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(tls.certificatePEM.utf8)).map {
                    .certificate($0)
                },
                privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(tls.keyPEM.utf8), format: .pem)))
            if let clientCA = tls.clientCAPEM {
                configuration.certificateVerification = .noHostnameVerification
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(clientCA.utf8)))
            }
            sslContext = try NIOSSLContext(configuration: configuration)
        }
        let context = sslContext
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                log.connectionOpened()
                return channel.eventLoop.makeCompletedFuture {
                    if let context {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(RequestHandler(log: log, handler: handler))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return TestServer(group: group, channel: channel, log: log, scheme: tls == nil ? "http" : "https")
    }

    func stop() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

/// Runs `body` with a started server and always stops it.
func withServer<T>(
    tls: ServerTLS? = nil, handler: @escaping TestServer.Handler,
    _ body: (TestServer) async throws -> T
) async throws -> T {
    let server = try await TestServer.start(tls: tls, handler: handler)
    do {
        let result = try await body(server)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

final class RequestLog: Sendable {
    private struct State {
        var recorded: [RecordedRequest] = []
        var opened = 0
        var closed = 0
    }
    private let state = Mutex(State())
    var requests: [RecordedRequest] { state.withLock { $0.recorded } }
    var connections: Int { state.withLock { $0.opened } }
    var closed: Int { state.withLock { $0.closed } }
    func connectionClosed() { state.withLock { $0.closed += 1 } }
    func append(_ request: RecordedRequest) { state.withLock { $0.recorded.append(request) } }
    func connectionOpened() { state.withLock { $0.opened += 1 } }
}

private final class RequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let log: RequestLog
    private let handler: TestServer.Handler
    private var head: HTTPRequestHead?
    private var body = Data()

    init(log: RequestLog, handler: @escaping TestServer.Handler) {
        self.log = log
        self.handler = handler
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = Data()
        case .body(var buffer):
            if let bytes = buffer.readBytes(length: buffer.readableBytes) { body.append(contentsOf: bytes) }
        case .end:
            guard let head else { return }
            let request = RecordedRequest(
                method: head.method.rawValue, uri: head.uri,
                headers: head.headers.map { ($0.name, $0.value) }, body: body)
            log.append(request)
            let response = handler(request)
            let keepAlive = head.isKeepAlive
            if response.delay > 0 {
                let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: .milliseconds(Int64(response.delay * 1000))) {
                    let (handler, context) = loopBound.value
                    handler.respond(response, keepAlive: keepAlive, context: context)
                }
            } else {
                respond(response, keepAlive: keepAlive, context: context)
            }
        }
    }

    private func respond(_ response: TestResponse, keepAlive: Bool, context: ChannelHandlerContext) {
        if response.closeWithoutResponse {
            context.close(promise: nil)
            return
        }
        var headers = HTTPHeaders(response.headers.map { ($0.name, $0.value) })
        if response.chunks.count == 1 && !response.keepOpen {
            headers.replaceOrAdd(name: "Content-Length", value: String(response.chunks[0].count))
        } else if response.chunks.isEmpty && !response.keepOpen {
            headers.replaceOrAdd(name: "Content-Length", value: "0")
        } else {
            headers.replaceOrAdd(name: "Transfer-Encoding", value: "chunked")
        }
        let head = HTTPResponseHead(
            version: .http1_1, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        for chunk in response.chunks {
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: chunk)))), promise: nil)
        }
        if response.keepOpen {
            context.flush()
            return
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            done.whenComplete { _ in loopBound.value.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        log.connectionClosed()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
