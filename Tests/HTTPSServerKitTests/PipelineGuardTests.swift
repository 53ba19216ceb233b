import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import HTTPSServerKit
import TestSupport

/// `PipelineGuard` asks for the next read itself while the connection's one complete request
/// waits for its cohort, and leaves reading to NIOHTTP1's pipelining handler in every other
/// case. An `EmbeddedChannel` never asks for reads on its own, so the reads that reach the
/// socket side are exactly the guard's (and the pipelining handler's).
@Suite("Pipeline guard: read interest kept while one request is answered; pipelining backpressure otherwise")
struct ReadInterestTests {
    /// First in the pipeline: counts the reads that reach the socket side.
    final class ReadCounter: ChannelOutboundHandler, @unchecked Sendable {
        typealias OutboundIn = ByteBuffer
        var reads = 0
        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
    }

    /// A server connection with a `ReadCounter` next to the socket.
    func channel(limit: Int = 64) throws -> (EmbeddedChannel, ReadCounter) {
        let counter = ReadCounter()
        return (try serverConnection(limits: ServerLimits(maxPipelinedRequests: limit), socketSide: [counter]), counter)
    }

    @Test("one complete request waiting for its answer: the next read is asked for at once, every time")
    func oneRequest() throws {
        let (channel, counter) = try channel()
        for (round, path) in ["/a", "/b"].enumerated() {
            try channel.writeInbound(gets(path))
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
        try channel.writeInbound(gets("/1", "/2"))
        #expect(counter.reads == 0)
        channel.embeddedEventLoop.run()
        channel.embeddedEventLoop.run()
        let text = try channel.writtenText()
        let one = try #require(text.range(of: "\r\n\r\n/1")), two = try #require(text.range(of: "\r\n\r\n/2"))
        #expect(one.lowerBound < two.lowerBound)
        _ = try? channel.finish()
    }

    @Test("a request whose body is still arriving: no read asked for by the guard")
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

    @Test("a complete request followed by the start of the next: no read asked for (its body would pile up)")
    func completeThenPartial() throws {
        let (channel, counter) = try channel()
        try channel.writeInbound(
            ByteBuffer(
                string: "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nPOST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab")
        )
        #expect(counter.reads == 0)
        channel.embeddedEventLoop.run()
        #expect(try channel.writtenText().hasSuffix("\r\n\r\n/1"))
        _ = try? channel.finish()
    }

    @Test("a request completed while draining for shutdown: reading is left to the pipelining handler")
    func draining() throws {
        let (channel, counter) = try channel()
        try channel.writeInbound(ByteBuffer(string: "POST /last HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab"))
        channel.pipeline.fireUserInboundEventTriggered(DrainEvent(quietPeriod: .milliseconds(250)))
        try channel.writeInbound(ByteBuffer(string: "cd"))
        #expect(counter.reads == 0)
        channel.embeddedEventLoop.run()
        let answer = try channel.writtenText()
        #expect(answer.contains("connection: close") && answer.hasSuffix("\r\n\r\n/last"))
        _ = try? channel.finish()
    }
}

@Suite("Draining an idle connection")
struct IdleDrainTests {
    @Test("an idle connection is not closed at once: a request may already be on its way (DrainTests checks the close)")
    func notClosedAtOnce() throws {
        let channel = try serverConnection()
        try channel.writeInbound(gets("/1"))
        channel.embeddedEventLoop.run()
        channel.pipeline.fireUserInboundEventTriggered(DrainEvent(quietPeriod: .milliseconds(250)))
        channel.embeddedEventLoop.run()
        #expect(channel.isActive)
        _ = try? channel.finish()
    }

    @Test(
        "a request that begins during the quiet period is answered with Connection: close, then the connection closes")
    func answersLateRequest() throws {
        let channel = try serverConnection()
        channel.pipeline.fireUserInboundEventTriggered(DrainEvent(quietPeriod: .milliseconds(250)))
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(100))
        try channel.writeInbound(gets("/late"))
        channel.embeddedEventLoop.run()
        let answer = try channel.writtenText()
        #expect(answer.contains("connection: close") && answer.hasSuffix("\r\n\r\n/late"))
        #expect(!channel.isActive)
        _ = try? channel.finish()
    }
}

/// `PipelineGuard`: a connection with more complete requests waiting than the limit is
/// closed while they are parsed; up to the limit, every one is answered in order.
@Suite("Pipeline guard: a connection piling up requests is closed")
struct PipeliningLimitTests {
    func channel(limit: Int) throws -> EmbeddedChannel {
        try serverConnection(limits: ServerLimits(maxPipelinedRequests: limit))
    }

    func pipelined(_ count: Int) -> ByteBuffer { gets((1...count).map { "/\($0)" }) }

    @Test("as many as the limit: all answered, in order, connection open")
    func upToTheLimit() throws {
        let channel = try channel(limit: 8)
        try channel.writeInbound(pipelined(8))
        var text = ""
        for _ in 0..<20 { channel.embeddedEventLoop.run(); text += try channel.writtenText() }
        let order = (1...8).map { text.range(of: "\r\n\r\n/\($0)")?.lowerBound }
        #expect(order.allSatisfy { $0 != nil } && order.compactMap { $0 } == order.compactMap { $0 }.sorted())
        #expect(channel.isActive)
        _ = try? channel.finish()
    }

    @Test("one more than the limit: closed while reading")
    func overTheLimit() throws {
        let channel = try channel(limit: 8)
        _ = try? channel.writeInbound(pipelined(9))
        channel.embeddedEventLoop.run()
        #expect(!channel.isActive)
    }
}
