import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

// usage: nio-floor PORT CERT KEY ANSWER
// HTTPS/1.1 keep-alive on 127.0.0.1:PORT, one event loop, TLS 1.2+ as the webhook; every
// request gets 200 with the bytes of ANSWER as application/json.

/// Answers each complete request with the same body, in the loop iteration that read it.
final class FixedAnswer: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let body: ByteBuffer
    private let head: HTTPResponseHead

    init(body: ByteBuffer) {
        self.body = body
        head = HTTPResponseHead(
            version: .http1_1, status: .ok,
            headers: ["content-type": "application/json", "content-length": String(body.readableBytes)])
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

let arguments = CommandLine.arguments
guard arguments.count == 5, let port = Int(arguments[1]) else {
    print("usage: nio-floor PORT CERT KEY ANSWER")
    exit(2)
}
let certificates = try NIOSSLCertificate.fromPEMFile(arguments[2])
var tls = TLSConfiguration.makeServerConfiguration(
    certificateChain: certificates.map { .certificate($0) },
    privateKey: .privateKey(try NIOSSLPrivateKey(file: arguments[3], format: .pem)))
tls.minimumTLSVersion = .tlsv12
let context = try NIOSSLContext(configuration: tls)
guard let answerBytes = FileManager.default.contents(atPath: arguments[4]) else {
    print("nio-floor: cannot read \(arguments[4])")
    exit(1)
}
let answer = ByteBuffer(bytes: answerBytes)

let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
let channel = try await ServerBootstrap(group: group)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)  // as the webhook: TCP level, not SO_DEBUG
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            let sync = channel.pipeline.syncOperations
            try sync.addHandler(NIOSSLServerHandler(context: context))
            try sync.configureHTTPServerPipeline(withErrorHandling: true)
            try sync.addHandler(FixedAnswer(body: answer))
        }
    }
    .bind(host: "127.0.0.1", port: port).get()
print("listening on 127.0.0.1:\(port)")
try await channel.closeFuture.get()
