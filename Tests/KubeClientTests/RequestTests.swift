import Foundation
import KubeAPIMachinery
import Testing
import TestSupport
@testable import KubeClient
@testable import KubeCurl

/// Verbs, pagination, retries and error statuses against a real local server.
@Suite struct RequestTests {
    let pki: TestPKI
    init() throws { pki = try TestPKI.get() }

    func client(
        _ server: TestServer, timeout: TimeInterval? = nil,
        retry: RetryPolicy = RetryPolicy(maxAttempts: 4, baseDelay: 0.01, maxDelay: 0.05)
    ) -> KubeClient {
        KubeClient(
            config: ClientConfig(
                server: server.url, tls: TLSOptions(certificateAuthorityPEM: Data(pki.ca.certificatePEM.utf8)),
                auth: .bearerToken("t"), requestTimeout: timeout, retry: retry),
            transport: HTTPTransport())
    }

    static let podsPath = "/api/v1/namespaces/ns1/pods"

    /// What these tests read of a listed pod.
    struct Pod: Decodable, Equatable {
        struct Metadata: Decodable, Equatable {
            var name: String; var namespace: String?; var uid: String?; var resourceVersion: String?
        }
        var metadata: Metadata
    }

    /// Three pages chained by continue tokens; the last page carries the list's resourceVersion.
    /// Items carry their own (older) resourceVersions and fields `Pod` does not name.
    static func pagedPods(_ request: RecordedRequest) -> TestResponse {
        let page: (items: String, next: String, rv: String)
        switch request.query["continue"] {
        case nil: page = (#"{"metadata":{"name":"a","resourceVersion":"7"}},{"metadata":{"name":"b"}}"#, "page2", "100")
        case "page2": page = (#"{"metadata":{"name":"c"}},{"metadata":{"name":"d"}}"#, "page3", "100")
        case "page3": page = (#"{"metadata":{"name":"e","x-extra":[1,2]},"spec":{"containers":[]}}"#, "", "100")
        default:
            return .json(#"{"kind":"Status","code":400,"reason":"BadRequest","message":"bad continue"}"#, status: 400)
        }
        return .json(
            #"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"\#(page.rv)","continue":"\#(page.next)"},"items":[\#(page.items)]}"#
        )
    }

    @Test func listFollowsContinueTokensToTheEnd() async throws {
        try await withServer(tls: pki.serverTLS, handler: Self.pagedPods) { server in
            let list = try await client(server).list(
                Self.podsPath, of: Pod.self, labelSelector: "app=web,tier in (a,b)",
                fieldSelector: "status.phase!=Failed", limit: 2)
            #expect(list.items.map(\.metadata.name) == ["a", "b", "c", "d", "e"])
            #expect(list.items[0].metadata.resourceVersion == "7")
            #expect(list.resourceVersion == "100")
            #expect(list.kind == "PodList")
            #expect(list.apiVersion == "v1")
            let queries = server.requests.map(\.query)
            #expect(queries.map { $0["continue"] } == [nil, "page2", "page3"])
            #expect(
                queries.allSatisfy {
                    $0["limit"] == "2" && $0["labelSelector"] == "app=web,tier in (a,b)"
                        && $0["fieldSelector"] == "status.phase!=Failed"
                })
        }
    }

    @Test func listRestartsWithoutLimitWhenTheContinueTokenExpires() async throws {
        struct Numbered: Decodable { var n: Int }
        try await withServer(
            tls: pki.serverTLS,
            handler: { request in
                if request.query["continue"] == "page2" {
                    return .json(
                        #"{"kind":"Status","code":410,"reason":"Expired","message":"The provided continue parameter is too old"}"#,
                        status: 410)
                }
                if request.query["limit"] == nil {
                    return .json(
                        #"{"kind":"PodList","metadata":{"resourceVersion":"200"},"items":[{"n":1},{"n":2},{"n":3}]}"#)
                }
                return .json(
                    #"{"kind":"PodList","metadata":{"resourceVersion":"100","continue":"page2"},"items":[{"n":8},{"n":9}]}"#
                )
            }
        ) { server in
            let list = try await client(server).list(Self.podsPath, of: Numbered.self, limit: 2)
            // The first attempt's page is dropped: the restarted list alone is the answer.
            #expect(list.items.map(\.n) == [1, 2, 3])
            #expect(list.resourceVersion == "200")
        }
    }

    @Test func anItemThatIsNotTheTypeFailsTheListNamingIt() async throws {
        try await withServer(
            tls: pki.serverTLS,
            handler: { request in
                if request.query["continue"] == "page2" {
                    return .json(
                        #"{"kind":"PodList","metadata":{"resourceVersion":"100"},"items":[{"metadata":{"name":"c","namespace":"ns1"}},{"metadata":{"name":"d","namespace":"ns1","uid":42}}]}"#
                    )
                }
                return Self.pagedPods(request)
            }
        ) { server in
            let error = await #expect(throws: KubeAPIError.self) {
                _ = try await client(server).list(Self.podsPath, of: Pod.self, limit: 2)
            }
            #expect(error?.reason == "BadResponse")
            let message = error?.message ?? ""
            #expect(
                message.hasPrefix(
                    "the server's answer to GET /api/v1/namespaces/ns1/pods could not be read: items[1] (ns1/d): metadata.uid: "
                ), "\(message)")
            #expect(message.contains("String"), "\(message)")
            #expect(server.requests.count == 2)
        }
    }

    @Test func metadataOnlyListAsksForPartialObjectMetadata() async throws {
        try await withServer(tls: pki.serverTLS, handler: Self.pagedPods) { server in
            _ = try await client(server).list(Self.podsPath, of: Pod.self, metadataOnly: true)
            _ = try await client(server).get(Self.podsPath + "/a", metadataOnly: true)
            #expect(
                server.requests[0].header("Accept")
                    == "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json")
            #expect(
                server.requests.last?.header("Accept")
                    == "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json")
        }
    }

