import Foundation
import HTTPSServerKit
import NIOCore
import NIOHTTP1
import Testing
import TestSupport

@Suite("HTTPSServer basics over real sockets")
struct ServerBasicsTests {
    @Test("plain HTTP mode serves on an ephemeral port with parsed path and query")
    func plainHTTP() async throws {
        let server = try await HTTPSServer.start(
            ServerConfiguration(tls: nil, limits: .forTests, threads: 1), handler: EchoHandler())
        #expect(server.port > 0)
        let client = try await HTTPSClient.connect(host: "127.0.0.1", port: server.port, tls: nil)
        let response = try await client.send(.GET, "/api/v1/pods?watch=true&labelSelector=app%3Dweb&flag")
        #expect(response.status == .ok)
        #expect(response.bodyString.contains("path=/api/v1/pods"))
        #expect(response.bodyString.contains("q:watch=true"))
        #expect(response.bodyString.contains("q:labelSelector=app=web"))
        #expect(response.bodyString.contains("q:flag=<nil>"))
        #expect(response.bodyString.contains("peer=none"))
        await client.close()
        await server.shutdown(grace: .seconds(2))
    }

    @Test("TLS keep-alive connection answers several requests with bodies")
    func tlsKeepAlive() async throws {
        let pki = try TestPKI.make()
        let server = try await HTTPSServer.start(tlsConfig(pki), handler: EchoHandler())
        let client = try await HTTPSClient.connect(host: "127.0.0.1", port: server.port, tls: try pki.clientTLS())
        for size in [0, 1, 2_800, 100_000, 6_000_000] {
            let response = try await client.send(
                .POST, "/validate", body: ByteBuffer(repeating: UInt8(ascii: "x"), count: size))
            #expect(response.status == .ok)
            #expect(response.bodyString.contains("bytes=\(size)"))
            #expect(response.headers.first(name: "content-length") == String(response.body.readableBytes))
        }
        #expect(client.isOpen)
        #expect(server.openConnections == 1)
        await client.close()
        await server.shutdown(grace: .seconds(2))
    }

    /// Answers `/now` synchronously from `respond(to:)` and everything else from `handle`
    /// after a real suspension, so the test sees which path produced each answer.
    struct NowOrLaterHandler: HTTPSHandler {
        func handle(_ request: ServerRequest) async -> ServerResponse {
            try? await Task.sleep(for: .milliseconds(5))
            return .text(.accepted, "later:\(request.body.readableBytes)")
        }

        func respond(to request: ServerRequest) -> HandlerResult {
            guard request.path == "/now" else { return .later { await handle(request) } }
            return .now(.text(.ok, "now:\(request.body.readableBytes)"))
        }
    }

    @Test("answers given at once and answers given later alternate on one keep-alive TLS connection")
    func nowAndLater() async throws {
        let pki = try TestPKI.make()
        let server = try await HTTPSServer.start(tlsConfig(pki), handler: NowOrLaterHandler())
        let client = try await HTTPSClient.connect(host: "127.0.0.1", port: server.port, tls: try pki.clientTLS())
        for (i, path) in ["/now", "/later", "/now", "/now", "/later", "/later", "/now"].enumerated() {
            let size = 1_000 * i
            let response = try await client.send(
                .POST, path, body: ByteBuffer(repeating: UInt8(ascii: "x"), count: size))
            let expected = path == "/now" ? "now:\(size)" : "later:\(size)"
            #expect(response.bodyString == expected)
            #expect(response.status == (path == "/now" ? .ok : .accepted))
        }
        #expect(client.isOpen)
        #expect(server.openConnections == 1)
        await client.close()
        await server.shutdown(grace: .seconds(2))
    }

