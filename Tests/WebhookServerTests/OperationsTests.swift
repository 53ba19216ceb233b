import Foundation
import HTTPSServerKit
import KubeCertificates
import SingletonCore
import TestSupport
import Testing
@testable import WebhookServer

/// Parses Prometheus text into samples: "name{labels}" -> value. Fails on malformed lines.
func parsePrometheus(_ text: String) throws -> [String: Double] {
    var samples: [String: Double] = [:]
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
        guard let space = line.lastIndex(of: " "),
            let value = Double(line[line.index(after: space)...].replacingOccurrences(of: "+Inf", with: "inf"))
        else {
            throw PrometheusParseError(line: String(line))
        }
        samples[String(line[..<space])] = value
    }
    return samples
}
struct PrometheusParseError: Error { var line: String }

@Suite("Operations: metrics, client certificates, certificate rotation, shutdown")
struct OperationsTests {
    @Test("/metrics is valid Prometheus text with decisions, a sub-millisecond histogram and cache gauges")
    func metrics() async throws {
        let pki = try TestPKI.make()
        let parent = try Workload.decode(Fixtures.review("parent-web.json")).metadata
        let service = try await WebhookService.start(
            pki.settings(), source: StaticSource(objects: [.deployment: [parent]]),
            logger: LogCapture().logger)
        let client = try await HTTPSClient.connect(
            host: "127.0.0.1", port: service.server.port, tls: try pki.clientTLS())
        try await waitFor("synced") { try await client.send(.GET, "/readyz").status == .ok }
        for file in [
            "01-create-singleton-allowed.json", "02-scale-out-denied.json", "07-kubectl-scale-denied.json",
            "07-kubectl-scale-denied.json",
        ] {
            _ = try await client.review(Fixtures.review(file))
        }
        _ = try await client.review(Data("{".utf8))
        let response = try await client.send(.GET, "/metrics")
        #expect(response.status == .ok)
        #expect(response.headers.first(name: "content-type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let samples = try parsePrometheus(response.bodyString)
        #expect(
            samples[
                "singleton_webhook_admission_decisions_total{verdict=\"deny\",kind=\"deployments/scale\",operation=\"UPDATE\",rule=\"replicas\"}"
            ] == 2)
        #expect(
            samples[
                "singleton_webhook_admission_decisions_total{verdict=\"allow\",kind=\"deployments\",operation=\"CREATE\",rule=\"compliant\"}"
            ] == 1)
        #expect(samples["singleton_webhook_admission_duration_seconds_count"] == 4)
        #expect(samples["singleton_webhook_admission_duration_seconds_bucket{le=\"+Inf\"}"] == 4)
        #expect(samples["singleton_webhook_admission_duration_seconds_bucket{le=\"0.0001\"}"] != nil)
        #expect(samples["singleton_webhook_admission_duration_seconds_bucket{le=\"0.00025\"}"] != nil)
        // Buckets are cumulative.
        let bounds = WebhookMetrics.latencyBuckets.map {
            samples["singleton_webhook_admission_duration_seconds_bucket{le=\"\($0)\"}"] ?? -1
        }
        #expect(bounds == bounds.sorted())
        #expect(samples["singleton_webhook_rejected_requests_total{reason=\"malformed\"}"] == 1)
        #expect(samples["singleton_webhook_parent_cache_objects{kind=\"deployments\"}"] == 1)
        #expect(samples["singleton_webhook_parent_cache_synced{kind=\"statefulsets\"}"] == 1)
        #expect(samples["singleton_webhook_parent_lookups_total{source=\"cache\"}"] == 2)
        #expect(samples["singleton_webhook_build_info{version=\"v\(KubeSingletonVersion.current)\"}"] == 1)
        await client.close()
        await service.shutdown()
    }

    @Test("--metrics-port serves metrics and health over plain HTTP, and the TLS port stops serving /metrics")
    func metricsPort() async throws {
        let pki = try TestPKI.make()
        var settings = pki.settings()
        settings.metricsPort = 0
        settings.metricsHost = "127.0.0.1"
        let service = try await WebhookService.start(settings, source: nil, logger: LogCapture().logger)
        let metricsPort = try #require(service.metricsServer?.port)
        let plain = try await HTTPSClient.connect(host: "127.0.0.1", port: metricsPort, tls: nil)
        #expect(
            try await plain.send(.GET, "/metrics").bodyString.contains(
                "# TYPE singleton_webhook_admission_duration_seconds histogram"))
        #expect(try await plain.send(.GET, "/readyz").status == .ok)
        #expect(try await plain.review(Fixtures.review("01-create-singleton-allowed.json")).status == .notFound)
        let tls = try await HTTPSClient.connect(host: "127.0.0.1", port: service.server.port, tls: try pki.clientTLS())
        #expect(try await tls.send(.GET, "/metrics").status == .notFound)
        await plain.close()
        await tls.close()
        await service.shutdown()
    }

    @Test("--client-ca-file: only clients with a certificate from that CA are answered")
    func clientCertificateRequired() async throws {
        let pki = try TestPKI.make()
        var settings = pki.settings()
        settings.clientCAFile = pki.caFile
        let service = try await WebhookService.start(settings, source: nil, logger: LogCapture().logger)
        let port = service.server.port
        let apiserver = try await HTTPSClient.connect(
            host: "127.0.0.1", port: port, tls: try pki.clientTLS(cn: "kube-apiserver"))
        #expect(try await apiserver.review(Fixtures.review("02-scale-out-denied.json")).status == .ok)
        var refused = false
        do {
            let anonymous = try await HTTPSClient.connect(host: "127.0.0.1", port: port, tls: try pki.clientTLS())
            _ = try await anonymous.review(Fixtures.review("02-scale-out-denied.json"))
        } catch {
            refused = true
        }
        #expect(refused)
        await apiserver.close()
        await service.shutdown()
    }

    @Test("a rotated certificate is served to new connections and counted; requests never fail meanwhile")
    func rotation() async throws {
        let pki = try TestPKI.make()
        var settings = pki.settings()
        settings.certificateReloadInterval = .milliseconds(20)
        let service = try await WebhookService.start(settings, source: nil, logger: LogCapture().logger)
        let port = service.server.port
        let rotated = try TestPKI.make("rotated")
        let newCA = rotated.ca, newCert = rotated.server
        let both = ClientTLS(trustRoots: .pem(pki.ca.certificatePEM + newCA.certificatePEM))
        let body = try Fixtures.review("02-scale-out-denied.json")
        let failures = try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                var failures = 0
                for _ in 0..<40 {
                    do {
                        let c = try await HTTPSClient.connect(host: "127.0.0.1", port: port, tls: both)
                        if try await c.review(body).status != .ok { failures += 1 }
                        await c.close()
                    } catch { failures += 1 }
                }
                return failures
            }
            group.addTask {
                // cert-manager writes the key and the certificate in place (not atomically together).
                try newCert.privateKeyPEM.write(toFile: pki.keyFile, atomically: false, encoding: .utf8)
                try await Task.sleep(for: .milliseconds(50))
                try newCert.certificatePEM.write(toFile: pki.certFile, atomically: false, encoding: .utf8)
                return 0
            }
            return try await group.reduce(0, +)
        }
        #expect(failures == 0)
        try await waitFor("reload counted") {
            service.metrics.render().contains("singleton_webhook_tls_reloads_total{result=\"success\"}")
        }
        let onlyNew = try await HTTPSClient.connect(
            host: "127.0.0.1", port: port, tls: ClientTLS(trustRoots: .pem(newCA.certificatePEM)))
        #expect(try await onlyNew.review(body).status == .ok)
        await onlyNew.close()
        await service.shutdown()
    }

    @Test("shutdown answers the request in flight, then refuses connections")
    func shutdownInFlight() async throws {
        let pki = try TestPKI.make()
        let source = BlockingGetSource()
        var settings = pki.settings()
        settings.shutdownGrace = .seconds(30)
        settings.lookupTimeout = .seconds(60)  // the GET is held on purpose
        let service = try await WebhookService.start(settings, source: source, logger: LogCapture().logger)
        let port = service.server.port
        let client = try await HTTPSClient.connect(host: "127.0.0.1", port: port, tls: try pki.clientTLS())
        // A scale whose parent needs a GET, which blocks until released: the request is in flight.
        async let inFlight = client.review(Fixtures.review("07-kubectl-scale-denied.json"))
        await source.getStarted.wait()
        async let stopped: Void = service.shutdown()
        try await waitFor("listener closed") {
            (try? await HTTPSClient.connect(host: "127.0.0.1", port: port, tls: try pki.clientTLS())) == nil
        }
        await source.release.fire()
        let response = try await inFlight
        #expect(response.status == .ok)
        #expect(!(try ReviewAnswer.decode(response.body).response.allowed))
        await stopped
    }
}

