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
