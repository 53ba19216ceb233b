import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

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
    private let executors: PerLoop<EventLoopTaskExecutor>
    private let reloadTask: RepeatedTask?
    private let tls: TLSContextProvider?
    private let logger: Logger

    private init(
        port: Int, host: String, channel: any Channel, group: any EventLoopGroup, ownsGroup: Bool,
        connections: ConnectionRegistry, executors: PerLoop<EventLoopTaskExecutor>, reloadTask: RepeatedTask?,
        tls: TLSContextProvider?, logger: Logger
    ) {
        self.port = port
        self.host = host
        self.channel = channel
        self.group = group
        self.ownsGroup = ownsGroup
        self.connections = connections
        self.executors = executors
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
        let cohorts = PerLoop(group: group) { RequestCohort(handler: handler, loop: $0) }
        let executors = PerLoop(group: group) { EventLoopTaskExecutor($0) }
        let limits = config.limits
        let logger = config.logger
        let validateHeaders = config.validatesResponseHeaders

        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // TCP level: `.socketOption(.tcp_nodelay)` is SOL_SOCKET option 1, SO_DEBUG, which
            // needs CAP_NET_ADMIN; a server not running as root then dropped every connection.
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            // A client may send its request and then its FIN (shutdown(SHUT_WR)): it still
            // gets the answer. NIO would otherwise close the connection on the FIN.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                let admission = connections.admit(channel)
                guard admission.admitted else {
                    if let refused = admission.refusedToReport {
                        logger.warning(
                            "connections refused: at the limit of \(limits.maxConnections) connections",
                            metadata: ["refused": "\(refused)"])
                    }
                    return channel.close()
                }
                return channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let tls {
                        try sync.addHandler(NIOSSLServerHandler(context: tls.context))
                    }
                    try sync.configureServerHTTPPipeline(
                        limits: limits, validateHeaders: validateHeaders, logger: logger)
                    try sync.addHandler(
                        ConnectionHandler(
                            handler: handler, cohort: cohorts[channel.eventLoop],
                            executor: executors[channel.eventLoop], limits: limits, logger: logger))
                    // Accepted while shutdown had begun: drain it like the others.
                    if let drain = admission.drain { channel.pipeline.fireUserInboundEventTriggered(drain) }
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
                    logger.error(
                        "TLS certificate reload failed; still serving the previous certificate",
                        metadata: ["error": "\(why)"])
                    onReload?(HTTPSServerError.invalidTLSMaterial(why))
                }
            }
        }
        let port = channel.localAddress?.port ?? config.port
        logger.info("listening", metadata: ["address": "\(config.host):\(port)", "tls": "\(tls != nil)"])
        return HTTPSServer(
            port: port, host: config.host, channel: channel, group: group, ownsGroup: ownsGroup,
            connections: connections, executors: executors, reloadTask: reloadTask, tls: tls, logger: logger)
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

    /// Connections refused at `ServerLimits.maxConnections` since the start.
    public var refusedConnections: Int { connections.refused }

    /// The first phase of a delayed shutdown: keep accepting, but answer every request, on
    /// open and new connections, with `Connection: close`, and close idle keep-alive
    /// connections after `quietPeriod` (a later `shutdown` shortens it to its own). A client that kept a connection to this process
    /// (the API server does) then connects again, and its next connection goes wherever the
    /// Service routes now. `shutdown` ends it. Safe to call more than once.
    public func closeConnectionsAfterAnswers(quietPeriod: TimeAmount = .milliseconds(250)) {
        let drain = DrainEvent(quietPeriod: quietPeriod)
        for child in connections.startDraining(drain) {
            child.pipeline.fireUserInboundEventTriggered(drain)
        }
    }

    /// Graceful shutdown: stop accepting; answer every request already begun on an open
    /// connection, with `Connection: close`; give idle keep-alive connections `quietPeriod`
    /// for a request already on its way, then close them; end streams; force-close whatever
    /// is left when `grace` runs out. Safe to call more than once.
    public func shutdown(grace: TimeAmount = .seconds(10), quietPeriod: TimeAmount = .milliseconds(250)) async {
        reloadTask?.cancel()
        let drain = DrainEvent(quietPeriod: min(quietPeriod, grace))
        let open = connections.startDraining(drain)
        try? await channel.close()
        for child in open {
            child.pipeline.fireUserInboundEventTriggered(drain)
        }
        let deadline = NIODeadline.now() + grace
        for child in open {
            let timeout = group.next().scheduleTask(deadline: deadline) { child.close(promise: nil) }
            try? await child.closeFuture.get()
            timeout.cancel()
        }
        if ownsGroup {
            // A handler still running now (its connection was closed above, which cancelled
            // it) must not be resumed on a loop that is gone. (A loop outside `all` only
            // comes with a group the server does not own.)
            for executor in executors.all { executor.retire() }
            try? await group.shutdownGracefully()
        }
        logger.info("stopped", metadata: ["address": "\(host):\(port)"])
    }
}