extension OperationsTests {
    @Test(
        "--shutdown-delay: after SIGTERM new connections are still answered, with Connection: close and /readyz failing; then refused"
    )
    func shutdownDelay() async throws {
        let pki = try TestPKI.make()
        var settings = pki.settings()
        settings.shutdownDelay = .seconds(3)
        let service = try await WebhookService.start(settings, source: nil, logger: LogCapture().logger)
        let port = service.server.port
        let body = try Fixtures.review("03-scale-down-allowed.json")
        let kept = try await HTTPSClient.connect(host: "127.0.0.1", port: port, tls: try pki.clientTLS())
        #expect(try await kept.send(.GET, "/readyz").status == .ok)
        let begun = ContinuousClock.now
        async let stopped: Void = service.shutdown()
        try await waitFor("readyz fails, on a new connection") {
            let probe = try await HTTPSClient.connect(host: "127.0.0.1", port: port, tls: try pki.clientTLS())
            defer { Task { await probe.close() } }
            return try await probe.send(.GET, "/readyz").status == .serviceUnavailable
        }
        // The API server's kept connection is told to go with its next answer: its next
        // connection follows the Service.
        let last = try await kept.send(.GET, "/healthz")
        #expect(last.headers.first(name: "connection")?.lowercased() == "close")
        let fresh = try await HTTPSClient.connect(host: "127.0.0.1", port: port, tls: try pki.clientTLS())
        let answer = try await fresh.review(body)
        #expect(ContinuousClock.now - begun < .seconds(3), "answered within the delay")
        #expect(answer.status == .ok)
        #expect(try ReviewAnswer.decode(answer.body).response.allowed)
        #expect(answer.headers.first(name: "connection")?.lowercased() == "close")
        try await waitFor("listener closed after the delay") {
            (try? await HTTPSClient.connect(host: "127.0.0.1", port: port, tls: try pki.clientTLS())) == nil
        }
        #expect(ContinuousClock.now - begun >= .seconds(3), "the listener stayed open for the delay")
        await stopped
        await kept.close()
        await fresh.close()
    }
}

/// Lists nothing; GET blocks until released, then finds shop/web as an at-most-one Deployment.
struct BlockingGetSource: MetadataSource {
    let getStarted = Signal()
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
        await getStarted.fire()
        await release.wait()
        return try Workload.decode(Fixtures.review("parent-web.json")).metadata
    }
}
