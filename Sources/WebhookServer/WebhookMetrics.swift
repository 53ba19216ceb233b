import Foundation
import SingletonCore

/// The webhook's Prometheus metrics: decisions, latency, parent lookups, cache state, TLS
/// reloads. One lock guards everything; updates are a few integer increments, so the hot
/// path pays a lock round trip and nothing else.
public final class WebhookMetrics: @unchecked Sendable {
    /// Latency bucket bounds in seconds, with sub-millisecond resolution where the webhook lives.
    public static let latencyBuckets: [Double] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]

    struct DecisionKey: Hashable { var verdict: String, kind: String, operation: String, rule: String }

    private let lock = NSLock()
    private var decisions: [DecisionKey: Int] = [:]
    private var rejected: [String: Int] = [:]          // HTTP-level rejections by reason
    private var lookups: [String: Int] = [:]           // by source: cache, api
    private var lookupFailures: [String: Int] = [:]    // by reason
    private var tlsReloads: [String: Int] = [:]        // by result
    private var relists: [String: Int] = [:]           // by kind
    private var watchRestarts: [String: Int] = [:]     // by kind, for silent watches
    private var latencyCounts = [Int](repeating: 0, count: WebhookMetrics.latencyBuckets.count + 1)
    private var latencySum = 0.0
    /// Cache gauges are read at scrape time from the cache itself.
    private let cacheState: @Sendable () -> [CacheKindState]

    public init(cacheState: @escaping @Sendable () -> [CacheKindState] = { [] }) {
        self.cacheState = cacheState
    }

    public func recordDecision(verdict: String, kind: String, operation: String, rule: String, seconds: Double) {
        let index = Self.latencyBuckets.firstIndex { seconds <= $0 } ?? Self.latencyBuckets.count
        lock.lock()
        decisions[DecisionKey(verdict: verdict, kind: kind, operation: operation, rule: rule), default: 0] += 1
        latencyCounts[index] += 1
        latencySum += seconds
        lock.unlock()
    }

    /// A request refused before any decision (413, 415, 405, 404, 400).
    public func recordRejected(reason: String) { bump(\.rejected, reason) }
    public func recordLookup(source: String) { bump(\.lookups, source) }
    public func recordLookupFailure(reason: String) { bump(\.lookupFailures, reason) }
    public func recordTLSReload(success: Bool) { bump(\.tlsReloads, success ? "success" : "failure") }
    public func recordRelist(kind: String) { bump(\.relists, kind) }
    public func recordIdleWatchRestart(kind: String) { bump(\.watchRestarts, kind) }

    private func bump(_ path: ReferenceWritableKeyPath<WebhookMetrics, [String: Int]>, _ key: String) {
        lock.lock()
        self[keyPath: path][key, default: 0] += 1
        lock.unlock()
    }

    /// The whole exposition, stable ordering.
    public func render() -> String {
        lock.lock()
        let decisions = self.decisions, rejected = self.rejected, lookups = self.lookups
        let failures = self.lookupFailures, reloads = self.tlsReloads, relists = self.relists, restarts = self.watchRestarts
        let counts = self.latencyCounts, sum = self.latencySum
        lock.unlock()
        let P = PrometheusText.self
        var out = ""

        // The usual `_build_info` gauge: always 1, the version in a label, so dashboards can
        // join on it and tell which build answered.
        out += P.header("singleton_webhook_build_info", type: "gauge", help: "Always 1; the webhook's version is in the label.")
        out += P.sample("singleton_webhook_build_info", [("version", "v\(KubeSingletonVersion.current)")], "1")

        out += P.header("singleton_webhook_admission_decisions_total", type: "counter",
                        help: "Admission decisions by verdict, resource (kind), operation and deciding rule.")
        for (key, value) in decisions.sorted(by: { "\($0.key)" < "\($1.key)" }) {
            out += P.sample("singleton_webhook_admission_decisions_total",
                            [("verdict", key.verdict), ("kind", key.kind), ("operation", key.operation), ("rule", key.rule)], "\(value)")
        }

        let hist = "singleton_webhook_admission_duration_seconds"
        out += P.header(hist, type: "histogram", help: "Time from a complete request body to an encoded AdmissionReview answer.")
        var cumulative = 0
        for (i, bound) in Self.latencyBuckets.enumerated() {
            cumulative += counts[i]
            out += P.sample("\(hist)_bucket", [("le", "\(bound)")], "\(cumulative)")
        }
        cumulative += counts[Self.latencyBuckets.count]
        out += P.sample("\(hist)_bucket", [("le", "+Inf")], "\(cumulative)")
        out += P.sample("\(hist)_sum", [], "\(sum)")
        out += P.sample("\(hist)_count", [], "\(cumulative)")

        out += counter("singleton_webhook_rejected_requests_total", "reason", rejected,
                       help: "Requests refused before a decision: too large, wrong content type, method or path, unreadable.")
        out += counter("singleton_webhook_parent_lookups_total", "source", lookups,
                       help: "Parent workload lookups for scale and HPA requests, by where the answer came from.")
        out += counter("singleton_webhook_parent_lookup_failures_total", "reason", failures,
                       help: "Parent lookups that could not verify the parent; --on-lookup-failure decided these.")
        out += counter("singleton_webhook_tls_reloads_total", "result", reloads,
                       help: "Serving certificate reloads after the files changed.")
        out += counter("singleton_webhook_parent_cache_relists_total", "kind", relists,
                       help: "Full relists of the parent cache (start, 410 Gone, reconnect without a usable resourceVersion).")
        out += counter("singleton_webhook_parent_cache_idle_watch_restarts_total", "kind", restarts,
                       help: "Watches restarted because nothing (no event, no bookmark) came within --watch-idle-timeout.")

        let state = cacheState()
        out += P.header("singleton_webhook_parent_cache_objects", type: "gauge", help: "Workloads held in the metadata cache, by kind.")
        for s in state { out += P.sample("singleton_webhook_parent_cache_objects", [("kind", s.kind)], "\(s.objects)") }
        out += P.header("singleton_webhook_parent_cache_synced", type: "gauge", help: "1 once the kind's first list completed.")
        for s in state { out += P.sample("singleton_webhook_parent_cache_synced", [("kind", s.kind)], s.synced ? "1" : "0") }
        out += P.header("singleton_webhook_parent_cache_staleness_seconds", type: "gauge",
                        help: "Seconds since the kind last heard from the API server (list, accepted watch, event, bookmark).")
        for s in state {
            if let age = s.stalenessSeconds { out += P.sample("singleton_webhook_parent_cache_staleness_seconds", [("kind", s.kind)], "\(age)") }
        }
        return out
    }

    private func counter(_ name: String, _ label: String, _ values: [String: Int], help: String) -> String {
        var out = PrometheusText.header(name, type: "counter", help: help)
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            out += PrometheusText.sample(name, [(label, key)], "\(value)")
        }
        return out
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
