import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import HTTPSServerKit
import TestSupport

/// `ConnectionHandler` writes an answer given on the event loop at once but flushes it after
/// the loop iteration: the answers to every connection that was ready then reach their
/// sockets back to back. These tests drive the handler on an `EmbeddedChannel`, whose loop
/// runs deferred tasks only when told to, so "written but not flushed yet" is observable.
@Suite("Connection handler: answers flushed after the loop iteration; pipelined requests answered")
struct FlushBatchingTests {
    @Test("an answer is flushed when the loop has run its tasks, not inside the read")
    func flushedAfterTheIteration() throws {
        let channel = try serverConnection()
        try channel.writeInbound(gets("/one"))
        #expect(try channel.writtenText().isEmpty)
        channel.embeddedEventLoop.run()
        let answer = try channel.writtenText()
        #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(answer.hasSuffix("\r\n\r\n/one"))
        _ = try? channel.finish()
    }

    @Test("pipelined requests on one connection are answered in order, each exactly once")
    func pipelined() throws {
        let channel = try serverConnection()
        try channel.writeInbound(gets("/1", "/2"))
        channel.embeddedEventLoop.run()
        channel.embeddedEventLoop.run()
        let answers = try channel.writtenText()
        #expect(answers.components(separatedBy: "HTTP/1.1 200 OK").count == 3)
        let one = try #require(answers.range(of: "\r\n\r\n/1"))
        let two = try #require(answers.range(of: "\r\n\r\n/2"))
        #expect(one.lowerBound < two.lowerBound)
        _ = try? channel.finish()
    }

    @Test("pipelined requests over TLS: three answered in order on one connection, then closed as asked")
    func pipelinedOverTLS() async throws {
        let pki = try TestPKI.make()
        let server = try await HTTPSServer.start(tlsConfig(pki), handler: EchoHandler())
        let raw = try await RawConnection.connect(host: "127.0.0.1", port: server.port, tls: try pki.clientTLS())
        try await raw.send(
            "GET /first HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /second HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab"
                + "GET /third HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let answers = try await raw.receivedUntilClose()
        #expect(answers.components(separatedBy: "HTTP/1.1 200 OK").count == 4)
        let order = ["path=/first", "path=/second", "path=/third"].map { answers.range(of: $0)?.lowerBound }
        #expect(order.allSatisfy { $0 != nil })
        #expect(order.compactMap { $0 } == order.compactMap { $0 }.sorted())
        #expect(answers.contains("bytes=2"))
        await server.shutdown(grace: .seconds(2))
    }
}
