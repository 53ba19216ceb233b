import Foundation
import HTTPSServerKit
import SingletonCore
import Testing
@testable import WebhookServer
import TestSupport

/// Enforcement `warn` over real TLS: the example reviews that are denied, sent to the
/// warn-only path, under `--enforcement warn`, or carrying the annotation.
@Suite("singleton-webhook enforcement over real TLS")
struct EnforcementEndToEndTests {
    /// The response as the API server reads it: allowed, status, warnings, audit annotations.
    struct Answer {
        var uid: String
        var allowed: Bool
        var code: Int?
        var message: String?
        var warnings: [String]
        var audit: [String: String]

        init(_ body: Data) throws {
            let review = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
            let response = try #require(review["response"] as? [String: Any])
            uid = response["uid"] as? String ?? ""
            allowed = response["allowed"] as? Bool ?? false
            let status = response["status"] as? [String: Any]
            code = status?["code"] as? Int
            message = status?["message"] as? String
            warnings = response["warnings"] as? [String] ?? []
            audit = response["auditAnnotations"] as? [String: String] ?? [:]
        }
    }

    /// An example review with `kube-singleton.dev/enforcement` set on its object.
    static func annotated(_ file: String, enforcement: String) throws -> Data {
        var review = try #require(try JSONSerialization.jsonObject(with: Fixtures.review(file)) as? [String: Any])
        var request = try #require(review["request"] as? [String: Any])
        var object = try #require(request["object"] as? [String: Any])
        var meta = try #require(object["metadata"] as? [String: Any])
        var annotations = meta["annotations"] as? [String: String] ?? [:]
        annotations[SingletonAnnotation.enforcement] = enforcement
        meta["annotations"] = annotations
        object["metadata"] = meta
        request["object"] = object
        review["request"] = request
        return try JSONSerialization.data(withJSONObject: review)
    }

    static func uid(_ body: Data) throws -> String {
        let review = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        return try #require((review["request"] as? [String: Any])?["uid"] as? String)
    }

    /// Checks a warned answer against the denial the same body gets on /validate.
    static func expectWarned(_ answer: Answer, denial: String, uid: String, _ what: String) {
        #expect(answer.allowed, "\(what)")
        #expect(answer.code == nil && answer.message == nil, "\(what)")
        #expect(answer.uid == uid, "\(what)")
        #expect(answer.warnings.first?.hasPrefix(denial) == true, "\(what): \(answer.warnings)")
        #expect(answer.audit["would-deny"] == denial, "\(what): \(answer.audit)")
    }

    @Test("denials become warnings on the warn-only path and under the annotation; the rest is unchanged")
    func warnPathAndAnnotation() async throws {
        let pki = try TestPKI.make()
        let log = LogCapture()
        let service = try await WebhookService.start(
            pki.settings(), source: try WebhookEndToEndTests.parentSource(), logger: log.logger)
        let client = try await HTTPSClient.connect(
            host: "127.0.0.1", port: service.server.port, tls: try pki.clientTLS())
        for _ in 0..<500 where !(service.cache?.isSynced ?? false) { try await Task.sleep(for: .milliseconds(5)) }

        var warned = 0
        for file in ["02-scale-out-denied.json", "04-at-most-one-surge-denied.json", "07-kubectl-scale-denied.json"] {
            let body = try Fixtures.review(file)
            let uid = try Self.uid(body)
            let denied = try Answer(Data(try await client.review(body).body.readableBytesView))
            #expect(!denied.allowed && denied.code == 403, "\(file)")
            let denial = try #require(denied.message)
            #expect(denied.audit["would-deny"] == nil)

            let response = try await client.review(body, path: "/validate-warn")
            #expect(response.status == .ok)
            let answer = try Answer(Data(response.body.readableBytesView))
            Self.expectWarned(answer, denial: denial, uid: uid, "\(file) on /validate-warn")
            #expect(answer.audit["rule"] == denied.audit["rule"])
            warned += 1
        }
        // The workload's own annotation is enough on /validate.
        let annotated = try Self.annotated("02-scale-out-denied.json", enforcement: "warn")
        let denial = try #require(
            try Answer(
                Data(try await client.review(Fixtures.review("02-scale-out-denied.json")).body.readableBytesView)
            )
            .message)
        let answer = try Answer(Data(try await client.review(annotated).body.readableBytesView))
        Self.expectWarned(answer, denial: denial, uid: try Self.uid(annotated), "annotation warn")
        warned += 1