/// The open connections, for the connection cap and for draining at shutdown.
final class ConnectionRegistry: Sendable {
    private struct State {
        var open: [ObjectIdentifier: any Channel] = [:]
        var drain: DrainEvent?
        var refused = 0
        /// Refusals not logged yet, and when the last log line was written: a flood at the
        /// cap is one line per `refusalLogInterval`, not one per connection.
        var refusedSinceLog = 0
        var lastRefusalLog: NIODeadline?
        /// The most connections open at once since the last trim.
        var peak = 0
    }

    struct Admission {
        var admitted: Bool
        /// Set when the server is already draining: the new connection drains too.
        var drain: DrainEvent?
        /// Set when a refusal should be logged now: how many since the last line.
        var refusedToReport: Int?
    }

    private let limit: Int
    private let refusalLogInterval: TimeAmount
    private let spikeEnded: @Sendable () -> Void
    private let state = Mutex(State())

    init(
        limit: Int, refusalLogInterval: TimeAmount = .seconds(10),
        spikeEnded: @escaping @Sendable () -> Void = { MemoryRelease.trimSoon() }
    ) {
        self.limit = limit
        self.refusalLogInterval = refusalLogInterval
        self.spikeEnded = spikeEnded
    }

    /// Registers `channel` unless the cap is reached; it unregisters itself on close.
    func admit(_ channel: any Channel, now: NIODeadline = .now()) -> Admission {
        let id = ObjectIdentifier(channel)
        let admission = state.withLock { state -> Admission in
            guard state.open.count < limit else {
                state.refused += 1
                state.refusedSinceLog += 1
                if let last = state.lastRefusalLog, now < last + refusalLogInterval {
                    return Admission(admitted: false)
                }
                defer { state.refusedSinceLog = 0 }
                state.lastRefusalLog = now
                return Admission(admitted: false, refusedToReport: state.refusedSinceLog)
            }
            state.open[id] = channel
            state.peak = max(state.peak, state.open.count)
            return Admission(admitted: true, drain: state.drain)
        }
        if admission.admitted {
            channel.closeFuture.whenComplete { [self] _ in
                let ended = self.state.withLock { state -> Bool in
                    state.open.removeValue(forKey: id)
                    // A spike of connections has mostly gone: their TLS and HTTP buffers are free
                    // but still resident until the heap is trimmed.
                    guard state.peak >= Self.spike, state.open.count <= state.peak / 4 else { return false }
                    state.peak = state.open.count
                    return true
                }
                if ended { self.spikeEnded() }
            }
        }
        return admission
    }

    /// Connections that count as a spike worth giving memory back after.
    static let spike = 256

    /// From now on every admitted connection drains; returns the ones open now.
    func startDraining(_ drain: DrainEvent) -> [any Channel] {
        state.withLock { state in
            state.drain = drain
            return Array(state.open.values)
        }
    }

    var count: Int { state.withLock { $0.open.count } }
    var refused: Int { state.withLock { $0.refused } }
}

extension ChannelPipeline.SynchronousOperations {
    /// NIOHTTP1's server pipeline (with pipelining assistance, error handling and, when
    /// `validateHeaders`, response header validation) plus a `PipelineGuard` in front of the
    /// pipelining handler.
    func configureServerHTTPPipeline(limits: ServerLimits, validateHeaders: Bool = true, logger: Logger) throws {
        try configureHTTPServerPipeline(withErrorHandling: true, withOutboundHeaderValidation: validateHeaders)
        let pipelining = try handler(type: HTTPServerPipelineHandler.self)
        try addHandler(PipelineGuard(limit: limits.maxPipelinedRequests, logger: logger), position: .before(pipelining))
    }
}
