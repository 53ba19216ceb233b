import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A small HTTPS (or plain HTTP) server: TLS with certificate hot reload and optional
/// client certificates, limits against bad clients, and graceful shutdown. Shared by the
/// webhook and the Kubernetes API sandbox.
///
/// Usage: `let server = try await HTTPSServer.start(config, handler: h)`, read
/// `server.port`, and `await server.shutdown(grace: .seconds(10))` at the end.
public final class HTTPSServer: Sendable {
    /// The port actually bound (useful when the configuration asked for 0).
    public let port: Int
    public let host: String
    private let channel: any Channel
    private let group: any EventLoopGroup
    private let ownsGroup: Bool
    private let connections: ConnectionRegistry
    private let reloadTask: RepeatedTask?
    private let tls: TLSContextProvider?
    private let logger: Logger

    private init(port: Int, host: String, channel: any Channel, group: any EventLoopGroup, ownsGroup: Bool,
                 connections: ConnectionRegistry, reloadTask: RepeatedTask?, tls: TLSContextProvider?, logger: Logger) {
        self.port = port
        self.host = host
        self.channel = channel
        self.group = group
        self.ownsGroup = ownsGroup
        self.connections = connections
        self.reloadTask = reloadTask
        self.tls = tls
        self.logger = logger
    }

    /// Binds and starts serving. Throws `HTTPSServerError` for unreadable or invalid TLS
    /// material and for addresses that cannot be bound.
    public static func start(_ config: ServerConfiguration, handler: any HTTPSHandler) async throws -> HTTPSServer {
        let tls = try config.tls.map(TLSContextProvider.init)
        let ownsGroup = config.eventLoopGroup == nil
        let group = config.eventLoopGroup ?? MultiThreadedEventLoopGroup(numberOfThreads: config.threads)
        let connections = ConnectionRegistry(limit: config.limits.maxConnections)
        let cohorts = RequestCohorts(handler: handler, group: group)
        let limits = config.limits
        let logger = config.logger

        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // TCP level: `.socketOption(.tcp_nodelay)` is SOL_SOCKET option 1, SO_DEBUG, which
            // needs CAP_NET_ADMIN; a server not running as root then dropped every connection.
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                guard connections.admit(channel) else {
                    logger.warning("connection refused: at the limit of \(limits.maxConnections) connections")
                    return channel.close()
                }
                return channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let tls {
                        try sync.addHandler(NIOSSLServerHandler(context: tls.context))
                    }
                    try sync.configureServerHTTPPipeline(limits: limits, logger: logger)
                    try sync.addHandler(ConnectionHandler(handler: handler, cohort: cohorts.cohort(for: channel.eventLoop),
                                                          limits: limits, logger: logger))
                }
            }

        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: config.host, port: config.port).get()
        } catch {
            if ownsGroup { try? await group.shutdownGracefully() }
            throw HTTPSServerError.bindFailed(host: config.host, port: config.port, reason: "\(error)")
        }

        var reloadTask: RepeatedTask?
        if let tls, tls.watchesFiles, let interval = config.tls?.reloadInterval {
            let onReload = config.onCertificateReload
            reloadTask = group.next().scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
                switch tls.reloadIfChanged() {
                case .unchanged: break
                case .reloaded:
                    logger.info("TLS certificate reloaded")
                    onReload?(nil)
                case .failed(let why):
                    logger.error("TLS certificate reload failed; still serving the previous certificate", metadata: ["error": "\(why)"])
                    onReload?(HTTPSServerError.invalidTLSMaterial(why))
                }
            }
        }
        let port = channel.localAddress?.port ?? config.port
        logger.info("listening", metadata: ["address": "\(config.host):\(port)", "tls": "\(tls != nil)"])
        return HTTPSServer(port: port, host: config.host, channel: channel, group: group, ownsGroup: ownsGroup,
                           connections: connections, reloadTask: reloadTask, tls: tls, logger: logger)
    }

    /// Number of open connections (for metrics and tests).
    public var openConnections: Int { connections.count }

    /// Checks the certificate files now instead of waiting for the next poll. Returns true
    /// when a new certificate was installed.
    @discardableResult
    public func reloadCertificatesNow() throws -> Bool {
        guard let tls else { return false }
        switch tls.reloadIfChanged() {
        case .unchanged: return false
        case .reloaded: return true
        case .failed(let why): throw HTTPSServerError.invalidTLSMaterial(why)
        }
    }

    /// Graceful shutdown: stop accepting, let in-flight requests finish (streams are
    /// ended), close idle keep-alive connections, and force-close whatever is left when
    /// `grace` runs out. Safe to call more than once.
    public func shutdown(grace: TimeAmount = .seconds(10)) async {
        reloadTask?.cancel()
        try? await channel.close()
        let open = connections.all()
        for child in open {
            child.pipeline.fireUserInboundEventTriggered(DrainEvent())
        }
        let deadline = NIODeadline.now() + grace
        for child in open {
            let timeout = group.next().scheduleTask(deadline: deadline) { child.close(promise: nil) }
            try? await child.closeFuture.get()
            timeout.cancel()
        }
        if ownsGroup { try? await group.shutdownGracefully() }
        logger.info("stopped", metadata: ["address": "\(host):\(port)"])
    }
}

/// The open connections, for the connection cap and for draining at shutdown.
final class ConnectionRegistry: Sendable {
    private let limit: Int
    private let open = Locked<[ObjectIdentifier: any Channel]>([:])

    init(limit: Int) { self.limit = limit }

    /// Registers `channel` unless the cap is reached; it unregisters itself on close.
    func admit(_ channel: any Channel) -> Bool {
        let id = ObjectIdentifier(channel)
        let admitted = open.withLock { channels -> Bool in
            guard channels.count < limit else { return false }
            channels[id] = channel
            return true
        }
        if admitted {
            channel.closeFuture.whenComplete { [open] _ in open.withLock { _ = $0.removeValue(forKey: id) } }
        }
        return admitted
    }

    var count: Int { open.withLock { $0.count } }
    func all() -> [any Channel] { open.withLock { Array($0.values) } }
}

extension ChannelPipeline.SynchronousOperations {
    /// NIOHTTP1's server pipeline (with pipelining assistance and error handling) plus a
    /// `PipelineGuard` in front of the pipelining handler.
    func configureServerHTTPPipeline(limits: ServerLimits, logger: Logger) throws {
        try configureHTTPServerPipeline(withErrorHandling: true)
        let pipelining = try handler(type: HTTPServerPipelineHandler.self)
        try addHandler(PipelineGuard(limit: limits.maxPipelinedRequests, logger: logger), position: .before(pipelining))
    }
}
