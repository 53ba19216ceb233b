import Foundation
import KubeClient
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// One HTTP/1.1 client connection (TCP, optionally TLS): opened by `connect`, then used for
/// one exchange at a time.
///
/// Why a class around the channel: the pool hands connections between tasks, while the
/// `ExchangeHandler` inside may only be touched on the channel's event loop; this type does the
/// hopping.
final class Connection: Sendable {
    let key: ConnectionKey
    let channel: any Channel
    private let handler: NIOLoopBound<ExchangeHandler>

    private init(key: ConnectionKey, channel: any Channel, handler: NIOLoopBound<ExchangeHandler>) {
        self.key = key
        self.channel = channel
        self.handler = handler
    }

    /// True while the server has not closed the connection.
    var isUsable: Bool { channel.isActive }

    /// Opens a connection to `target` (through a CONNECT tunnel when `proxy` is set): TCP, the
    /// tunnel, then the TLS handshake when `tls` is given, all before `deadline`. Throws what
    /// NIO threw (mapped later) or a `TransportError` (`.timeout`, `.cancelled`, `.proxy`).
    static func connect(
        target: RequestTarget, key: ConnectionKey, tls: NIOSSLContext?, serverName: String?,
        proxy: ProxyTarget?, group: any EventLoopGroup, deadline: NIODeadline
    ) async throws -> Connection {
        let loop = group.next()
        let handshake: EventLoopPromise<Void>? = tls == nil ? nil : loop.makePromise()
        let remaining = deadline - .now()
        guard remaining > .zero else {
            handshake?.fail(ChannelError.connectTimeout(.zero))
            throw TransportError(server: "", kind: .timeout, detail: "no time left to connect (SwiftNIO)")
        }
        // Handed out by the initializer: looking the handler up in the pipeline later fails when
        // the server has already closed the connection (a refused client certificate).
        let installed = InstalledHandler()
        let tunnel: EventLoopPromise<Void>? = proxy == nil ? nil : loop.makePromise()
        let connectRequest = proxy.map { ProxyTarget.connectRequest(to: target, authorization: $0.authorization) }
        let proxyName = proxy.map { "\($0.host):\($0.port)" } ?? ""
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(remaining)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)  // TCP level (SOL_SOCKET 1 is SO_DEBUG)
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tunnel, let connectRequest {
                        try channel.pipeline.syncOperations.addHandler(
                            ProxyTunnelHandler(request: connectRequest, proxyName: proxyName, promise: tunnel))
                    } else {
                        try addStack(
                            to: channel, tls: tls, serverName: serverName, handshake: handshake, installed: installed)
                    }
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: proxy?.host ?? target.host, port: proxy?.port ?? target.port)
                .get()
        } catch {
            handshake?.fail(error)
            tunnel?.fail(error)
            if proxy != nil, NIOErrorMapping.kind(of: error) != .timeout {
                throw TransportError(
                    server: "", kind: .proxy, detail: "cannot connect to the proxy \(proxyName): \(error) (SwiftNIO)")
            }
            throw error
        }
        let handler: NIOLoopBound<ExchangeHandler>
        do {
            if let tunnel {
                try await wait(for: tunnel, on: channel, until: deadline, what: "the proxy did not open the tunnel")
                // The proxy waits for our first bytes now: swap the tunnel handler for TLS and HTTP.
                handler = try await channel.eventLoop.submit {
                    let sync = channel.pipeline.syncOperations
                    _ = sync.removeHandler(try sync.handler(type: ProxyTunnelHandler.self))
                    try addStack(
                        to: channel, tls: tls, serverName: serverName, handshake: handshake, installed: installed)
                    guard let added = installed.slot.withLock({ $0 }) else { throw ChannelError.ioOnClosedChannel }
                    return added
                }.get()
            } else if let ready = installed.slot.withLock({ $0 }) {
                handler = ready
            } else {
                throw ChannelError.ioOnClosedChannel
            }
        } catch {
            channel.close(promise: nil)
            handshake?.fail(error)
            throw error
        }
        let connection = Connection(key: key, channel: channel, handler: handler)
        if let handshake {
            let timeout = loop.scheduleTask(deadline: deadline) {
                handler.value.abort(
                    TransportError(
                        server: "", kind: .timeout,
                        detail: "the TLS handshake did not finish within the connect timeout (SwiftNIO)"))
            }
            defer { timeout.cancel() }
            try await withTaskCancellationHandler {
                try await handshake.futureResult.get()
            } onCancel: {
                connection.abort(TransportError(server: "", kind: .cancelled, detail: "the calling task was cancelled"))
            }
        }
        return connection
    }

    /// TLS (when asked), the HTTP/1.1 codec and the `ExchangeHandler`; on the channel's loop.
    private static func addStack(
        to channel: any Channel, tls: NIOSSLContext?, serverName: String?,
        handshake: EventLoopPromise<Void>?,
        installed: InstalledHandler
    ) throws {
        let sync = channel.pipeline.syncOperations
        if let tls {
            try sync.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: serverName))
        }
        try sync.addHTTPClientHandlers()
        let handler = ExchangeHandler(handshake: handshake)
        try sync.addHandler(handler)
        installed.slot.withLock { $0 = NIOLoopBound(handler, eventLoop: channel.eventLoop) }
    }

    /// Waits for `promise`, failing it with `.timeout` at `deadline` or `.cancelled` when the
    /// calling task is cancelled (closing the channel either way).
    private static func wait(
        for promise: EventLoopPromise<Void>, on channel: any Channel, until deadline: NIODeadline,
        what: String
    ) async throws {
        let timeout = channel.eventLoop.scheduleTask(deadline: deadline) {
            promise.fail(
                TransportError(server: "", kind: .timeout, detail: "\(what) within the connect timeout (SwiftNIO)"))
            channel.close(promise: nil)
        }
        defer { timeout.cancel() }
        try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            promise.fail(TransportError(server: "", kind: .cancelled, detail: "the calling task was cancelled"))
            channel.close(promise: nil)
        }
    }

    /// Sends one request and waits for its response to end. Throws `ExchangeFailure`.
    /// Cancelling the calling task closes the connection and fails with `.cancelled`.
    func execute(
        head: HTTPRequestHead, body: Data?, callbacks: ExchangeCallbacks,
        deadline: NIODeadline?
    ) async throws -> ExchangeHead {
        let promise = channel.eventLoop.makePromise(of: ExchangeHead.self)
        let handler = self.handler
        let buffer = body.map { ByteBuffer(bytes: $0) }
        channel.eventLoop.execute {
            handler.value.start(head: head, body: buffer, callbacks: callbacks, deadline: deadline, promise: promise)
        }
        return try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            self.abort(TransportError(server: "", kind: .cancelled, detail: "the calling task was cancelled"))
        }
    }

    /// Fails whatever runs on the connection with `error` and closes it.
    func abort(_ error: any Error) {
        let handler = self.handler
        channel.eventLoop.execute { handler.value.abort(error) }
    }

    /// Closes the connection (idle ones leaving the pool, streams that ended).
    func close() {
        let handler = self.handler
        channel.eventLoop.execute { handler.value.close() }
    }
}

/// The exchange handler the channel initializer installed, shared by reference with the code
/// that waits for the connection (a `Mutex` cannot be captured by the initializer's closure).
final class InstalledHandler: Sendable {
    let slot = Mutex<NIOLoopBound<ExchangeHandler>?>(nil)
}
