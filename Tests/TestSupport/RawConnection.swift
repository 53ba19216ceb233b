import HTTPSServerKit
import NIOCore
import NIOPosix
import NIOSSL

/// A byte-level client connection (TLS or plain) for testing a server against clients
/// that misbehave: partial heads, trickled bodies, garbage. It records everything the
/// server sends until the server closes.
public final class RawConnection: Sendable {
    private let channel: any Channel
    private let received: EventLoopFuture<ByteBuffer>

    private init(channel: any Channel, received: EventLoopFuture<ByteBuffer>) {
        self.channel = channel
        self.received = received
    }

    /// With `reading: false` nothing is read from the socket until `startReading()`: a client
    /// that sends and does not read its answers (plain connections only: TLS needs reads
    /// for its handshake).
    public static func connect(
        host: String, port: Int, tls: ClientTLS?, reading: Bool = true,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> RawConnection {
        let sslContext = try tls?.context()
        let group = group.next()
        let done = group.makePromise(of: ByteBuffer.self)
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.autoRead, value: reading)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(SocketSide())
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: sslContext, serverHostname: tls?.serverName))
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteRecorder(done: done))
                }
            }
            .connect(host: host, port: port).get()
        return RawConnection(channel: channel, received: done.futureResult)
    }

    /// Sends bytes as they are.
    public func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text))
    }

    /// Waits for the server to close the connection and returns all it sent.
    public func receivedUntilClose() async throws -> String {
        String(buffer: try await received.get())
    }

    /// Starts reading what the server sent (after `connect(reading: false)`).
    public func startReading() async throws {
        try await channel.setOption(.autoRead, value: true).get()
    }

    public var isOpen: Bool { channel.isActive }

    /// Ends the sending side (TLS close_notify, then TCP FIN) and keeps reading: a client
    /// that sent its request and says it will send no more.
    public func closeOutput() async throws {
        try await channel.close(mode: .output)
    }

    public func close() async { try? await channel.close() }

    /// Closes with a TCP reset (SO_LINGER 0), without TLS's close_notify: a client that is
    /// gone, which the server learns at once (a FIN may be a half-close still waiting for
    /// its answer, and TLS's close would wait for the server's close_notify first).
    public func reset() async {
        if let socket = channel as? any SocketOptionProvider {
            try? await socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        }
        let channel = self.channel
        try? await channel.eventLoop.submit {
            // Closed from next to the socket, below the TLS handler.
            try channel.pipeline.syncOperations.context(handlerType: SocketSide.self).close(promise: nil)
        }.get()
        try? await channel.closeFuture.get()
    }
}

/// The first handler of a raw connection: `reset()` closes from here.
final class SocketSide: ChannelOutboundHandler {
    typealias OutboundIn = NIOAny
}

final class ByteRecorder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private var buffer = ByteBuffer()
    private let done: EventLoopPromise<ByteBuffer>

    init(done: EventLoopPromise<ByteBuffer>) { self.done = done }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var chunk = unwrapInboundIn(data)
        buffer.writeBuffer(&chunk)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        done.succeed(buffer)
        context.fireChannelInactive()
    }
}
