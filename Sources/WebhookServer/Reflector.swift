import Foundation
import HTTPSServerKit
import KubeAPIMachinery
import Logging
import SingletonCore
import Synchronization

/// Keeps one kind of the `ParentCache` in step with the API: list, then watch from the
/// list's resourceVersion; bookmarks advance it; 410 Gone forces a relist; any other
/// failure retries with backoff, resuming the watch from the last version seen (which
/// turns into a relist if that version has expired). A watch that brings nothing for
/// `idleTimeout` (no event, no bookmark) is restarted from its last version: a stalled
/// stream looks exactly like a quiet cluster from inside, so the only safe answer is to ask
/// again. A custom resource whose CRD is not installed (a 404) is marked absent in the cache
/// and asked for again every `absentRetry`, so a CRD installed later is picked up.
public struct Reflector: Sendable {
    public let kind: WorkloadKind
    public let namespace: String?
    public let source: any MetadataSource
    public let cache: ParentCache
    public let backoff: Backoff
    public let idleTimeout: Duration
    /// How often a kind whose CRD is not installed is asked for again.
    public let absentRetry: Duration
    public let metrics: WebhookMetrics?
    public let logger: Logger

    public init(
        kind: WorkloadKind, namespace: String?, source: any MetadataSource, cache: ParentCache,
        backoff: Backoff = Backoff(), idleTimeout: Duration = .seconds(90), absentRetry: Duration = .seconds(60),
        metrics: WebhookMetrics? = nil, logger: Logger
    ) {
        self.kind = kind
        self.namespace = namespace
        self.source = source
        self.cache = cache
        self.backoff = backoff
        self.idleTimeout = idleTimeout
        self.absentRetry = absentRetry
        self.metrics = metrics
        self.logger = logger
    }

    /// Runs until the task is cancelled.
    public func run() async {
        var failures = 0
        var absent = false
        while !Task.isCancelled {
            let outcome = await round()
            if outcome != .notInstalled, absent {
                absent = false
                logger.info("custom resource installed; caching it", metadata: ["kind": "\(kind.resource)"])
            }
            switch outcome {
            case .watchEnded:
                failures = 0  // a server-side watch timeout: reconnect at once
            case .idle:
                failures = 0
                metrics?.recordIdleWatchRestart(kind: kind.resource)
                logger.warning(
                    "watch brought nothing (no event, no bookmark); restarting it",
                    metadata: ["kind": "\(kind.resource)", "idleFor": "\(idleTimeout)"])
            case .gone:
                failures = 0
                cache.update { $0.invalidate(kind) }
                logger.info("watch expired (410 Gone); relisting", metadata: ["kind": "\(kind.resource)"])
            case .failed(let why):
                failures += 1
                let delay = backoff.delay(attempt: failures)
                logger.warning(
                    "parent cache connection failed; retrying",
                    metadata: [
                        "kind": "\(kind.resource)", "error": "\(why)", "attempt": "\(failures)", "retryIn": "\(delay)",
                    ])
                try? await Task.sleep(for: delay)
            case .notInstalled:
                failures = 0
                cache.markNotInstalled(kind)
                if !absent {
                    absent = true
                    logger.info(
                        "custom resource not installed; not cached, looked up directly; checking again periodically",
                        metadata: ["kind": "\(kind.resource)", "every": "\(absentRetry)"])
                }
                try? await Task.sleep(for: absentRetry)
            case .cancelled:
                return
            }
        }
    }

    /// Lists the kind page by page into its part of the cache (in place: see
    /// `ParentCacheStore`); returns how many objects came and at which version. Only one page
    /// is alive at a time. A failure part-way leaves the kind unsynced at its old entries, and
    /// the next relist starts over.
    private func relist() async throws -> (count: Int, resourceVersion: String) {
        let kind = self.kind, cache = self.cache
        cache.update { $0.beginRelist(kind) }
        var count = 0
        let version = try await source.list(kind, namespace: namespace) { page in
            if count == 0, let remaining = page.remaining {
                cache.update { $0.reserve(kind, page.items.count + remaining) }
            }
            count += page.items.count
            cache.update { $0.addListed(kind, page.items) }
        }
        cache.heardFrom(kind) { $0.finishRelist(kind, resourceVersion: version) }
        return (count, version)
    }

    enum RoundOutcome: Equatable {
        case watchEnded, idle, gone, notInstalled, failed(String), cancelled
    }

    /// One list-if-needed plus one watch, until the watch ends, fails or goes idle.
    func round() async -> RoundOutcome {
        do {
            if cache.read({ $0.resourceVersion(kind) }) == nil {
                let (count, version) = try await relist()
                // Only now is the list gone (it lived in `relist`): hand its freed pages back,
                // which glibc keeps otherwise (figures in docs/performance.md).
                MemoryRelease.trim()
                metrics?.recordRelist(kind: kind.resource)
                logger.debug(
                    "listed",
                    metadata: [
                        "kind": "\(kind.resource)", "objects": "\(count)",
                        "resourceVersion": "\(version)",
                    ])
            }
            guard let rv = cache.read({ $0.resourceVersion(kind) }) else { return .gone }
            return try await watch(from: rv)
        } catch MetadataSourceError.gone {
            return .gone
        } catch MetadataSourceError.notInstalled {
            return .notInstalled
        } catch {
            return Task.isCancelled ? .cancelled : .failed("\(error)")
        }
    }

    /// Applies the watch's events until it ends; `.idle` when nothing came for `idleTimeout`.
    private func watch(from rv: String) async throws -> RoundOutcome {
        let activity = WatchActivity()
        let kind = self.kind, cache = self.cache, source = self.source, namespace = self.namespace
        return try await withThrowingTaskGroup(of: RoundOutcome?.self) { group in
            group.addTask {
                let events = try await source.watch(kind, namespace: namespace, resourceVersion: rv)
                for try await event in events {
                    if Task.isCancelled { return nil }
                    activity.touch()
                    cache.heardFrom(kind) { $0.apply(kind, event) }
                }
                return Task.isCancelled ? nil : .watchEnded
            }
            let idleTimeout = self.idleTimeout
            group.addTask {
                // The watchdog: wakes a few times per idle period and gives up on a silent watch.
                let step = idleTimeout / 4
                while !Task.isCancelled {
                    try? await Task.sleep(for: step)
                    if activity.silentFor() >= idleTimeout { return .idle }
                }
                return nil
            }
            defer { group.cancelAll() }
            while let finished = try await group.next() {
                if let outcome = finished { return outcome }
                if Task.isCancelled { return .cancelled }
            }
            return .cancelled
        }
    }
}

/// When a watch last delivered something, shared by the consumer and its watchdog.
final class WatchActivity: Sendable {
    private let last = Mutex(ContinuousClock.now)

    func touch() { last.withLock { $0 = .now } }
    func silentFor() -> Duration { ContinuousClock.now - last.withLock { $0 } }
}
