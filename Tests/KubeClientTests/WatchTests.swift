import Foundation
import KubeAPIMachinery
import Testing
@testable import KubeClient
@testable import KubeCurl

/// Watch streams: events, bookmarks, the 410 Gone signal, HTTP errors and cancellation.
@Suite struct WatchTests {
    let pki: TestPKI
    init() throws { pki = try TestPKI.get() }

    func client(_ server: TestServer) -> KubeClient {
        KubeClient(
            config: ClientConfig(
                server: server.url, tls: TLSOptions(certificateAuthorityPEM: Data(pki.ca.certificatePEM.utf8))),
            transport: HTTPTransport())
    }

    static func event(_ type: String, _ name: String, rv: String) -> String {
        #"{"type":"\#(type)","object":{"kind":"Deployment","metadata":{"name":"\#(name)","resourceVersion":"\#(rv)"}}}"#
    }

    @Test func deliversEventsThenSignalsGone() async throws {
        // Events split at awkward places across chunks, then an ERROR 410.
        let stream =
            [
                Self.event("ADDED", "a", rv: "11"), Self.event("MODIFIED", "a", rv: "12"),
                #"{"type":"BOOKMARK","object":{"kind":"Deployment","metadata":{"resourceVersion":"15"}}}"#,
                Self.event("DELETED", "a", rv: "16"),
                #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 10 (16)","reason":"Expired","code":410}}"#,
            ].joined(separator: "\n") + "\n"
        let bytes = Data(stream.utf8)
        let chunks = stride(from: 0, to: bytes.count, by: 37).map { bytes[$0..<min($0 + 37, bytes.count)] }.map {
            Data($0)
        }
        try await withServer(
            tls: pki.serverTLS,
            handler: { _ in
                TestResponse(status: 200, headers: [("Content-Type", "application/json")], chunks: chunks)
            }
        ) { server in
            var received: [(WatchEvent.EventType, String?)] = []
            var gone: KubeAPIError?
            do {
                for try await event in client(server).watch(
                    "/apis/apps/v1/namespaces/ns1/deployments", resourceVersion: "10",
                    metadataOnly: true, timeoutSeconds: 30)
                {
                    received.append((event.type, event.resourceVersion))
                }
            } catch let error as KubeAPIError {
                gone = error
            }
            #expect(received.map(\.0) == [.added, .modified, .bookmark, .deleted])
            #expect(received.map(\.1) == ["11", "12", "15", "16"])
            #expect(gone?.isGone == true)
            #expect(gone?.message == "too old resource version: 10 (16)")
            let request = try #require(server.requests.first)
            #expect(
                request.query == [
                    "watch": "true", "resourceVersion": "10", "allowWatchBookmarks": "true", "timeoutSeconds": "30",
                ])
            #expect(
                request.header("Accept")
                    == "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json")
        }
    }

    @Test func endsNormallyWhenTheServerClosesTheWatch() async throws {
        try await withServer(
            tls: pki.serverTLS,
            handler: { _ in
                TestResponse(
                    status: 200,
                    chunks: [
                        Data((Self.event("ADDED", "x", rv: "5") + "\n").utf8),
                        Data(Self.event("ADDED", "y", rv: "6").utf8),
                    ])  // no final newline
            }
        ) { server in
            var names: [String] = []
            for try await event in client(server).watch("/api/v1/pods", allowBookmarks: false) {
                let json = try JSONSerialization.jsonObject(with: event.object) as? [String: Any]
                names.append((json?["metadata"] as? [String: Any])?["name"] as? String ?? "")
            }
            #expect(names == ["x", "y"])
            #expect(server.requests.first?.query == ["watch": "true"])
        }
    }

    @Test func httpErrorBeforeTheStreamIsThrown() async throws {
        try await withServer(
            tls: pki.serverTLS,
            handler: { _ in
                .json(
                    #"{"kind":"Status","code":410,"reason":"Gone","message":"resourceVersion 1 is too old"}"#,
                    status: 410)
            }
        ) { server in
            let error = await #expect(throws: KubeAPIError.self) {
                for try await _ in client(server).watch("/api/v1/pods", resourceVersion: "1") {}
            }
            #expect(error?.isGone == true)
            let forbidden = try await withServer(
                tls: pki.serverTLS,
                handler: { _ in
                    .json(
                        #"{"kind":"Status","code":403,"reason":"Forbidden","message":"pods is forbidden: User \"x\" cannot watch resource \"pods\""}"#,
                        status: 403)
                }
            ) { other in
                await #expect(throws: KubeAPIError.self) { for try await _ in client(other).watch("/api/v1/pods") {} }
            }
            #expect(
                forbidden?.description
                    == "Error from server (Forbidden): pods is forbidden: User \"x\" cannot watch resource \"pods\"")
        }
    }

    @Test func consumerLeavingStopsTheTransfer() async throws {
        // A watch that never ends on its own: one event, then the server keeps the response open.
        try await withServer(
            tls: pki.serverTLS,
            handler: { _ in
                var response = TestResponse(
                    status: 200, chunks: [Data((Self.event("ADDED", "x", rv: "5") + "\n").utf8)])
                response.keepOpen = true
                return response
            }
        ) { server in
            let kube = client(server)
            do {
                var iterator = kube.watch("/api/v1/pods").makeAsyncIterator()
                let first = try await iterator.next()
                #expect(first?.type == .added)
            }
            // The stream is gone: the client must hang up (curl checks its stop flag every second).
            for _ in 0..<100 where server.closedConnectionCount == 0 {
                try await Task.sleep(nanoseconds: 100_000_000)
            }
            #expect(server.closedConnectionCount == 1)
        }
    }

    @Test func cancellingTheConsumingTaskEndsTheStream() async throws {
        try await withServer(
            tls: pki.serverTLS,
            handler: { _ in
                var response = TestResponse(
                    status: 200, chunks: [Data((Self.event("ADDED", "x", rv: "5") + "\n").utf8)])
                response.keepOpen = true
                return response
            }
        ) { server in
            let kube = client(server)
            let consumer = Task { () -> Int in
                var count = 0
                for try await _ in kube.watch("/api/v1/pods") { count += 1 }
                return count
            }
            for _ in 0..<100 where server.requests.isEmpty {
                try await Task.sleep(nanoseconds: 50_000_000)
            }
            consumer.cancel()
            #expect(try await consumer.value <= 1)  // the loop ended instead of hanging
            for _ in 0..<100 where server.closedConnectionCount == 0 {
                try await Task.sleep(nanoseconds: 100_000_000)
            }
            #expect(server.closedConnectionCount == 1)
        }
    }
}
