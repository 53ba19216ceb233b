import Logging
import SingletonCore

/// Answers "what is this scale or HPA request's parent?" for the decision core: from the
/// cache when it holds the object with the expected uid, else with a direct GET (a cache
/// that has not caught up with a just-created workload, or a recreated one).
public struct ParentResolver: Sendable {
    public let cache: ParentCache?
    public let source: (any MetadataSource)?
    public let metrics: WebhookMetrics?
    public let logger: Logger
    /// How long a direct GET may take before the parent counts as unverifiable. It must stay
    /// well under the API server's webhook timeout (5 s in deploy/): past that, the API
    /// server gives up on the webhook and its failurePolicy decides instead of
    /// `--on-lookup-failure`.
    public let timeout: Duration

    /// `cache` nil and `source` nil means lookups are disabled: every parent counts as
    /// unverifiable and `--on-lookup-failure` decides.
    public init(
        cache: ParentCache?, source: (any MetadataSource)?, metrics: WebhookMetrics?, logger: Logger,
        timeout: Duration = .seconds(2)
    ) {
        self.cache = cache
        self.source = source
        self.metrics = metrics
        self.logger = logger
        self.timeout = timeout
    }

    public func resolve(_ ref: ParentReference) async -> ParentLookup {
        if let known = resolveWithoutWaiting(ref) { return known }
        return await fetch(ref)
    }

    /// The answer when it needs no API call: a cache hit with the expected uid, or
    /// "unavailable" when lookups are disabled. Nil means `resolve` would have to ask the
    /// API server; the webhook answers everything else on the event loop without a task.
    public func resolveWithoutWaiting(_ ref: ParentReference) -> ParentLookup? {
        if let hit = cache?.lookup(ref), uidMatches(hit.uid, ref) {
            metrics?.recordLookup(source: "cache")
            return .found(hit.meta(namespace: ref.namespace, name: ref.name))
        }
        guard source != nil else {
            metrics?.recordLookupFailure(reason: "disabled")
            return .unavailable(Self.disabled)
        }
        return nil
    }

    private static let disabled = "parent lookups are disabled (--parent-lookup none)"

    /// A direct GET, for a parent the cache does not hold (yet) with the expected uid: what
    /// `resolve` does after `resolveWithoutWaiting` returned nil.
    public func fetch(_ ref: ParentReference) async -> ParentLookup {
        guard let source else { return .unavailable(Self.disabled) }
        metrics?.recordLookup(source: "api")
        do {
            let found = try await withDeadline(timeout) {
                try await source.get(ref.kind, namespace: ref.namespace, name: ref.name)
            }
            guard let meta = found else {
                metrics?.recordLookupFailure(reason: "not-found")
                return .notFound
            }
            if !uidMatches(meta.uid, ref) { metrics?.recordLookupFailure(reason: "uid-mismatch") }
            return .found(CachedParent(meta).meta(namespace: ref.namespace, name: ref.name))
        } catch is DeadlineExceeded {
            metrics?.recordLookupFailure(reason: "timeout")
            logger.warning("parent lookup timed out", metadata: ["parent": "\(ref)", "timeout": "\(timeout)"])
            return .unavailable("the API server did not answer within \(timeout)")
        } catch is CancellationError {
            // The connection closed (the API server gave up on this review): no one reads
            // the answer, and the API server is not at fault.
            metrics?.recordLookupFailure(reason: "cancelled")
            logger.debug("parent lookup cancelled: the review's connection closed", metadata: ["parent": "\(ref)"])
            return .unavailable("the review was withdrawn")
        } catch {
            metrics?.recordLookupFailure(reason: "unavailable")
            logger.warning("parent lookup failed", metadata: ["parent": "\(ref)", "error": "\(error)"])
            return .unavailable("the API server could not be asked (\(error))")
        }
    }

    private func uidMatches(_ uid: String?, _ ref: ParentReference) -> Bool {
        guard let expected = ref.expectedUID, !expected.isEmpty else { return true }
        return uid == expected
    }
}
