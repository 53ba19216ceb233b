import Foundation
import HTTPSServerKit
import NIOCore
import NIOHTTP1
import Testing
import TestSupport

@Suite("Limits: body size, slow clients, idle connections, connection cap")
struct LimitsTests {
    /// Short body and idle timeouts keep the suite quick. The header timer keeps the long
    /// `ServerLimits.forTests` value: it arms at accept, and the test's first request may wait
    /// its turn on the shared thread pool. Only `headerTimeout()` shortens it.
    static let short = ServerLimits(
        maxBodyBytes: 1_000, headerTimeout: ServerLimits.forTests.headerTimeout, bodyTimeout: .seconds(2),
        idleTimeout: .seconds(2), maxConnections: 3)

    @Test(
        "a declared Content-Length over the cap gets 413 after only a prefix of the body, and the server keeps serving")
    func declaredTooLarge() async throws {
        struct Prefix: HTTPSHandler {
            func handle(_ request: ServerRequest) async -> ServerResponse { .text(.ok, "ok") }
            func bodyTooLarge(_ request: ServerRequest, limit: Int) async -> ServerResponse {
                .text(.payloadTooLarge, "prefix \(request.body.readableBytes)")
            }
        }
        let pki = try TestPKI.make()
        let server = try await HTTPSServer.start(tlsConfig(pki, limits: Self.short), handler: Prefix())
        let raw = try await RawConnection.connect(host: "127.0.0.1", port: server.port, tls: try pki.clientTLS())
        try await raw.send(
            "POST /validate HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n"
                + String(repeating: "b", count: 1500))
        let answer = try await raw.receivedUntilClose()
        #expect(answer.hasPrefix("HTTP/1.1 413"))
        #expect(answer.hasSuffix("prefix 1000"))
        #expect(answer.lowercased().contains("connection: close"))
        // With Expect: 100-continue the client is answered before it sends anything.
        let waiting = try await RawConnection.connect(host: "127.0.0.1", port: server.port, tls: try pki.clientTLS())
        try await waiting.send(
            "POST /validate HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\nExpect: 100-continue\r\n\r\n")
        let early = try await waiting.receivedUntilClose()
        #expect(early.hasPrefix("HTTP/1.1 413"))
        #expect(early.hasSuffix("prefix 0"))
        try await expectStillServing(server, pki)
        await server.shutdown(grace: .seconds(2))
    }

    @Test("a chunked body growing over the cap gets 413 with the bytes read so far offered to the handler")
    func chunkedTooLarge() async throws {
        struct Oversize: HTTPSHandler {
            func handle(_ request: ServerRequest) async -> ServerResponse { .text(.ok, "ok") }
            func bodyTooLarge(_ request: ServerRequest, limit: Int) async -> ServerResponse {
                .text(.payloadTooLarge, "seen \(request.body.readableBytes) of at most \(limit)")
            }
        }
        let pki = try TestPKI.make()
        let server = try await HTTPSServer.start(tlsConfig(pki, limits: Self.short), handler: Oversize())
        let raw = try await RawConnection.connect(host: "127.0.0.1", port: server.port, tls: try pki.clientTLS())
        let chunk = String(repeating: "a", count: 600)
        try await raw.send(
            "POST /v HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n\(chunk)\r\n258\r\n\(chunk)\r\n0\r\n\r\n"
        )
        let answer = try await raw.receivedUntilClose()
        #expect(answer.hasPrefix("HTTP/1.1 413"))
        #expect(answer.contains("seen 600 of at most 1000"))
        try await expectStillServing(server, pki)
        await server.shutdown(grace: .seconds(2))
    }

