import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import HTTPSServerKit
import TestSupport

/// A client that sends requests and does not read the answers must not make the server
/// decide and buffer answers without bound: once the outbound buffer is full, the next
/// request waits until the client reads again, and the connection is closed if it never does.
@Suite("A client not reading its answers: nothing more decided, memory bounded, nothing lost")
struct SlowReaderTests {
    /// Counts its decisions; answers 1 MiB, so a few answers fill the socket buffers.
    struct LargeAnswers: HTTPSHandler {
        let decided: Counter
        static let body = [UInt8](repeating: UInt8(ascii: "x"), count: 1024 * 1024)
        func handle(_ request: ServerRequest) async -> ServerResponse { answer() }
        func respond(to request: ServerRequest) -> HandlerResult { .now(answer()) }
        private func answer() -> ServerResponse {
            decided.increment()
            return .bytes(.ok, contentType: "application/octet-stream", Self.body)
        }
    }

    @Test("60 pipelined requests, client not reading: far fewer decided; once it reads, all 61 answered")
    func pipelinedWithoutReading() async throws {
        let decided = Counter()
        let server = try await HTTPSServer.start(
            ServerConfiguration(tls: nil, limits: .forTests, threads: 1), handler: LargeAnswers(decided: decided))
        let client = try await RawConnection.connect(host: "127.0.0.1", port: server.port, tls: nil, reading: false)
        try await client.send(String(repeating: "GET /n HTTP/1.1\r\nHost: x\r\n\r\n", count: 60))
        try await Task.sleep(for: .seconds(1))
        // What fits in the kernel's socket buffers (a few MiB) plus NIO's high watermark: about
        // 10 answers here. Without backpressure all 60 were decided and buffered (60 MiB).
        let whileNotReading = decided.value
        #expect(whileNotReading < 40, "\(whileNotReading) of 60 decided while the client read nothing")

        try await client.send("GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        try await client.startReading()
        let received = try await client.receivedUntilClose()
        #expect(received.components(separatedBy: "HTTP/1.1 200 OK\r\n").count - 1 == 61)
        #expect(decided.value == 61)
        await server.shutdown(grace: .seconds(2))
    }

    func setWritable(_ writable: Bool, _ channel: EmbeddedChannel) {
        channel.isWritable = writable
        channel.pipeline.fireChannelWritabilityChanged()
    }

    @Test("a request completed while the channel is not writable waits, and is answered when it is")
    func answeredWhenWritable() throws {
        let channel = try serverConnection()
        setWritable(false, channel)
        try channel.writeInbound(gets("/waits"))
        channel.embeddedEventLoop.run()
        #expect(try channel.writtenText().isEmpty)
        setWritable(true, channel)
        channel.embeddedEventLoop.run()
        #expect(try channel.writtenText().hasSuffix("\r\n\r\n/waits"))
        #expect(channel.isActive)
        _ = try? channel.finish()
    }

    @Test("a client that never reads again is closed after the idle timeout")
    func closedAfterIdleTimeout() async throws {
        let decided = Counter()
        let config = ServerConfiguration(tls: nil, limits: ServerLimits(idleTimeout: .seconds(1)), threads: 1)
        let server = try await HTTPSServer.start(config, handler: LargeAnswers(decided: decided))
        let client = try await RawConnection.connect(host: "127.0.0.1", port: server.port, tls: nil, reading: false)
        // Accepted first, so that "no connection" below means closed, not never opened.
        try await waitFor("the connection accepted") { server.openConnections == 1 }
        try await client.send(String(repeating: "GET /n HTTP/1.1\r\nHost: x\r\n\r\n", count: 60))
        try await waitFor("the connection of a client that reads nothing closed") { server.openConnections == 0 }
        #expect(decided.value < 40)
        await client.close()
        await server.shutdown(grace: .seconds(2))
    }
}
