import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import HTTPSServerKit
import TestSupport

/// `ReadInterestKeeper` asks for the next read itself while the connection's one complete
/// request waits for its cohort, and leaves reading to NIOHTTP1's pipelining handler in
/// every other case. An `EmbeddedChannel` never asks for reads on its own, so the reads
/// that reach the socket side are exactly the keeper's (and the pipelining handler's).
@Suite("Read interest kept while one request is answered; pipelining backpressure otherwise")
struct ReadInterestKeeperTests {
    /// First in the pipeline: counts the reads that reach the socket side.
    final class ReadCounter: ChannelOutboundHandler, @unchecked Sendable {
        typealias OutboundIn = ByteBuffer
        var reads = 0
        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
    }

    func channel() throws -> (EmbeddedChannel, ReadCounter) {
        let channel = EmbeddedChannel()
        let counter = ReadCounter()
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(counter)
        try sync.configureServerHTTPPipeline(limits: ServerLimits(), logger: Logger(label: "test"))
        try sync.addHandler(ConnectionHandler(handler: PathEcho(), cohort: RequestCohort(handler: PathEcho(), loop: channel.embeddedEventLoop),
                                              limits: ServerLimits(), logger: Logger(label: "test")))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40000)).wait()
        return (channel, counter)
    }

    @Test("one complete request waiting for its answer: the next read is asked for at once, every time")
    func oneRequest() throws {
        let (channel, counter) = try channel()
        for (round, path) in ["/a", "/b"].enumerated() {
            try channel.writeInbound(ByteBuffer(string: "GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n"))
            #expect(counter.reads == round + 1, "read asked for inside the read that completed \(path)")
            channel.embeddedEventLoop.run()
            #expect(try channel.writtenText().hasSuffix("\r\n\r\n\(path)"))
        }
        #expect(counter.reads == 2, "writing the answers asks for no read of its own")
        _ = try? channel.finish()
    }

    @Test("two pipelined requests in one read: no read asked for; both still answered in order")
    func pipelined() throws {
        let (channel, counter) = try channel()
        try channel.writeInbound(ByteBuffer(string: "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n"))
        #expect(counter.reads == 0)
        channel.embeddedEventLoop.run()
        channel.embeddedEventLoop.run()
        let text = try channel.writtenText()
        let one = try #require(text.range(of: "\r\n\r\n/1")), two = try #require(text.range(of: "\r\n\r\n/2"))
        #expect(one.lowerBound < two.lowerBound)
        _ = try? channel.finish()
    }

    @Test("a request whose body is still arriving: no read asked for by the keeper")
    func partialRequest() throws {
        let (channel, counter) = try channel()
        try channel.writeInbound(ByteBuffer(string: "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"))
        #expect(counter.reads == 0)
        try channel.writeInbound(ByteBuffer(string: "defghij"))
        #expect(counter.reads == 1, "complete now, and nothing after it")
        channel.embeddedEventLoop.run()
        #expect(try channel.writtenText().hasSuffix("\r\n\r\n/p"))
        _ = try? channel.finish()
    }

    @Test("a request completed while draining for shutdown: reading is left to the pipelining handler")
    func draining() throws {
        let (channel, counter) = try channel()
        try channel.writeInbound(ByteBuffer(string: "POST /last HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab"))
        channel.pipeline.fireUserInboundEventTriggered(DrainEvent())  // an idle connection would just close
        try channel.writeInbound(ByteBuffer(string: "cd"))
        #expect(counter.reads == 0)
        channel.embeddedEventLoop.run()
        let answer = try channel.writtenText()
        #expect(answer.contains("connection: close") && answer.hasSuffix("\r\n\r\n/last"))
        _ = try? channel.finish()
    }
}