    @Test func conflictStatusBecomesATypedError() async throws {
        let status =
            #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified; please apply your changes to the latest version and try again","reason":"Conflict","details":{"name":"web","group":"apps","kind":"deployments"},"code":409}"#
        try await withServer(tls: pki.serverTLS, handler: { _ in .json(status, status: 409) }) { server in
            let error = await #expect(throws: KubeAPIError.self) {
                _ = try await client(server).update(
                    "/apis/apps/v1/namespaces/ns1/deployments/web",
                    body: Data(#"{"metadata":{"resourceVersion":"1"}}"#.utf8))
            }
            #expect(error?.isConflict == true)
            #expect(error?.kind == "deployments")
            #expect(
                error?.description
                    == "Error from server (Conflict): Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified; please apply your changes to the latest version and try again"
            )
            #expect(server.requests.count == 1)
            #expect(server.requests[0].method == "PUT")
        }
    }

    @Test func tooManyRequestsWithRetryAfterSucceedsOnRetry() async throws {
        let calls = Counter()
        try await withServer(
            tls: pki.serverTLS,
            handler: { _ in
                if calls.next() == 1 {
                    return .json(
                        #"{"kind":"Status","code":429,"reason":"TooManyRequests","message":"slow down"}"#, status: 429,
                        headers: [("Retry-After", "1")])
                }
                return .json(#"{"kind":"Deployment"}"#)
            }
        ) { server in
            let body = try await client(server).get("/apis/apps/v1/namespaces/ns1/deployments/web")
            #expect(String(decoding: body, as: UTF8.self) == #"{"kind":"Deployment"}"#)
            #expect(server.requests.count == 2)
        }
    }

    @Test func unsafeRequestsAreNotRetried() async throws {
        try await withServer(
            tls: pki.serverTLS,
            handler: { _ in
                .json(
                    #"{"kind":"Status","code":503,"reason":"ServiceUnavailable","message":"etcd is busy"}"#, status: 503
                )
            }
        ) { server in
            let error = await #expect(throws: KubeAPIError.self) {
                _ = try await client(server).create("/api/v1/namespaces/ns1/configmaps", body: Data("{}".utf8))
            }
            #expect(error?.description == "Error from server (ServiceUnavailable): etcd is busy")
            #expect(server.requests.count == 1)
        }
    }

    @Test func retriesGiveUpAfterMaxAttempts() async throws {
        try await withServer(tls: pki.serverTLS, handler: { _ in .json("{}", status: 503) }) { server in
            await #expect(throws: KubeAPIError.self) { _ = try await client(server).get("/api") }
            #expect(server.requests.count == 4)
        }
    }

