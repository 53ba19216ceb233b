import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import HTTPSServerKit

/// `PipeliningLimit`: a connection with more complete requests waiting than the limit is
/// closed while they are parsed; up to the limit, every one is answered in order.
@Suite("Pipelining limit: a connection piling up requests is closed")
struct PipeliningLimitTests {
    func channel(limit: Int) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        let limits = ServerLimits(maxPipelinedRequests: limit), logger = Logger(label: "test")
        try channel.pipeline.syncOperations.configureServerHTTPPipeline(limits: limits, logger: logger)
        try channel.pipeline.syncOperations.addHandler(ConnectionHandler(
            handler: PathEcho(), cohort: RequestCohort(handler: PathEcho(), loop: channel.embeddedEventLoop), limits: limits, logger: logger))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40000)).wait()
        return channel
    }

    func pipelined(_ count: Int) -> ByteBuffer {
        ByteBuffer(string: (1...count).map { "GET /\($0) HTTP/1.1\r\nHost: x\r\n\r\n" }.joined())
    }

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