    @Test("a client that does not trust the server's CA fails the handshake")
    func untrustedServer() async throws {
        let pki = try TestPKI.make()
        let other = try TestPKI.make("other")
        let server = try await HTTPSServer.start(tlsConfig(pki), handler: EchoHandler())
        await #expect(throws: (any Error).self) {
            _ = try await HTTPSClient.connect(host: "127.0.0.1", port: server.port, tls: try other.clientTLS())
        }
        // Still serving trusted clients afterwards.
        let client = try await HTTPSClient.connect(host: "127.0.0.1", port: server.port, tls: try pki.clientTLS())
        #expect(try await client.send(.GET, "/").status == .ok)
        await client.close()
        await server.shutdown(grace: .seconds(2))
    }

    @Test("plaintext HTTP on the TLS port gets no HTTP answer")
    func noPlaintextOnTLSPort() async throws {
        let pki = try TestPKI.make()
        let server = try await HTTPSServer.start(tlsConfig(pki), handler: EchoHandler())
        let raw = try await RawConnection.connect(host: "127.0.0.1", port: server.port, tls: nil)
        try await raw.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        let answer = try await raw.receivedUntilClose()
        #expect(!answer.contains("HTTP/1.1 200"))
        await server.shutdown(grace: .seconds(2))
    }

    @Test("invalid TLS material and busy ports are reported as errors, not crashes")
    func startErrors() async throws {
        let pki = try TestPKI.make()
        let other = try TestPKI.make("other")
        // Key of another certificate.
        var config = tlsConfig(pki)
        config.tls?.privateKey = .file(other.keyFile)
        await #expect(throws: HTTPSServerError.self) { _ = try await HTTPSServer.start(config, handler: EchoHandler()) }
        config.tls?.privateKey = .file(pki.path("missing.key"))
        // The message names which file and says why in plain words, not Foundation's
        // "The operation could not be completed".
        await #expect(
            throws: HTTPSServerError.unreadableFile(
                role: "the private key", path: pki.path("missing.key"), reason: "no such file")
        ) {
            _ = try await HTTPSServer.start(config, handler: EchoHandler())
        }
        #expect(
            "\(HTTPSServerError.unreadableFile(role: "the private key", path: "/k.pem", reason: "no such file"))"
                == "cannot read the private key /k.pem: no such file")
        config.tls?.privateKey = .pem("not a key")
        await #expect(throws: HTTPSServerError.self) { _ = try await HTTPSServer.start(config, handler: EchoHandler()) }

        let first = try await HTTPSServer.start(ServerConfiguration(tls: nil, threads: 1), handler: EchoHandler())
        await #expect(throws: HTTPSServerError.self) {
            _ = try await HTTPSServer.start(
                ServerConfiguration(port: first.port, tls: nil, threads: 1), handler: EchoHandler())
        }
        await first.shutdown(grace: .seconds(1))
    }

    @Test("in-memory PEM works like files")
    func inMemoryPEM() async throws {
        let pki = try TestPKI.make()
        var config = tlsConfig(pki)
        config.tls?.certificateChain = .pem(try String(contentsOfFile: pki.certFile, encoding: .utf8))
        config.tls?.privateKey = .pem(try String(contentsOfFile: pki.keyFile, encoding: .utf8))
        let server = try await HTTPSServer.start(config, handler: EchoHandler())
        let client = try await HTTPSClient.connect(host: "127.0.0.1", port: server.port, tls: try pki.clientTLS())
        #expect(try await client.send(.GET, "/x").status == .ok)
        await client.close()
        await server.shutdown(grace: .seconds(2))
    }
}

/// Answers with a header whose value tries to start a second header.
private struct InjectingHandler: HTTPSHandler {
    func handle(_ request: ServerRequest) async -> ServerResponse {
        var response = ServerResponse.text(.ok, "ok")
        response.headers.add(name: "x-note", value: "a\r\nx-injected: yes")
        return response
    }
}

@Suite("Response header validation")
struct ResponseHeaderValidationTests {
    @Test("by default a header value with CR/LF is never written; switched off (constant headers only), it is")
    func injection() async throws {
        for validates in [true, false] {
            var config = ServerConfiguration(tls: nil, limits: .forTests, threads: 1)
            config.validatesResponseHeaders = validates
            let server = try await HTTPSServer.start(config, handler: InjectingHandler())
            let client = try await HTTPSClient.connect(host: "127.0.0.1", port: server.port, tls: nil)
            let response = try? await client.send(.GET, "/")
            let injected = response?.headers.first(name: "x-injected")
            if validates {
                #expect(injected == nil, "the validator let a header through")
            } else {
                #expect(injected == "yes", "without validation the raw header reaches the client")
            }
            await client.close()
            await server.shutdown(grace: .seconds(2))
        }
    }
}
