import Foundation
import HTTPSServerKit
import NIOCore
import SingletonCore
import TestSupport
import Testing
@testable import WebhookServer

/// The faults an independent harness found: each one let a stale or slow dependency decide
/// instead of the webhook, or dropped requests.
@Suite("Reliability: API outages, stalled watches, refused bodies")
struct ReliabilityTests {
    static func parent(annotated: Bool) throws -> ObjectMeta {
        var meta = try Workload.decode(Fixtures.review("parent-web.json")).metadata
        if !annotated { meta.annotations = nil }
        return meta
    }

    @Test(
        "a parent GET that never answers is bounded by the lookup timeout; --on-lookup-failure decides",
        arguments: [UnverifiedParentPolicy.deny, .allow])
    func hangingAPIServer(policy: UnverifiedParentPolicy) async throws {
        let pki = try TestPKI.make()
        var settings = pki.settings()
        settings.onLookupFailure = policy
        settings.lookupTimeout = .milliseconds(300)
        let source = HangingGetSource()
        let service = try await WebhookService.start(settings, source: source, logger: LogCapture().logger)
        let client = try await HTTPSClient.connect(
            host: "127.0.0.1", port: service.server.port, tls: try pki.clientTLS())
        try await waitFor("synced") { try await client.send(.GET, "/readyz").status == .ok }
        let started = ContinuousClock.now
        let response = try await client.review(Fixtures.review("07-kubectl-scale-denied.json"))
        let took = ContinuousClock.now - started
        #expect(response.status == .ok)
        let answer = try ReviewAnswer.decode(response.body).response
        #expect(answer.allowed == (policy == .allow))
        // Well inside the API server's 5 s webhook timeout, so this verdict is the one that counts.
        #expect(took < .seconds(4), "took \(took)")
        #expect(
            service.metrics.render().contains("singleton_webhook_parent_lookup_failures_total{reason=\"timeout\"} 1"))
        await client.close()
        await source.release.fire()
        await service.shutdown()
    }

    @Test(
        "a review whose connection is reset while its parent GET hangs: the lookup is cancelled, not counted an outage")
    func resetDuringLookup() async throws {
        let pki = try TestPKI.make()
        var settings = pki.settings()
        settings.lookupTimeout = .seconds(30)
        let source = HangingGetSource()
        let logs = LogCapture()
        let service = try await WebhookService.start(settings, source: source, logger: logs.logger)
        let client = try await HTTPSClient.connect(
            host: "127.0.0.1", port: service.server.port, tls: try pki.clientTLS())
        try await waitFor("synced") { try await client.send(.GET, "/readyz").status == .ok }
        let body = String(decoding: try Fixtures.review("07-kubectl-scale-denied.json"), as: UTF8.self)
        let raw = try await RawConnection.connect(
            host: "127.0.0.1", port: service.server.port, tls: try pki.clientTLS())
        try await raw.send(
            "POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
        try await waitFor("the parent GET") {
            service.metrics.render().contains("singleton_webhook_parent_lookups_total{source=\"api\"} 1")
        }
        await raw.reset()
        // Well before the 30 s lookup timeout: the webhook stopped waiting when its client left.
        try await waitFor("the lookup to be cancelled") {
            service.metrics.render().contains(
                "singleton_webhook_parent_lookup_failures_total{reason=\"cancelled\"} 1")
        }
        #expect(!service.metrics.render().contains("reason=\"unavailable\""))
        #expect(try await client.send(.GET, "/readyz").status == .ok)
        await client.close()
        await source.release.fire()
        await service.shutdown()
    }

    @Test("a watch that stalls silently is restarted; past the staleness bound /readyz fails and lookups ask the API")
    func frozenWatch() async throws {
        let pki = try TestPKI.make()
        var settings = pki.settings()
        settings.watchIdleTimeout = .milliseconds(300)
        settings.maxCacheStaleness = .milliseconds(1500)
        // Listed before it was annotated; the watch then never delivers the annotation.
        let source = FrozenWatchSource(listed: try Self.parent(annotated: false))
        let service = try await WebhookService.start(settings, source: source, logger: LogCapture().logger)
        let client = try await HTTPSClient.connect(
            host: "127.0.0.1", port: service.server.port, tls: try pki.clientTLS())
        try await waitFor("synced") { try await client.send(.GET, "/readyz").status == .ok }
        await source.annotate(try Self.parent(annotated: true))

        try await waitFor("a stale cache makes the webhook unready") {
            let ready = try await client.send(.GET, "/readyz")
            return ready.status == .serviceUnavailable && ready.bodyString.contains("stale")
        }
        // Polled: the reflector shares the test pool, where synchronous suites can hold it for seconds.
        try await waitFor("the silent watch restarted") { await source.watchCalls >= 2 }
        // The stale entry says "not a singleton"; the API says otherwise, and wins.
        let response = try await client.review(Fixtures.review("07-kubectl-scale-denied.json"))
        #expect(try ReviewAnswer.decode(response.body).response.allowed == false)
        let samples = try parsePrometheus(service.metrics.render())
        #expect((samples["singleton_webhook_parent_cache_idle_watch_restarts_total{kind=\"deployments\"}"] ?? 0) >= 1)
        #expect((samples["singleton_webhook_parent_cache_staleness_seconds{kind=\"deployments\"}"] ?? 0) >= 1.5)
        #expect(samples["singleton_webhook_parent_lookups_total{source=\"api\"}"] == 1)
        await client.close()
        await service.shutdown()
    }

    @Test("a quiet but live watch (accepted, no events) keeps the cache fresh and the webhook ready")
    func quietWatchStaysReady() async throws {
        let pki = try TestPKI.make()
        var settings = pki.settings()
        settings.watchIdleTimeout = .milliseconds(200)
        settings.maxCacheStaleness = .milliseconds(800)
        let source = FrozenWatchSource(listed: try Self.parent(annotated: true), opensWatches: true)
        let service = try await WebhookService.start(settings, source: source, logger: LogCapture().logger)
        let client = try await HTTPSClient.connect(
            host: "127.0.0.1", port: service.server.port, tls: try pki.clientTLS())
        try await waitFor("synced") { try await client.send(.GET, "/readyz").status == .ok }
        try await waitFor("several idle restarts") { await source.watchCalls >= 5 }
        #expect(try await client.send(.GET, "/readyz").status == .ok)
        await client.close()
        await service.shutdown()
    }

    @Test("a body that stops arriving gets 408 as an AdmissionReview echoing the uid read so far")
    func slowBodyIsAnAdmissionReview() async throws {
        let pki = try TestPKI.make()
        var settings = pki.settings()
        settings.limits.bodyTimeout = .milliseconds(500)
        let service = try await WebhookService.start(settings, source: nil, logger: LogCapture().logger)
        let raw = try await RawConnection.connect(
            host: "127.0.0.1", port: service.server.port, tls: try pki.clientTLS())
        let partial =
            "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"slow-1\","
        try await raw.send(
            "POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n"
                + partial)
        let answer = try await raw.receivedUntilClose()
        #expect(answer.hasPrefix("HTTP/1.1 408"))
        let body = try #require(answer.range(of: "\r\n\r\n").map { String(answer[$0.upperBound...]) })
        let review = try ReviewAnswer.decode(ByteBuffer(string: body))
        #expect(review.kind == "AdmissionReview")
        #expect(review.response.uid == "slow-1")
        #expect(review.response.allowed == false)
        #expect(review.response.status?.code == 408)
        await service.shutdown()
    }

    @Test("a chunked body past the limit is answered 413 and the connection closed without reading the rest")
    func chunkedOverLimitStopsReading() async throws {
        let pki = try TestPKI.make()
        var settings = pki.settings()
        settings.limits.maxBodyBytes = 64 * 1024
        let service = try await WebhookService.start(settings, source: nil, logger: LogCapture().logger)
        let raw = try await RawConnection.connect(
            host: "127.0.0.1", port: service.server.port, tls: try pki.clientTLS())
        try await raw.send(
            "POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        let chunk = String(repeating: "a", count: 16 * 1024)
        let chunkText = String(16 * 1024, radix: 16) + "\r\n" + chunk + "\r\n"
        // Past the limit, then the client keeps the request open (never sends the last chunk).
        for _ in 0..<5 { try await raw.send(chunkText) }
        let started = ContinuousClock.now
        let answer = try await raw.receivedUntilClose()
        #expect(answer.hasPrefix("HTTP/1.1 413"))
        // Closed right after the answer, not after the body timeout (30 s) or 4 times the limit.
        #expect(ContinuousClock.now - started < .seconds(10))
        await service.shutdown()
    }

    @Test("a key twice in one object is answered 400, echoing the last uid as the API server's decoder reads it")
    func duplicateKeys() async throws {
        let pki = try TestPKI.make()
        let service = try await WebhookService.start(pki.settings(), source: nil, logger: LogCapture().logger)
        let client = try await HTTPSClient.connect(
            host: "127.0.0.1", port: service.server.port, tls: try pki.clientTLS())
        let original = String(decoding: try Fixtures.review("01-create-singleton-allowed.json"), as: UTF8.self)
        // replicas 1 then 3: Go keeps 3 (deny-worthy), JSONDecoder kept 1 (allowed).
        let body = original.replacingOccurrences(of: "\"replicas\": 1,", with: "\"replicas\": 1, \"replicas\": 3,")
            .replacingOccurrences(
                of: "\"uid\": \"a1f1c0de-0001-4000-8000-000000000001\",",
                with: "\"uid\": \"first\", \"uid\": \"a1f1c0de-0001-4000-8000-000000000001\",")
        #expect(body != original)
        let response = try await client.review(Data(body.utf8))
        #expect(response.status == .badRequest)
        let answer = try ReviewAnswer.decode(response.body).response
        #expect(answer.allowed == false)
        #expect(answer.uid == "a1f1c0de-0001-4000-8000-000000000001")
        #expect(answer.status?.message?.contains("appears twice") == true, "\(answer.status?.message ?? "")")
        await client.close()
        await service.shutdown()
    }
}

/// Lists nothing; GET never answers (and ignores cancellation) until released: a hanging API server.
struct HangingGetSource: MetadataSource {
    let release = Signal()

    func list(_ kind: WorkloadKind, namespace: String?) async throws -> MetadataList {
        MetadataList(items: [], resourceVersion: "1")
    }
    func watch(
        _ kind: WorkloadKind, namespace: String?, resourceVersion: String
    ) async throws -> AsyncThrowingStream<MetadataWatchEvent, any Error> {
        AsyncThrowingStream { _ in }
    }
    func get(_ kind: WorkloadKind, namespace: String, name: String) async throws -> ObjectMeta? {
        await release.wait()
        return nil
    }
}

/// Lists one Deployment; every watch is silent forever (optionally saying it was accepted),
/// so later changes only reach the webhook through a GET.
actor FrozenWatchSource: MetadataSource {
    private var current: ObjectMeta
    private let opensWatches: Bool
    private(set) var watchCalls = 0

    init(listed: ObjectMeta, opensWatches: Bool = false) {
        self.current = listed
        self.opensWatches = opensWatches
    }

    func annotate(_ meta: ObjectMeta) { current = meta }

    func list(_ kind: WorkloadKind, namespace: String?) async throws -> MetadataList {
        MetadataList(items: kind == .deployment ? [current] : [], resourceVersion: "5")
    }

    func watch(
        _ kind: WorkloadKind, namespace: String?, resourceVersion: String
    ) async throws
        -> AsyncThrowingStream<MetadataWatchEvent, any Error>
    {
        if kind == .deployment { watchCalls += 1 }
        let opens = opensWatches
        return AsyncThrowingStream { continuation in
            if opens { continuation.yield(.opened) }
        }
    }

    func get(_ kind: WorkloadKind, namespace: String, name: String) async throws -> ObjectMeta? {
        kind == .deployment && current.namespace == namespace && current.name == name ? current : nil
    }
}