    @Test func connectionResetOnGetIsRetried() async throws {
        let calls = Counter()
        try await withServer(
            tls: pki.serverTLS,
            handler: { _ in
                calls.next() == 1 ? TestResponse(closeWithoutResponse: true) : .json(#"{"ok":1}"#)
            }
        ) { server in
            let body = try await client(server).get("/api")
            #expect(String(decoding: body, as: UTF8.self) == #"{"ok":1}"#)
            #expect(server.requests.count == 2)
        }
    }

    @Test func patchSendsEachContentTypeAndQuery() async throws {
        try await withServer(tls: pki.serverTLS, handler: { _ in .json("{}") }) { server in
            let kube = client(server)
            let path = "/apis/apps/v1/namespaces/ns1/deployments/web/scale"
            _ = try await kube.patch(path, body: Data(#"{"spec":{"replicas":3}}"#.utf8), type: .merge, dryRun: true)
            _ = try await kube.patch(
                path, body: Data(#"[{"op":"replace","path":"/spec/replicas","value":1}]"#.utf8), type: .jsonPatch)
            _ = try await kube.patch(
                path, body: Data("{}".utf8), type: .strategicMerge, fieldManager: "kubectl-singleton")
            _ = try await kube.patch(
                path, body: Data("{}".utf8), type: .apply(fieldManager: "kubectl-singleton", force: true))
            let requests = server.requests
            #expect(requests.allSatisfy { $0.method == "PATCH" && $0.path == path })
            #expect(
                requests.map { $0.header("Content-Type") } == [
                    "application/merge-patch+json", "application/json-patch+json",
                    "application/strategic-merge-patch+json", "application/apply-patch+yaml",
                ])
            #expect(
                requests.map(\.query) == [
                    ["dryRun": "All"], [:], ["fieldManager": "kubectl-singleton"],
                    ["fieldManager": "kubectl-singleton", "force": "true"],
                ])
            #expect(String(decoding: requests[0].body, as: UTF8.self) == #"{"spec":{"replicas":3}}"#)
        }
    }

    @Test func createAndDeleteWithOptions() async throws {
        try await withServer(
            tls: pki.serverTLS,
            handler: { request in
                .json(
                    request.method == "POST"
                        ? String(decoding: request.body, as: UTF8.self) : #"{"kind":"Status","status":"Success"}"#,
                    status: request.method == "POST" ? 201 : 200)
            }
        ) { server in
            let kube = client(server)
            let created = try await kube.create(
                "/api/v1/namespaces/ns1/services", body: Data(#"{"kind":"Service"}"#.utf8),
                dryRun: true, fieldManager: "kubectl-singleton")
            #expect(String(decoding: created, as: UTF8.self) == #"{"kind":"Service"}"#)
            _ = try await kube.delete(
                "/apis/policy/v1/namespaces/ns1/poddisruptionbudgets/web", propagationPolicy: .foreground,
                preconditions: DeletePreconditions(uid: "u-1", resourceVersion: "9"))
            let post = server.requests[0]
            #expect(post.query == ["dryRun": "All", "fieldManager": "kubectl-singleton"])
            #expect(post.header("Content-Type") == "application/json")
            let delete = server.requests[1]
            #expect(delete.method == "DELETE")
            let options = try #require(try JSONSerialization.jsonObject(with: delete.body) as? [String: Any])
            #expect(options["kind"] as? String == "DeleteOptions")
            #expect(options["propagationPolicy"] as? String == "Foreground")
            #expect(options["preconditions"] as? [String: String] == ["uid": "u-1", "resourceVersion": "9"])
        }
    }

    @Test func requestTimeoutStopsASlowServer() async throws {
        try await withServer(
            tls: pki.serverTLS,
            handler: { _ in
                var response = TestResponse.json("{}")
                response.delay = 5
                return response
            }
        ) { server in
            let error = await #expect(throws: TransportError.self) {
                _ = try await client(server, timeout: 0.3, retry: RetryPolicy(maxAttempts: 1)).get("/api")
            }
            #expect(error?.kind == .timeout)
        }
    }

    @Test func concurrentRequestsShareTheClient() async throws {
        try await withServer(tls: pki.serverTLS, handler: { request in .json(#"{"path":"\#(request.path)"}"#) }) {
            server in
            let kube = client(server)
            let bodies = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<20 {
                    group.addTask { String(decoding: try await kube.get("/api/\(index)"), as: UTF8.self) }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(bodies == Set((0..<20).map { #"{"path":"/api/\#($0)"}"# }))
        }
    }
}
