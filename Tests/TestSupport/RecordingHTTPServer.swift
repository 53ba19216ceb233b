import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import NIOPosix

/// A plain-HTTP server on 127.0.0.1 that records each request's method, path and headers and
/// answers every request with one fixed JSON body, or with what `respond` makes of the
/// request: enough to see what a client sends (impersonation headers, tokens, paging) where
/// the sandbox would ignore it.
public final class RecordingHTTPServer: Sendable {
    public struct Request: Sendable {
        public var method: String
        public var uri: String
        public var headers: [(name: String, value: String)]

        public func values(_ name: String) -> [String] {
            headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
        }
    }

    let group: MultiThreadedEventLoopGroup
    let channel: any Channel
    let log: Log

    public var url: String { "http://127.0.0.1:\(channel.localAddress?.port ?? 0)" }
    public var requests: [Request] { log.all }

    private init(group: MultiThreadedEventLoopGroup, channel: any Channel, log: Log) {
        self.group = group
        self.channel = channel
        self.log = log
    }

    public static func start(answer: String) async throws -> RecordingHTTPServer {
        try await start { _ in (200, answer) }
    }

    public static func start(
        respond: @escaping @Sendable (Request) -> (status: Int, body: String)
    ) async throws -> RecordingHTTPServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let log = Log()
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(log: log, respond: respond))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return RecordingHTTPServer(group: group, channel: channel, log: log)
    }

    public func stop() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }

    final class Log: Sendable {
        private let recorded = Mutex<[Request]>([])
        var all: [Request] { recorded.withLock { $0 } }
        func append(_ request: Request) { recorded.withLock { $0.append(request) } }
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let log: Log
        let respond: @Sendable (Request) -> (status: Int, body: String)
        var request: Request?

        init(log: Log, respond: @escaping @Sendable (Request) -> (status: Int, body: String)) {
            self.log = log
            self.respond = respond
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                let request = Request(
                    method: head.method.rawValue, uri: head.uri, headers: head.headers.map { ($0.name, $0.value) })
                log.append(request)
                self.request = request
            case .body:
                break
            case .end:
                guard let request else { return }
                let (status, answer) = respond(request)
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: "application/json")
                headers.add(name: "Content-Length", value: String(answer.utf8.count))
                context.write(
                    wrapOutboundOut(
                        .head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: headers))),
                    promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: answer)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