        // An unknown value is denied with the accepted values; the warn-only path warns it.
        let unknown = try Self.annotated("01-create-singleton-allowed.json", enforcement: "audit")
        let refused = try Answer(Data(try await client.review(unknown).body.readableBytesView))
        #expect(!refused.allowed && refused.code == 403)
        #expect(refused.message?.contains("accepted values: deny, warn") == true, "\(refused.message ?? "")")
        let softened = try Answer(Data(try await client.review(unknown, path: "/validate-warn").body.readableBytesView))
        Self.expectWarned(softened, denial: refused.message ?? "", uid: try Self.uid(unknown), "unknown on warn path")
        warned += 1

        // An allowed review is the same answer on both paths.
        let allowed = try Fixtures.review("01-create-singleton-allowed.json")
        let plain = try await client.review(allowed).bodyString
        #expect(try await client.review(allowed, path: "/validate-warn").bodyString == plain)

        let metrics = String(decoding: try await client.send(.GET, "/metrics").body.readableBytesView, as: UTF8.self)
        let warnLines = metrics.split(separator: "\n").filter {
            $0.hasPrefix("singleton_webhook_admission_decisions_total{") && $0.contains("verdict=\"warn\"")
        }
        let counted = warnLines.compactMap { Double($0.split(separator: " ").last ?? "") }.reduce(0, +)
        #expect(Int(counted) == warned, "\(warnLines)")
        #expect(warnLines.contains { $0.contains("rule=\"replicas\"") && $0.contains("kind=\"deployments/scale\"") })
        let lines = log.lines.filter { $0["msg"] == "allowed under enforcement warn; would have denied" }
        #expect(lines.count == warned)
        #expect(lines.allSatisfy { ($0["reason"] ?? "").isEmpty == false && $0["uid"] != nil })
        await client.close()
        await service.shutdown()
    }

    @Test("--enforcement warn warns on /validate for the whole cluster")
    func clusterWide() async throws {
        let pki = try TestPKI.make()
        var settings = pki.settings()
        settings.enforcement = .warn
        let service = try await WebhookService.start(
            settings, source: try WebhookEndToEndTests.parentSource(), logger: LogCapture().logger)
        let client = try await HTTPSClient.connect(
            host: "127.0.0.1", port: service.server.port, tls: try pki.clientTLS())
        for _ in 0..<500 where !(service.cache?.isSynced ?? false) { try await Task.sleep(for: .milliseconds(5)) }
        let body = try Fixtures.review("09-hpa-denied.json")
        let answer = try Answer(Data(try await client.review(body).body.readableBytesView))
        let uid = try Self.uid(body)
        #expect(answer.allowed && answer.uid == uid)
        #expect(answer.warnings.first?.contains("maxReplicas") == true, "\(answer.warnings)")
        #expect(answer.audit["would-deny"] != nil && answer.audit["rule"] == "hpa")
        await client.close()
        await service.shutdown()
    }

    @Test("--enforcement and SINGLETON_WEBHOOK_ENFORCEMENT are typed: an unknown value names the accepted ones")
    func flag() throws {
        let required: [ServeFlag: String] = [.tlsCertFile: "c", .tlsKeyFile: "k"]
        #expect(try ServeConfiguration.resolve(flags: required, environment: [:]).settings.enforcement == .deny)
        var flags = required
        flags[.enforcement] = "warn"
        #expect(try ServeConfiguration.resolve(flags: flags, environment: [:]).settings.enforcement == .warn)
        #expect(
            try ServeConfiguration.resolve(flags: required, environment: ["SINGLETON_WEBHOOK_ENFORCEMENT": "warn"])
                .settings.enforcement == .warn)
        flags[.enforcement] = "audit"
        #expect(throws: ServeFlagError.self) { try ServeConfiguration.resolve(flags: flags, environment: [:]) }
        do {
            _ = try ServeConfiguration.resolve(flags: flags, environment: [:])
        } catch {
            #expect(
                "\(error)" == "--enforcement (or SINGLETON_WEBHOOK_ENFORCEMENT): must be deny or warn, got \"audit\"")
        }
    }
}
