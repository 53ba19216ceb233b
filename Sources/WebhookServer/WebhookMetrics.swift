import CoreMetrics
import Prometheus
import SingletonCore
import Synchronization

/// The webhook's metrics: decisions, latency, parent lookups, cache state, TLS reloads.
///
/// Recorded through swift-metrics' `Counter` and `Recorder`, whose handlers live in a
/// swift-prometheus registry owned by this instance (not the process-wide `MetricsSystem`,
/// so several webhooks in one process, as in the tests, keep separate counts). The handlers
/// are made here rather than by `PrometheusMetricsFactory` because only the registry takes
/// the `# HELP` text. Each series is looked up once and kept: a request pays one small map
/// lookup for its decision counter and the histogram's lock, never the registry's.
public final class WebhookMetrics: Sendable {
    /// Latency bucket bounds in seconds, with sub-millisecond resolution where the webhook lives.
    public static let latencyBuckets: [Double] = [
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
    ]

    struct DecisionKey: Hashable, Sendable { var verdict: String, kind: String, operation: String, rule: String }

    let registry = PrometheusCollectorRegistry()
    private let decisions: CounterFamily<DecisionKey>
    private let latency: Recorder
    private let rejected: CounterFamily<String>
    private let lookups: CounterFamily<String>
    private let lookupFailures: CounterFamily<String>
    private let tlsReloads: CounterFamily<String>
    private let relists: CounterFamily<String>
    private let watchRestarts: CounterFamily<String>
    /// Cache gauges are read at scrape time from the cache itself.
    private let cacheState: @Sendable () -> [CacheKindState]

    public init(cacheState: @escaping @Sendable () -> [CacheKindState] = { [] }) {
        self.cacheState = cacheState
        let r = registry
        // The usual `_build_info` gauge: always 1, the version in a label, so dashboards can
        // join on it and tell which build answered.
        r.makeGauge(
            name: "singleton_webhook_build_info", labels: [("version", "v\(KubeSingletonVersion.current)")],
            help: "Always 1; the webhook's version is in the label."
        ).set(to: 1)
        decisions = CounterFamily(
            r, "singleton_webhook_admission_decisions_total",
            help: "Admission decisions by verdict, resource (kind), operation and deciding rule."
        ) {
            [("verdict", $0.verdict), ("kind", $0.kind), ("operation", $0.operation), ("rule", $0.rule)]
        }
        let hist = "singleton_webhook_admission_duration_seconds"
        latency = Recorder(
            label: hist, dimensions: [], aggregate: true,
            handler: r.makeValueHistogram(
                name: hist, buckets: Self.latencyBuckets,
                help: "Time from a complete request body to an encoded AdmissionReview answer."))
        rejected = CounterFamily(
            r, "singleton_webhook_rejected_requests_total", label: "reason",
            help: "Requests refused before a decision: too large, wrong content type, method or path, unreadable.")
        lookups = CounterFamily(
            r, "singleton_webhook_parent_lookups_total", label: "source",
            help: "Parent workload lookups for scale and HPA requests, by where the answer came from.")
        lookupFailures = CounterFamily(
            r, "singleton_webhook_parent_lookup_failures_total", label: "reason",
            help: "Parent lookups that could not verify the parent; --on-lookup-failure decided these.")
        tlsReloads = CounterFamily(
            r, "singleton_webhook_tls_reloads_total", label: "result",
            help: "Serving certificate reloads after the files changed.")
        relists = CounterFamily(
            r, "singleton_webhook_parent_cache_relists_total", label: "kind",
            help: "Full relists of the parent cache (start, 410 Gone, reconnect without a usable resourceVersion).")
        watchRestarts = CounterFamily(
            r, "singleton_webhook_parent_cache_idle_watch_restarts_total", label: "kind",
            help: "Watches restarted because nothing (no event, no bookmark) came within --watch-idle-timeout.")
    }

    public func recordDecision(verdict: String, kind: String, operation: String, rule: String, seconds: Double) {
        decisions.increment(DecisionKey(verdict: verdict, kind: kind, operation: operation, rule: rule))
        latency.record(seconds)
    }

    /// A request refused before any decision (413, 415, 405, 404, 400).
    public func recordRejected(reason: String) { rejected.increment(reason) }
    public func recordLookup(source: String) { lookups.increment(source) }
    public func recordLookupFailure(reason: String) { lookupFailures.increment(reason) }
    public func recordTLSReload(success: Bool) { tlsReloads.increment(success ? "success" : "failure") }
    public func recordRelist(kind: String) { relists.increment(kind) }
    public func recordIdleWatchRestart(kind: String) { watchRestarts.increment(kind) }

    /// The Prometheus text exposition (format 0.0.4), with the cache gauges read now.
    public func exposition() -> [UInt8] {
        for s in cacheState() {
            let kind = [("kind", s.kind)]
            registry.makeGauge(
                name: "singleton_webhook_parent_cache_objects", labels: kind,
                help: "Workloads held in the metadata cache, by kind."
            ).set(to: Double(s.objects))
            registry.makeGauge(
                name: "singleton_webhook_parent_cache_synced", labels: kind,
                help: "1 once the kind's first list completed."
            ).set(to: s.synced ? 1 : 0)
            if let age = s.stalenessSeconds {
                registry.makeGauge(
                    name: "singleton_webhook_parent_cache_staleness_seconds", labels: kind,
                    help:
                        "Seconds since the kind last heard from the API server (list, accepted watch, event, bookmark)."
                ).set(to: age)
            }
        }
        return registry.emitToBuffer()
    }

    /// `exposition()` as text.
    public func render() -> String { String(decoding: exposition(), as: UTF8.self) }
}

/// The series of one labelled counter, made in the registry on first use and kept, so the
/// next increment of the same labels is a map lookup and an atomic add.
private final class CounterFamily<Key: Hashable & Sendable>: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let name: String
    private let help: String
    private let labels: @Sendable (Key) -> [(String, String)]
    private let series = Mutex<[Key: CoreMetrics.Counter]>([:])

    init(
        _ registry: PrometheusCollectorRegistry, _ name: String, help: String,
        labels: @escaping @Sendable (Key) -> [(String, String)]
    ) {
        self.registry = registry
        self.name = name
        self.help = help
        self.labels = labels
    }

    func increment(_ key: Key) {
        let counter = series.withLock { series in
            if let known = series[key] { return known }
            let dimensions = labels(key)
            let made = CoreMetrics.Counter(
                label: name, dimensions: dimensions,
                handler: registry.makeCounter(name: name, labels: dimensions, help: help))
            series[key] = made
            return made
        }
        counter.increment()
    }
}

extension CounterFamily where Key == String {
    convenience init(_ registry: PrometheusCollectorRegistry, _ name: String, label: String, help: String) {
        self.init(registry, name, help: help) { [(label, $0)] }
    }
}

/// One kind's cache state, for the gauges.
public struct CacheKindState: Sendable, Equatable {
    public var kind: String
    public var objects: Int
    public var synced: Bool
    /// Seconds since the kind last heard from the API server; nil before its first list.
    public var stalenessSeconds: Double?

    public init(kind: String, objects: Int, synced: Bool, stalenessSeconds: Double? = nil) {
        self.kind = kind
        self.objects = objects
        self.synced = synced
        self.stalenessSeconds = stalenessSeconds
    }
}
