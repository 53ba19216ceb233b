import Foundation
import HTTPSServerKit
import SingletonCore
import Testing
@testable import WebhookServer
import TestSupport

/// The webhook over real TLS on 127.0.0.1 with parent lookups disabled or in memory.
@Suite("singleton-webhook over real TLS")
struct WebhookEndToEndTests {
    /// An in-memory parent source holding shop/web (the examples' parent) as an at-most-one Deployment.
    static func parentSource() throws -> StaticSource {
        let parent = try Workload.decode(Fixtures.review("parent-web.json")).metadata
        return StaticSource(objects: [.deployment: [parent]])
    }

    @Test("the example reviews get the verdicts they are named for, each echoing its uid")
    func exampleVerdicts() async throws {
        let pki = try TestPKI.make()
        let log = LogCapture()
        let service = try await WebhookService.start(
            pki.settings(), source: try Self.parentSource(), logger: log.logger)
        let client = try await HTTPSClient.connect(
            host: "127.0.0.1", port: service.server.port, tls: try pki.clientTLS())
        // Bounded wait for the cache (in-memory source) to sync.
        for _ in 0..<500 where !(service.cache?.isSynced ?? false) { try await Task.sleep(for: .milliseconds(5)) }
        let files = try FileManager.default.contentsOfDirectory(
            atPath: Fixtures.repoRoot.appendingPathComponent("examples/reviews").path
        )
        .filter { $0.first?.isNumber == true }.sorted()
        #expect(files.count >= 9)
        for file in files {
            let body = try Fixtures.review(file)
            let sentUID = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
                .flatMap { ($0["request"] as? [String: Any])?["uid"] as? String }
            let response = try await client.review(body)
            #expect(response.status == .ok, "\(file)")
            #expect(response.headers.first(name: "content-type") == "application/json")
            let answer = try ReviewAnswer.decode(response.body)
            #expect(answer.kind == "AdmissionReview" && answer.apiVersion == "admission.k8s.io/v1")
            #expect(answer.response.uid == sentUID, "\(file)")
            let expectDenied = file.contains("denied")
            #expect(answer.response.allowed == !expectDenied, "\(file): \(answer.response.status?.message ?? "")")
            if expectDenied { #expect(answer.response.status?.code == 403, "\(file)") }
        }
        // kubectl scale was judged against the cached parent, not an API call.
        let metrics = service.metrics.render()
        #expect(metrics.contains("singleton_webhook_parent_lookups_total{source=\"cache\"}"))
        #expect(!metrics.contains("source=\"api\""))
        // One info line per denial with object, mode and reason.
        let denials = log.lines.filter { $0["msg"] == "denied" }
        #expect(denials.count == files.filter { $0.contains("denied") }.count)
        #expect(denials.allSatisfy { $0["object"] != nil && $0["reason"] != nil && $0["uid"] != nil })
        #expect(denials.contains { $0["mode"] == "at-most-one" && $0["object"] == "shop/web" })
        await client.close()
        await service.shutdown()
    }

    @Test(
        "real-world AdmissionReviews from public sources are answered, never crash the server",
        .enabled(if: Fixtures.sharedAvailable, "needs ../shared/fixtures (absent: skipped)"))
    func publicReviews() async throws {
        let pki = try TestPKI.make()
        var settings = pki.settings()
        settings.onLookupFailure = .deny
        let service = try await WebhookService.start(settings, source: nil, logger: LogCapture().logger)
        let client = try await HTTPSClient.connect(
            host: "127.0.0.1", port: service.server.port, tls: try pki.clientTLS())
        let dir = Fixtures.shared.appendingPathComponent("fixtures/public/admission/wrapped")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(!files.isEmpty)
        for file in files + [
            "../scale-update.k8s-docs.review.json", "../deployment-create-dryrun.kube-review.review.json",
        ] {
            let body = try Data(contentsOf: dir.appendingPathComponent(file))
            let response = try await client.review(body)
            #expect(response.status == .ok, "\(file): \(response.bodyString)")
            let answer = try ReviewAnswer.decode(response.body)
            #expect(!answer.response.uid.isEmpty, "\(file)")
        }
        // The docs' scale example has no cache to consult: with --on-lookup-failure deny it is refused.
        let scale = try ReviewAnswer.decode(
            try await client.review(Fixtures.publicAdmission("scale-update.k8s-docs.review.json")).body)
        if !scale.response.allowed { #expect(scale.response.status?.message?.isEmpty == false) }
        await client.close()
        await service.shutdown()
    }

    @Test("--on-lookup-failure allow lets an unverifiable scale through with a warning and a metric")
    func lookupFailureAllow() async throws {
        let pki = try TestPKI.make()
        let service = try await WebhookService.start(pki.settings(), source: nil, logger: LogCapture().logger)
        let client = try await HTTPSClient.connect(
            host: "127.0.0.1", port: service.server.port, tls: try pki.clientTLS())
        let answer = try ReviewAnswer.decode(
            try await client.review(Fixtures.review("07-kubectl-scale-denied.json")).body)
        #expect(answer.response.allowed)
        #expect(answer.response.warnings?.isEmpty == false)
        #expect(
            service.metrics.render().contains("singleton_webhook_parent_lookup_failures_total{reason=\"disabled\"} 1"))
        var deny = pki.settings()
        deny.onLookupFailure = .deny
        let strict = try await WebhookService.start(deny, source: nil, logger: LogCapture().logger)
        let c2 = try await HTTPSClient.connect(host: "127.0.0.1", port: strict.server.port, tls: try pki.clientTLS())
        let denied = try ReviewAnswer.decode(try await c2.review(Fixtures.review("07-kubectl-scale-denied.json")).body)
        #expect(!denied.response.allowed)
        await client.close()
        await c2.close()
        await service.shutdown()
        await strict.shutdown()
    }
}
