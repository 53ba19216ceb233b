import HTTPSServerKit
import Logging
import SingletonCore

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
    /// Watch only this namespace's workloads; nil watches all.
    public var namespace: String?
    public var limits = ServerLimits()
    public var shutdownGrace: Duration = .seconds(10)
    public var certificateReloadInterval: Duration = .seconds(2)
    public var threads = System.coreCount
    public var cacheBackoff = Backoff()

    public init(certificateFile: String, keyFile: String) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
    }
}

/// The assembled webhook: TLS server, optional metrics server, parent cache with its
/// reflectors. `start` brings it up; `shutdown` drains it.
public final class WebhookService: Sendable {
    public let server: HTTPSServer
    public let metricsServer: HTTPSServer?
    public let metrics: WebhookMetrics
    public let cache: ParentCache?
    private let reflectors: Task<Void, Never>?
    private let logger: Logger

    private init(server: HTTPSServer, metricsServer: HTTPSServer?, metrics: WebhookMetrics, cache: ParentCache?,
                 reflectors: Task<Void, Never>?, logger: Logger) {
        self.server = server
        self.metricsServer = metricsServer
        self.metrics = metrics
        self.cache = cache
        self.reflectors = reflectors
        self.logger = logger
    }

    /// Starts serving. `source` nil disables parent lookups (every parent is unverifiable
    /// and `onLookupFailure` decides); otherwise a metadata cache of the four workload kinds
    /// follows it and cache misses are answered by `source.get`.
    public static func start(_ settings: WebhookSettings, source: (any MetadataSource)?, logger: Logger) async throws -> WebhookService {
        let cache = source == nil ? nil : ParentCache()
        let metrics = WebhookMetrics(cacheState: { cache?.state ?? [] })
        let resolver = ParentResolver(cache: cache, source: source, metrics: metrics, logger: logger)
        let endpoint = AdmissionEndpoint(policy: SingletonPolicy(unverifiedParent: settings.onLookupFailure),
                                         resolver: resolver, metrics: metrics, logger: logger)
        let isReady: @Sendable () -> Bool = { cache?.isSynced ?? true }

        let tls = TLSSettings(certificateChain: .file(settings.certificateFile), privateKey: .file(settings.keyFile),
                              clientCertificates: settings.clientCAFile.map { .required(ca: .file($0)) } ?? .none,
                              reloadInterval: TimeAmount(settings.certificateReloadInterval))
        var routes: WebhookRouter.Routes = [.admission, .health]
        if settings.metricsPort == nil { routes.insert(.metrics) }
        let config = ServerConfiguration(host: settings.host, port: settings.port, tls: tls, limits: settings.limits,
                                         threads: settings.threads, logger: logger,
                                         onCertificateReload: { metrics.recordTLSReload(success: $0 == nil) })
        let server = try await HTTPSServer.start(
            config, handler: WebhookRouter(routes: routes, validatePath: settings.validatePath, admission: endpoint, isReady: isReady))

        var metricsServer: HTTPSServer?
        if let metricsPort = settings.metricsPort {
            do {
                metricsServer = try await HTTPSServer.start(
                    ServerConfiguration(host: settings.metricsHost, port: metricsPort, tls: nil, threads: 1, logger: logger),
                    handler: WebhookRouter(routes: [.metrics, .health], validatePath: settings.validatePath, admission: endpoint, isReady: isReady))
            } catch {
                await server.shutdown(grace: .seconds(1))
                throw error
            }
        }

        var reflectors: Task<Void, Never>?
        if let source, let cache {
            let namespace = settings.namespace, backoff = settings.cacheBackoff
            reflectors = Task {
                await withTaskGroup(of: Void.self) { group in
                    for kind in cache.kinds {
                        let reflector = Reflector(kind: kind, namespace: namespace, source: source, cache: cache,
                                                  backoff: backoff, metrics: metrics, logger: logger)
                        group.addTask { await reflector.run() }
                    }
                }
            }
        }
        return WebhookService(server: server, metricsServer: metricsServer, metrics: metrics, cache: cache,
                              reflectors: reflectors, logger: logger)
    }

    /// Stops accepting, finishes in-flight requests within `grace`, stops the cache.
    public func shutdown(grace: Duration) async {
        let amount = TimeAmount(grace)
        async let main: Void = server.shutdown(grace: amount)
        async let side: Void = metricsServer?.shutdown(grace: amount) ?? ()
        _ = await (main, side)
        reflectors?.cancel()
        await reflectors?.value
        logger.info("webhook stopped")
    }
}
