import HTTPSServerKit
import KubeAPIMachinery
import Logging
import NIOCore
import ServiceLifecycle
import SingletonCore
import Synchronization
import UnixSignals

/// Settings of a running webhook, filled from flags and environment by `singleton-webhook serve`.
public struct WebhookSettings: Sendable {
    public var host = "0.0.0.0"
    public var port = 8443
    public var certificateFile: String
    public var keyFile: String
    /// When set, the API server must present a client certificate signed by this CA.
    public var clientCAFile: String?
    public var validatePath = "/validate"
    /// Plain-HTTP port for /metrics (and health); nil serves them on the TLS port.
    public var metricsPort: Int?
    public var metricsHost = "0.0.0.0"
    public var onLookupFailure: UnverifiedParentPolicy = .allow
    /// The cluster's enforcement; the warn-only path (`validatePath` + `-warn`) is always warn.
    public var enforcement: Enforcement = .deny
    /// Watch only this namespace's workloads; nil watches all.
    public var namespace: String?
    public var limits = ServerLimits()
    public var shutdownGrace: Duration = .seconds(10)
    /// After SIGTERM, keep serving this long with /readyz failing (every answer with
    /// `Connection: close`) before the drain: the time a Service needs to stop routing to a
    /// terminating pod. Zero drains at once.
    public var shutdownDelay: Duration = .zero
    public var certificateReloadInterval: Duration = .seconds(2)
    public var threads = System.coreCount
    public var cacheBackoff = Backoff()
    /// A direct GET of a parent not in the cache gives up after this (then `onLookupFailure` decides).
    public var lookupTimeout: Duration = .seconds(2)
    /// A watch that brings no event and no bookmark for this long is restarted.
    public var watchIdleTimeout: Duration = .seconds(90)
    /// A kind of the parent cache that has not heard from the API server for this long is
    /// not trusted (lookups go to the API server) and /readyz fails.
    public var maxCacheStaleness: Duration = .seconds(180)
    /// How often the cache asks again for a custom resource (Argo Rollouts) whose CRD is not installed.
    public var notInstalledRetry: Duration = .seconds(60)

    public init(certificateFile: String, keyFile: String) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
    }
}

/// The assembled webhook: TLS server, optional metrics server, parent cache with its
/// reflectors, run as one swift-service-lifecycle `ServiceGroup`. `start` binds the ports and
/// runs the group; a signal given to `start` or `shutdown()` stops it in order.
public final class WebhookService: Sendable {
    public let server: HTTPSServer
    public let metricsServer: HTTPSServer?
    public let metrics: WebhookMetrics
    public let cache: ParentCache?
    private let group: ServiceGroup
    private let running: Task<Void, any Error>
    private let logger: Logger

    private init(
        server: HTTPSServer, metricsServer: HTTPSServer?, metrics: WebhookMetrics, cache: ParentCache?,
        group: ServiceGroup, logger: Logger
    ) {
        self.server = server
        self.metricsServer = metricsServer
        self.metrics = metrics
        self.cache = cache
        self.group = group
        self.running = Task { try await group.run() }
        self.logger = logger
    }

