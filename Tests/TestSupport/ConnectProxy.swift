import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A tiny HTTP CONNECT proxy on 127.0.0.1 (port 0): it records each CONNECT target, dials it and
/// then shovels bytes both ways (the TLS session runs end to end through it). Shared by the
/// proxy tests of both KubeClient transports.
public final class ConnectProxy: Sendable {
    let group: MultiThreadedEventLoopGroup
    let channel: any Channel
    let log: TargetLog

    public var url: String { "http://127.0.0.1:\(channel.localAddress?.port ?? 0)" }
    public var targets: [String] { log.targets }

    private init(group: MultiThreadedEventLoopGroup, channel: any Channel, log: TargetLog) {
        self.group = group
        self.channel = channel
        self.log = log
    }

    public static func start() async throws -> ConnectProxy {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let log = TargetLog()
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ConnectHandler(log: log))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return ConnectProxy(group: group, channel: channel, log: log)
    }

    public func stop() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

final class TargetLog: Sendable {
    private let recorded = Mutex<[String]>([])
    var targets: [String] { recorded.withLock { $0 } }
    func append(_ target: String) { recorded.withLock { $0.append(target) } }
}

/// Reads the CONNECT request, then becomes a pipe to the target.
private final class ConnectHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let log: TargetLog
    private var pending = ByteBuffer()
    private var partner: (any Channel)?
    private var connecting = false

    init(log: TargetLog) { self.log = log }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if let partner {
            partner.writeAndFlush(incoming, promise: nil)
            return
        }
        pending.writeBuffer(&incoming)
        guard !connecting, let text = pending.getString(at: pending.readerIndex, length: pending.readableBytes),
            let end = text.range(of: "\r\n\r\n")
        else { return }
        let requestLine = text[..<end.lowerBound].split(separator: "\r\n").first ?? ""
        let parts = requestLine.split(separator: " ")
        guard parts.count >= 2, parts[0] == "CONNECT", let colon = parts[1].lastIndex(of: ":"),
            let port = Int(parts[1][parts[1].index(after: colon)...])
        else {
            reply("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", context: context, close: true)
            return
        }
        let host = String(parts[1][..<colon])
        log.append(String(parts[1]))
        connecting = true
        pending.moveReaderIndex(forwardBy: text.utf8.distance(from: text.startIndex, to: end.upperBound))
        let client = context.channel
        ClientBootstrap(group: context.eventLoop)
            .channelInitializer { target in
                target.eventLoop.makeCompletedFuture {
                    try target.pipeline.syncOperations.addHandler(Forwarder(to: client))
                }
            }
            .connect(host: host, port: port)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let target):
                    self.partner = target
                    self.reply("HTTP/1.1 200 Connection established\r\n\r\n", context: context, close: false)
                    if self.pending.readableBytes > 0 {
                        target.writeAndFlush(self.pending, promise: nil)
                        self.pending.clear()
                    }
                case .failure:
                    self.reply("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n", context: context, close: true)
                }
            }
    }

    private func reply(_ text: String, context: ChannelHandlerContext, close: Bool) {
        let done = context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text)))
        if close {
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            done.whenComplete { _ in loopBound.value.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// Copies what the target sends back to the client.
private final class Forwarder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let client: any Channel
    init(to client: any Channel) { self.client = client }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        client.writeAndFlush(unwrapInboundIn(data), promise: nil)
    }
    func channelInactive(context: ChannelHandlerContext) { client.close(promise: nil) }
}
