import Foundation
import HTTPSServerKit
import NIOHTTP1
import SingletonCore
import TestSupport
import Testing
@testable import WebhookServer

@Suite("Bad input: refused with the right status, a well-formed answer, and the server still serving")
struct BadInputTests {
    static let uid = "a1f1c0de-0007-4000-8000-000000000007"

    @Test(
        "413, 415, 405, 404, 400 (malformed, non-AdmissionReview, empty, wrong version), each echoing the uid when readable"
    )
    func refusals() async throws {
        let pki = try TestPKI.make()
        var settings = pki.settings()
        settings.limits.maxBodyBytes = 64 * 1024
        let service = try await WebhookService.start(settings, source: nil, logger: LogCapture().logger)
        let tls = try pki.clientTLS()
        let port = service.server.port
        let good = try Fixtures.review("07-kubectl-scale-denied.json")
        let text = String(decoding: good, as: UTF8.self)

        struct Case {
            var name: String; var status: HTTPResponseStatus; var uid: String?;
            var send: (HTTPSClient) async throws -> ClientResponse
        }
        let padding = String(repeating: " ", count: 70 * 1024)
        let cases: [Case] = [
            Case(name: "too large", status: .payloadTooLarge, uid: Self.uid) {
                // The uid comes early in the document, so even the prefix read before the cap shows it.
                try await $0.review(Data((text.dropLast(2) + padding + "}}").utf8))
            },
            Case(name: "form content type", status: .unsupportedMediaType, uid: Self.uid) {
                try await $0.review(good, contentType: "application/x-www-form-urlencoded")
            },
            Case(name: "GET on validate", status: .methodNotAllowed, uid: nil) { try await $0.send(.GET, "/validate") },
            Case(name: "unknown path", status: .notFound, uid: Self.uid) { try await $0.review(good, path: "/mutate") },
            Case(name: "truncated JSON", status: .badRequest, uid: Self.uid) {
                try await $0.review(Data(good.prefix(good.count / 2)))
            },
            Case(name: "not JSON", status: .badRequest, uid: nil) { try await $0.review(Data("<xml/>".utf8)) },
            Case(name: "a Deployment, not an AdmissionReview", status: .badRequest, uid: nil) {
                try await $0.review(try Fixtures.review("parent-web.json"))
            },
            Case(name: "v1beta1 review", status: .badRequest, uid: Self.uid) {
                try await $0.review(
                    Data(text.replacingOccurrences(of: "admission.k8s.io/v1", with: "admission.k8s.io/v1beta1").utf8))
            },
            Case(name: "empty body", status: .badRequest, uid: nil) { try await $0.review(Data()) },
        ]
        for c in cases {
            let client = try await HTTPSClient.connect(host: "127.0.0.1", port: port, tls: tls)
            let response = try await c.send(client)
            #expect(response.status == c.status, "\(c.name)")
            let answer = try ReviewAnswer.decode(response.body)
            #expect(!answer.response.allowed, "\(c.name)")
            #expect(answer.response.status?.code == Int(c.status.code), "\(c.name)")
            #expect(answer.response.status?.message?.isEmpty == false, "\(c.name)")
            if let uid = c.uid { #expect(answer.response.uid == uid, "\(c.name)") }
            await client.close()
            // Still serving after each.
            let check = try await HTTPSClient.connect(host: "127.0.0.1", port: port, tls: tls)
            #expect(try await check.review(good).status == .ok, "after \(c.name)")
            await check.close()
        }
        let metrics = service.metrics.render()
        for reason in [
            "too-large", "unsupported-media-type", "method-not-allowed", "not-found", "malformed", "empty-body",
        ] {
            #expect(metrics.contains("singleton_webhook_rejected_requests_total{reason=\"\(reason)\"}"), "\(reason)")
        }
        await service.shutdown()
    }

    @Test("random mutations of a real review never crash or hang the server")
    func mutations() async throws {
        let pki = try TestPKI.make()
        let service = try await WebhookService.start(pki.settings(), source: nil, logger: LogCapture().logger)
        let client = try await HTTPSClient.connect(
            host: "127.0.0.1", port: service.server.port, tls: try pki.clientTLS())
        let good = Array(try Fixtures.review("04-at-most-one-surge-denied.json"))
        var rng = SplitMix64(seed: 42)
        for _ in 0..<200 {
            var bytes = good
            for _ in 0..<(1 + Int(rng.next() % 8)) {
                let i = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 3 {
                case 0: bytes[i] = UInt8(truncatingIfNeeded: rng.next())
                case 1: bytes.remove(at: i)
                default: bytes.insert(Array("{}[]\",:0".utf8)[Int(rng.next() % 8)], at: i)
                }
            }
            let response = try await client.review(Data(bytes))
            #expect(response.status == .ok || response.status == .badRequest)
            _ = try ReviewAnswer.decode(response.body)
        }
        await client.close()
        await service.shutdown()
    }
}