    /// Starts serving. `source` nil disables parent lookups (every parent is unverifiable
    /// and `onLookupFailure` decides); otherwise a metadata cache of the workload kinds
    /// follows it and cache misses are answered by `source.get`. `signals` (the executable
    /// passes SIGTERM and SIGINT) begin the same graceful shutdown as `shutdown()`.
    public static func start(
        _ settings: WebhookSettings, source: (any MetadataSource)?, logger: Logger,
        signals: [UnixSignal] = []
    ) async throws -> WebhookService {
        let cache = source == nil ? nil : ParentCache(maxStaleness: settings.maxCacheStaleness)
        let metrics = WebhookMetrics(cacheState: { cache?.state ?? [] })
        let resolver = ParentResolver(
            cache: cache, source: source, metrics: metrics, logger: logger,
            timeout: settings.lookupTimeout)
        let endpoint = AdmissionEndpoint(
            policy: SingletonPolicy(unverifiedParent: settings.onLookupFailure, enforcement: settings.enforcement),
            resolver: resolver, metrics: metrics, logger: logger)
        let stopping = StoppingFlag()
        let unready: @Sendable () -> String? = {
            if stopping.isSet { return "shutting down" }
            return cache?.unreadyReason
        }

        let tls = TLSSettings(
            certificateChain: .file(settings.certificateFile), privateKey: .file(settings.keyFile),
            clientCertificates: settings.clientCAFile.map { .required(ca: .file($0)) } ?? .none,
            reloadInterval: TimeAmount(settings.certificateReloadInterval))
        var routes: WebhookRouter.Routes = [.admission, .health]
        if settings.metricsPort == nil { routes.insert(.metrics) }
        var config = ServerConfiguration(
            host: settings.host, port: settings.port, tls: tls, limits: settings.limits,
            threads: settings.threads, logger: logger,
            onCertificateReload: { metrics.recordTLSReload(success: $0 == nil) })
        // Every header the webhook writes is a constant of its own (WebhookRouter,
        // AdmissionEndpoint, ServerResponse): nothing from a request reaches a header.
        config.validatesResponseHeaders = false
        let server = try await HTTPSServer.start(
            config,
            handler: WebhookRouter(
                routes: routes, validatePath: settings.validatePath, admission: endpoint, unready: unready))

        var metricsServer: HTTPSServer?
        if let metricsPort = settings.metricsPort {
            do {
                metricsServer = try await HTTPSServer.start(
                    ServerConfiguration(
                        host: settings.metricsHost, port: metricsPort, tls: nil, threads: 1, logger: logger),
                    handler: WebhookRouter(
                        routes: [.metrics, .health], validatePath: settings.validatePath, admission: endpoint,
                        unready: unready))
            } catch {
                await server.shutdown(grace: .seconds(1))
                throw error
            }
        }

        // A group shuts its services down last to first: the TLS port (whose drain fails
        // /readyz first), then the metrics port (which kept answering /readyz meanwhile),
        // then the reflectors.
        var services: [any Service] = []
        if let source, let cache {
            services.append(
                ReflectorsService(
                    reflectors: cache.kinds.map { kind in
                        Reflector(
                            kind: kind, namespace: settings.namespace, source: source, cache: cache,
                            backoff: settings.cacheBackoff, idleTimeout: settings.watchIdleTimeout,
                            absentRetry: settings.notInstalledRetry, metrics: metrics, logger: logger)
                    }))
        }
        if let metricsServer {
            services.append(DrainingServer(server: metricsServer, grace: .seconds(1)))
        }
        let grace = settings.shutdownGrace, delay = settings.shutdownDelay
        services.append(
            DrainingServer(server: server, grace: grace, delay: delay) {
                stopping.set()
                logger.info("shutting down", metadata: ["delay": "\(delay)", "grace": "\(grace)"])
            })
        var groupConfig = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: signals, logger: logger)
        // Each server bounds its own drain; this only stops a stuck service from holding the exit.
        groupConfig.maximumGracefulShutdownDuration = delay + grace + .seconds(2)
        groupConfig.maximumCancellationDuration = .seconds(1)
        return WebhookService(
            server: server, metricsServer: metricsServer, metrics: metrics, cache: cache,
            group: ServiceGroup(configuration: groupConfig), logger: logger)
    }

    /// Begins the graceful shutdown a signal would (/readyz fails, the TLS port stops accepting
    /// and answers every request already begun, with `Connection: close`, within
    /// `shutdownGrace`; then the metrics port and the cache stop) and waits for it.
    public func shutdown() async {
        await group.triggerGracefulShutdown()
        _ = try? await waitUntilStopped()
    }

    /// Waits until the service group has stopped, after a signal or `shutdown()`; rethrows
    /// what made it stop early, if anything.
    public func waitUntilStopped() async throws {
        defer { logger.info("webhook stopped") }
        try await running.value
    }
}

/// A started server as a service: it serves until the group shuts down, then, after
/// `delay` of answering with `Connection: close` while still accepting, drains within
/// `grace`. Cancellation skips the delay (the drain itself is bounded by `grace`).
struct DrainingServer: Service {
    let server: HTTPSServer
    let grace: Duration
    var delay: Duration = .zero
    var beforeDrain: @Sendable () -> Void = {}

    func run() async {
        try? await gracefulShutdown()
        beforeDrain()
        if delay > .zero, !Task.isCancelled {
            // Idle and new connections get the whole delay for a request (a new one's TLS
            // handshake counts too); each answer closes its connection.
            server.closeConnectionsAfterAnswers(quietPeriod: TimeAmount(delay))
            try? await Task.sleep(for: delay)
        }
        await server.shutdown(grace: TimeAmount(grace))
    }
}

/// The parent cache's reflectors, one per kind, cancelled when the group shuts down.
struct ReflectorsService: Service {
    let reflectors: [Reflector]

    func run() async {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for reflector in reflectors { group.addTask { await reflector.run() } }
            }
        }
    }
}

/// Set once shutdown begins; /readyz reads it.
final class StoppingFlag: Sendable {
    private let value = Atomic<Bool>(false)

    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}
