import Foundation
import HTTPSServerKit
import KubeAPIMachinery
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
    /// A direct GET of a parent not in the cache gives up after this (then `onLookupFailure` decides).
    public var lookupTimeout: Duration = .seconds(2)
    /// A watch that brings no event and no bookmark for this long is restarted.
    public var watchIdleTimeout: Duration = .seconds(90)
    /// A kind of the parent cache that has not heard from the API server for this long is
    /// not trusted (lookups go to the API server) and /readyz fails.
    public var maxCacheStaleness: Duration = .seconds(180)

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
    private let stopping: StoppingFlag
    private let logger: Logger

    private init(server: HTTPSServer, metricsServer: HTTPSServer?, metrics: WebhookMetrics, cache: ParentCache?,
                 reflectors: Task<Void, Never>?, stopping: StoppingFlag, logger: Logger) {
        self.server = server
        self.metricsServer = metricsServer
        self.metrics = metrics
        self.cache = cache
        self.reflectors = reflectors
        self.stopping = stopping
        self.logger = logger
    }

    /// Starts serving. `source` nil disables parent lookups (every parent is unverifiable
    /// and `onLookupFailure` decides); otherwise a metadata cache of the four workload kinds
    /// follows it and cache misses are answered by `source.get`.
    public static func start(_ settings: WebhookSettings, source: (any MetadataSource)?, logger: Logger) async throws -> WebhookService {
        let cache = source == nil ? nil : ParentCache(maxStaleness: settings.maxCacheStaleness)
        let metrics = WebhookMetrics(cacheState: { cache?.state ?? [] })
        let resolver = ParentResolver(cache: cache, source: source, metrics: metrics, logger: logger,
                                      timeout: settings.lookupTimeout)
        let endpoint = AdmissionEndpoint(policy: SingletonPolicy(unverifiedParent: settings.onLookupFailure),
                                         resolver: resolver, metrics: metrics, logger: logger)
        let stopping = StoppingFlag()
        let unready: @Sendable () -> String? = {
            if stopping.isSet { return "shutting down" }
            return cache?.unreadyReason
        }

        let tls = TLSSettings(certificateChain: .file(settings.certificateFile), privateKey: .file(settings.keyFile),
                              clientCertificates: settings.clientCAFile.map { .required(ca: .file($0)) } ?? .none,
                              reloadInterval: TimeAmount(settings.certificateReloadInterval))
        var routes: WebhookRouter.Routes = [.admission, .health]
        if settings.metricsPort == nil { routes.insert(.metrics) }
        let config = ServerConfiguration(host: settings.host, port: settings.port, tls: tls, limits: settings.limits,
                                         threads: settings.threads, logger: logger,
                                         onCertificateReload: { metrics.recordTLSReload(success: $0 == nil) })
        let server = try await HTTPSServer.start(
            config, handler: WebhookRouter(routes: routes, validatePath: settings.validatePath, admission: endpoint, unready: unready))

        var metricsServer: HTTPSServer?
        if let metricsPort = settings.metricsPort {
            do {
                metricsServer = try await HTTPSServer.start(
                    ServerConfiguration(host: settings.metricsHost, port: metricsPort, tls: nil, threads: 1, logger: logger),
                    handler: WebhookRouter(routes: [.metrics, .health], validatePath: settings.validatePath, admission: endpoint, unready: unready))
            } catch {
                await server.shutdown(grace: .seconds(1))
                throw error
            }
        }

        var reflectors: Task<Void, Never>?
        if let source, let cache {
            let namespace = settings.namespace, backoff = settings.cacheBackoff, idle = settings.watchIdleTimeout
            reflectors = Task {
                await withTaskGroup(of: Void.self) { group in
                    for kind in cache.kinds {
                        let reflector = Reflector(kind: kind, namespace: namespace, source: source, cache: cache,
                                                  backoff: backoff, idleTimeout: idle, metrics: metrics, logger: logger)
                        group.addTask { await reflector.run() }
                    }
                }
            }
        }
        return WebhookService(server: server, metricsServer: metricsServer, metrics: metrics, cache: cache,
                              reflectors: reflectors, stopping: stopping, logger: logger)
    }

    /// In order: /readyz fails (so a Service stops routing here), the TLS port stops accepting
    /// and answers every request already begun (with `Connection: close`) within `grace`,
    /// then the metrics port (which kept answering /readyz meanwhile) and the cache stop.
    public func shutdown(grace: Duration) async {
        stopping.set()
        await server.shutdown(grace: TimeAmount(grace))
        await metricsServer?.shutdown(grace: .seconds(1))
        reflectors?.cancel()
        await reflectors?.value
        logger.info("webhook stopped")
    }
}

/// Set once shutdown begins; /readyz reads it.
final class StoppingFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