    @Test("a client that never finishes its head is disconnected (slowloris)")
    func headerTimeout() async throws {
        let pki = try TestPKI.make()
        var limits = Self.short
        limits.headerTimeout = .seconds(5)  // from accept: the handshake (on the event loops) fits well inside
        let server = try await HTTPSServer.start(tlsConfig(pki, limits: limits), handler: EchoHandler())
        let raw = try await RawConnection.connect(host: "127.0.0.1", port: server.port, tls: try pki.clientTLS())
        // On a loaded machine the header timeout can fire before this partial head is even
        // written; the write then fails on the closed connection, which is the same outcome.
        if (try? await raw.send("POST /validate HTTP/1.1\r\nHost: x\r\nX-Slow: ")) != nil {
            let answer = try await raw.receivedUntilClose()
            #expect(!answer.contains("200 OK"))
        }
        try await waitFor("the connection to be closed") { !raw.isOpen }
        try await expectStillServing(server, pki)
        await server.shutdown(grace: .seconds(2))
    }

    @Test("a body that stops arriving gets 408 and the connection closed")
    func bodyTimeout() async throws {
        let pki = try TestPKI.make()
        let server = try await HTTPSServer.start(tlsConfig(pki, limits: Self.short), handler: EchoHandler())
        let raw = try await RawConnection.connect(host: "127.0.0.1", port: server.port, tls: try pki.clientTLS())
        try await raw.send("POST /validate HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"half\":")
        let answer = try await raw.receivedUntilClose()
        #expect(answer.hasPrefix("HTTP/1.1 408"))
        try await expectStillServing(server, pki)
        await server.shutdown(grace: .seconds(2))
    }

    @Test("an idle keep-alive connection is closed by the server")
    func idleTimeout() async throws {
        let pki = try TestPKI.make()
        // The header timeout is long: only the idle timer (armed after the response) may close it.
        let server = try await HTTPSServer.start(tlsConfig(pki, limits: Self.short), handler: EchoHandler())
        let client = try await HTTPSClient.connect(host: "127.0.0.1", port: server.port, tls: try pki.clientTLS())
        #expect(try await client.send(.GET, "/").status == .ok)
        await client.closed()  // returns only because the server closed it
        #expect(!client.isOpen)
        await server.shutdown(grace: .seconds(2))
    }

    @Test("connections over the cap are closed at once; the ones inside keep working")
    func connectionCap() async throws {
        let pki = try TestPKI.make()
        var limits = Self.short
        limits.idleTimeout = .seconds(30)
        let server = try await HTTPSServer.start(tlsConfig(pki, limits: limits), handler: EchoHandler())
        var inside: [HTTPSClient] = []
        for _ in 0..<3 {
            let c = try await HTTPSClient.connect(host: "127.0.0.1", port: server.port, tls: try pki.clientTLS())
            #expect(try await c.send(.GET, "/").status == .ok)
            inside.append(c)
        }
        var refused = false
        do {
            let extra = try await HTTPSClient.connect(host: "127.0.0.1", port: server.port, tls: try pki.clientTLS())
            _ = try await extra.send(.GET, "/")
        } catch {
            refused = true
        }
        #expect(refused)
        for c in inside { #expect(try await c.send(.GET, "/again").status == .ok) }
        for c in inside { await c.close() }
        await server.shutdown(grace: .seconds(2))
    }

    @Test("garbage instead of HTTP gets 400 and the server keeps serving")
    func garbage() async throws {
        let pki = try TestPKI.make()
        let server = try await HTTPSServer.start(tlsConfig(pki, limits: Self.short), handler: EchoHandler())
        let raw = try await RawConnection.connect(host: "127.0.0.1", port: server.port, tls: try pki.clientTLS())
        try await raw.send("\u{01}\u{02}NOT HTTP AT ALL\r\n\r\n")
        let answer = try await raw.receivedUntilClose()
        #expect(answer.hasPrefix("HTTP/1.1 400"))
        try await expectStillServing(server, pki)
        await server.shutdown(grace: .seconds(2))
    }

    private func expectStillServing(_ server: HTTPSServer, _ pki: TestPKI) async throws {
        let client = try await HTTPSClient.connect(host: "127.0.0.1", port: server.port, tls: try pki.clientTLS())
        #expect(try await client.send(.POST, "/after", body: ByteBuffer(string: "{}")).status == .ok)
        await client.close()
    }
}
