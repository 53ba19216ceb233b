import Foundation
import KubeAPIMachinery
import KubeClient
import KubeCurl
import Testing
import TestSupport
@testable import KubeNIOTransport
import Synchronization

/// `KubeClient` driving the in-memory API server (real HTTPS on 127.0.0.1) through `NIOTransport`.
@Suite("KubeClient over NIOTransport against the sandbox API server")
struct KubeClientOverNIOTests {
    @Test func getListCreateAndMergePatch() async throws {
        let fixture = try await SandboxFixture.start()
        defer { Task { await fixture.stop() } }
        let client = KubeClient(config: fixture.tokenConfig(), transport: NIOTransport())

        let created = try await client.create(configMaps, body: try configMap("one", data: ["a": "1"]))
        #expect(try name(created) == "one")
        _ = try await client.create(configMaps, body: try configMap("two"))

        let got = try await client.get(configMaps + "/one")
        #expect((try json(got)["data"] as? [String: String]) == ["a": "1"])

        let patched = try await client.patch(configMaps + "/one", body: Data(#"{"data":{"b":"2"}}"#.utf8), type: .merge)
        #expect((try json(patched)["data"] as? [String: String]) == ["a": "1", "b": "2"])

        let list = try await client.list(configMaps, of: NamedObject.self)
        #expect(list.items.map(\.metadata.name).sorted() == ["one", "two"])
        #expect(!list.resourceVersion.isEmpty)
    }

    @Test func notFoundIsAKubeAPIError() async throws {
        let fixture = try await SandboxFixture.start()
        defer { Task { await fixture.stop() } }
        let client = KubeClient(config: fixture.tokenConfig(), transport: NIOTransport())
        do {
            _ = try await client.get(configMaps + "/missing")
            Issue.record("a missing object must not be returned")
        } catch let error as KubeAPIError {
            #expect(error.isNotFound, "\(error)")
            #expect(error.code == 404)
        }
    }

    @Test func clientCertificateAuthentication() async throws {
        let fixture = try await SandboxFixture.start()
        defer { Task { await fixture.stop() } }
        let transport = NIOTransport()
        // Without credentials the sandbox answers 401: the certificate is what lets us in.
        let anonymous = KubeClient(
            config: ClientConfig(
                server: fixture.sandbox.url, tls: TLSOptions(certificateAuthorityPEM: fixture.caData),
                retry: RetryPolicy(maxAttempts: 1)), transport: transport)
        await #expect(throws: KubeAPIError.self) { _ = try await anonymous.list(configMaps, of: NamedObject.self) }
        let client = KubeClient(config: fixture.certificateConfig(), transport: transport)
        _ = try await client.create(configMaps, body: try configMap("by-cert"))
        #expect(try await client.list(configMaps, of: NamedObject.self).items.count == 1)
    }

    @Test func watchDeliversEventsInOrderAndEndsAtTimeoutSeconds() async throws {
        let fixture = try await SandboxFixture.start()
        defer { Task { await fixture.stop() } }
        let client = KubeClient(config: fixture.tokenConfig(), transport: NIOTransport())
        let start = try await client.list(configMaps, of: NamedObject.self).resourceVersion
        _ = try await client.create(configMaps, body: try configMap("a"))
        _ = try await client.create(configMaps, body: try configMap("b"))
        _ = try await client.patch(configMaps + "/a", body: Data(#"{"data":{"k":"w"}}"#.utf8), type: .merge)
        _ = try await client.delete(configMaps + "/b")

        var seen: [String] = []
        for try await event in client.watch(
            configMaps, resourceVersion: start, allowBookmarks: false, timeoutSeconds: 1)
        {
            seen.append("\(event.type.rawValue) \(try name(event.object) ?? "?")")
        }
        // The loop ending at all is the server's timeoutSeconds closing the chunked response.
        #expect(seen == ["ADDED a", "ADDED b", "MODIFIED a", "DELETED b"])
    }

    @Test func watchFromAnExpiredVersionEndsWithGone() async throws {
        let fixture = try await SandboxFixture.start(watchHistory: 2)
        defer { Task { await fixture.stop() } }
        let client = KubeClient(config: fixture.tokenConfig(), transport: NIOTransport())
        for n in ["a", "b", "c", "d", "e"] { _ = try await client.create(configMaps, body: try configMap(n)) }
        do {
            for try await event in client.watch(configMaps, resourceVersion: "1", allowBookmarks: false) {
                Issue.record("no event expected before the ERROR, got \(event.type)")
            }
            Issue.record("the watch must end with 410 Gone")
        } catch let error as KubeAPIError {
            #expect(error.isGone, "\(error)")
        }
    }

    @Test func cancellingTheConsumerClosesTheWatchConnection() async throws {
        let fixture = try await SandboxFixture.start()
        defer { Task { await fixture.stop() } }
        let transport = NIOTransport()
        let client = KubeClient(config: fixture.tokenConfig(), transport: transport)
        _ = try await client.create(configMaps, body: try configMap("a"))
        try await waitFor("the create's pooled connection is the only one") { fixture.openServerConnections == 1 }

        let (firstEvent, signal) = AsyncStream.makeStream(of: String.self)
        let consumer = Task {
            var count = 0
            for try await event in client.watch(configMaps, allowBookmarks: false) {
                count += 1
                signal.yield(try name(event.object) ?? "?")
            }
            return count
        }
        var iterator = firstEvent.makeAsyncIterator()
        #expect(await iterator.next() == "a")
        #expect(fixture.openServerConnections == 2)
        consumer.cancel()
        #expect(try await consumer.value == 1)
        try await waitFor("the watch connection is closed") { fixture.openServerConnections == 1 }
    }

    @Test func manySequentialRequestsReuseOneConnection() async throws {
        let fixture = try await SandboxFixture.start()
        defer { Task { await fixture.stop() } }
        let transport = NIOTransport()
        let client = KubeClient(config: fixture.tokenConfig(), transport: transport)
        _ = try await client.create(configMaps, body: try configMap("a"))
        for _ in 0..<25 {
            #expect(try name(try await client.get(configMaps + "/a")) == "a")
        }
        #expect(transport.pool.openedConnections == 1)
        #expect(transport.pool.idleConnections == 1)
        #expect(transport.tlsContexts.count == 1)
        #expect(fixture.openServerConnections == 1)
    }

    @Test func streamsUseTheirOwnConnectionAndHonourTheStopFlag() async throws {
        let fixture = try await SandboxFixture.start()
        defer { Task { await fixture.stop() } }
        let transport = NIOTransport()
        let client = KubeClient(config: fixture.tokenConfig(), transport: transport)
        _ = try await client.create(configMaps, body: try configMap("a"))
        _ = try await client.create(configMaps, body: try configMap("b"))

        let stop = CancellationFlag()
        let chunks = Chunks()
        await expectTransportError(.cancelled) {
            _ = try await transport.stream(
                fixture.request("GET", configMaps + "?watch=true", timeout: nil),
                onHead: { status, _ in chunks.head(status) },
                onBody: {
                    chunks.append($0); stop.set()
                }, stop: stop)
        }
        #expect(chunks.status == 200)
        #expect(chunks.count == 1, "reading stops at the first chunk after stop is set")
        #expect(transport.pool.openedConnections == 2)
        #expect(transport.pool.idleConnections == 1, "the stream's connection never joins the pool")
        try await waitFor("the stream's connection is closed") { fixture.openServerConnections == 1 }
    }

    @Test func cancellingAStreamTaskThrowsCancelled() async throws {
        let fixture = try await SandboxFixture.start()
        defer { Task { await fixture.stop() } }
        let transport = NIOTransport()
        let (heads, signal) = AsyncStream.makeStream(of: Int.self)
        let streaming = Task {
            try await transport.stream(
                fixture.request("GET", configMaps + "?watch=true", timeout: nil),
                onHead: { status, _ in signal.yield(status) }, onBody: { _ in }, stop: CancellationFlag())
        }
        var iterator = heads.makeAsyncIterator()
        #expect(await iterator.next() == 200)
        streaming.cancel()
        await expectTransportError(.cancelled) { _ = try await streaming.value }
        try await waitFor("the stream's connection is closed") { fixture.openServerConnections == 0 }
    }

    @Test(.timeLimit(.minutes(1))) func watchesNeverWaitForEachOthersConnections() async throws {
        let fixture = try await SandboxFixture.start()
        defer { Task { await fixture.stop() } }
        let transport = NIOTransport()
        let (heads, signal) = AsyncStream.makeStream(of: Int.self)
        // More than a pool would keep per server: each watch holds a connection of its own.
        let watches = (0..<12).map { _ in
            Task {
                try await transport.stream(
                    fixture.request("GET", configMaps + "?watch=true", timeout: nil),
                    onHead: { status, _ in signal.yield(status) }, onBody: { _ in }, stop: CancellationFlag())
            }
        }
        var statuses: [Int] = []
        for await status in heads {
            statuses.append(status)
            if statuses.count == watches.count { break }
        }
        #expect(statuses == Array(repeating: 200, count: 12))
        #expect(fixture.openServerConnections == 12)
        watches.forEach { $0.cancel() }
        for watch in watches { await expectTransportError(.cancelled) { _ = try await watch.value } }
        try await waitFor("the watch connections are closed") { fixture.openServerConnections == 0 }
    }

    @Test func sameAnswersAsTheCurlTransport() async throws {
        let fixture = try await SandboxFixture.start()
        defer { Task { await fixture.stop() } }
        _ = try await KubeClient(config: fixture.tokenConfig(), transport: NIOTransport())
            .create(configMaps, body: try configMap("p", data: ["x": "y"]))
        let requests = [
            fixture.request("GET", "/api"),
            fixture.request("GET", "/version"),
            fixture.request("GET", configMaps + "/p"),
            fixture.request("GET", configMaps + "?labelSelector=app%3Dnone"),
            fixture.request("GET", configMaps + "/absent"),
            fixture.request("POST", configMaps, body: Data("not json".utf8), contentType: "application/json"),
        ]
        let curl = HTTPTransport()
        let nio = NIOTransport()
        for request in requests {
            let viaCurl = try await curl.perform(request)
            let viaNIO = try await nio.perform(request)
            #expect(viaNIO.status == viaCurl.status, "\(request.method) \(request.url)")
            #expect(viaNIO.body == viaCurl.body, "\(request.method) \(request.url)")
            #expect(viaNIO.header("Content-Type") == viaCurl.header("Content-Type"))
        }
    }
}

/// Records what a stream delivered (callbacks run on an event loop).
final class Chunks: Sendable {
    private let state = Mutex((chunks: [Data](), status: 0))
    func head(_ status: Int) { state.withLock { $0.status = status } }
    func append(_ chunk: Data) { state.withLock { $0.chunks.append(chunk) } }
    var count: Int { state.withLock { $0.chunks.count } }
    var status: Int { state.withLock { $0.status } }
}

/// What these tests read of a listed object.
private struct NamedObject: Decodable {
    struct Metadata: Decodable { var name: String }
    var metadata: Metadata
}
