import Foundation
import HTTPSServerKit
import NIOCore
import NIOHTTP1
import TestSupport
import Testing

@Suite("Streaming responses and graceful shutdown")
struct StreamingAndShutdownTests {
    @Test("a streamed body arrives chunk by chunk and ends cleanly; the connection stays usable")
    func streaming() async throws {
        let pki = try TestPKI.make()
        let handler = ClosureHandler { request in
            if request.path == "/plain" { return .text(.ok, "plain") }
            return .stream(.ok, contentType: "application/json") { writer in
                for i in 0..<5 { try await writer.write("{\"n\":\(i)}\n") }
            }
        }
        let server = try await HTTPSServer.start(tlsConfig(pki), handler: handler)
        let client = try await HTTPSClient.connect(host: "127.0.0.1", port: server.port, tls: try pki.clientTLS())
        let (head, chunks) = try await client.stream(.GET, "/watch")
        #expect(head.status == .ok)
        #expect(head.headers.first(name: "transfer-encoding") == "chunked")
        var text = ""
        for try await chunk in chunks { text += String(buffer: chunk) }
        #expect(text == (0..<5).map { "{\"n\":\($0)}\n" }.joined())
        #expect(try await client.send(.GET, "/plain").bodyString == "plain")
        await client.close()
        await server.shutdown(grace: .seconds(2))
    }

    @Test("when the client disconnects, the producer is cancelled and the stream ends")
    func disconnectEndsStream() async throws {
        let pki = try TestPKI.make()
        let started = Signal(), ended = Signal()
        let handler = ClosureHandler { _ in
            .stream(.ok, contentType: "application/json") { writer in
                try await writer.write("{\"type\":\"ADDED\"}\n")
                await started.fire()
                // A watch with no further events: waits until cancelled.
                while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) }
                await ended.fire()
            }
        }
        let server = try await HTTPSServer.start(tlsConfig(pki), handler: handler)
        let client = try await HTTPSClient.connect(host: "127.0.0.1", port: server.port, tls: try pki.clientTLS())
        let (_, chunks) = try await client.stream(.GET, "/watch")
        var iterator = chunks.makeAsyncIterator()
        let first = try await iterator.next()
        #expect(first.map { String(buffer: $0) } == "{\"type\":\"ADDED\"}\n")
        await started.wait()
        await client.close()
        await ended.wait()  // would hang (and the test time out) if the producer were not cancelled
        await server.shutdown(grace: .seconds(2))
    }

    @Test("shutdown finishes an in-flight request, then refuses new connections")
    func gracefulShutdown() async throws {
        let pki = try TestPKI.make()
        let inHandler = Signal(), release = Signal()
        let handler = ClosureHandler { _ in
            await inHandler.fire()
            await release.wait()
            return .text(.ok, "finished")
        }
        let server = try await HTTPSServer.start(tlsConfig(pki), handler: handler)
        let port = server.port
        let client = try await HTTPSClient.connect(host: "127.0.0.1", port: port, tls: try pki.clientTLS())
        async let response = client.send(.POST, "/slow", body: ByteBuffer(string: "{}"))
        await inHandler.wait()
        async let stopped: Void = server.shutdown(grace: .seconds(20))
        // New connections are refused once the listener is closed.
        var refused = false
        for _ in 0..<100 {
            do {
                let c = try await HTTPSClient.connect(host: "127.0.0.1", port: port, tls: try pki.clientTLS())
                await c.close()
                try await Task.sleep(for: .milliseconds(10))
            } catch {
                refused = true
                break
            }
        }
        #expect(refused)
        await release.fire()
        let answer = try await response
        #expect(answer.status == .ok)
        #expect(answer.bodyString == "finished")
        #expect(answer.headers.first(name: "connection") == "close")
        await stopped
        #expect(server.openConnections == 0)
    }

    @Test("shutdown ends open watch streams cleanly instead of waiting for the grace period")
    func shutdownEndsStreams() async throws {
        let pki = try TestPKI.make()
        let handler = ClosureHandler { _ in
            .stream(.ok, contentType: "application/json") { writer in
                try await writer.write("{}\n")
                while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) }
            }
        }
        let server = try await HTTPSServer.start(tlsConfig(pki), handler: handler)
        let client = try await HTTPSClient.connect(host: "127.0.0.1", port: server.port, tls: try pki.clientTLS())
        let (_, chunks) = try await client.stream(.GET, "/watch")
        var iterator = chunks.makeAsyncIterator()
        _ = try await iterator.next()
        await server.shutdown(grace: .seconds(60))
        // The stream ended with the terminating chunk (no error) before the grace ran out.
        #expect(try await iterator.next() == nil)
    }
}
