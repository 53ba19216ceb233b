import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import HTTPSServerKit

/// `ConnectionHandler` keeps a body that arrives in one piece as that piece (a view of the
/// decoder's bytes) and appends later pieces to it. These tests check the handler sees
/// exactly the bytes that were sent, whether the body came whole, split into pieces, or
/// shared its read with the next pipelined request.
@Suite("Connection handler: request bodies assembled exactly, in one piece or many")
struct BodyAssemblyTests {
    /// Answers with the body it received.
    struct BodyEcho: HTTPSHandler {
        func handle(_ request: ServerRequest) async -> ServerResponse { respondNow(request) }
        func respond(to request: ServerRequest) -> HandlerResult { .now(respondNow(request)) }
        private func respondNow(_ request: ServerRequest) -> ServerResponse {
            .bytes(.ok, contentType: "application/octet-stream", request.bodyBytes)
        }
    }

    /// The bodies of every answer written so far, in order.
    func answeredBodies(_ channel: EmbeddedChannel) throws -> [String] {
        channel.embeddedEventLoop.run()
        var bodies: [String] = []
        var rest = Substring(try channel.writtenText())
        while let headEnd = rest.range(of: "\r\n\r\n") {
            let head = rest[..<headEnd.lowerBound]
            let lengthLine = try #require(
                head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") })
            let length = try #require(Int(lengthLine.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)))
            let body = rest[headEnd.upperBound...].prefix(length)
            bodies.append(String(body))
            rest = rest[headEnd.upperBound...].dropFirst(length)
        }
        return bodies
    }

    static func post(_ body: String) -> String {
        "POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
            + body
    }

    @Test("a body in one read reaches the handler byte for byte")
    func wholeBody() throws {
        let channel = try serverConnection(BodyEcho())
        let body = #"{"kind":"AdmissionReview","request":{"uid":"u-1"}}"#
        try channel.writeInbound(ByteBuffer(string: Self.post(body)))
        #expect(try answeredBodies(channel) == [body])
        _ = try? channel.finish()
    }

    @Test("a body that arrives in pieces of any size is reassembled exactly", arguments: [1, 2, 7, 16, 40])
    func splitBody(pieceSize: Int) throws {
        let channel = try serverConnection(BodyEcho())
        let body = String((0..<200).map { Character(UnicodeScalar(UInt8(0x61 + $0 % 26))) })
        let request = Array(Self.post(body).utf8)
        var offset = 0
        while offset < request.count {
            let end = min(offset + pieceSize, request.count)
            try channel.writeInbound(ByteBuffer(bytes: request[offset..<end]))
            offset = end
        }
        #expect(try answeredBodies(channel) == [body])
        _ = try? channel.finish()
    }

    @Test("pipelined requests read together keep their own bodies")
    func pipelinedBodies() throws {
        let channel = try serverConnection(BodyEcho())
        let bodies = ["first body", "second, longer body", String(repeating: "x", count: 3000)]
        try channel.writeInbound(ByteBuffer(string: bodies.map(Self.post).joined()))
        var answered: [String] = []
        for _ in 0..<bodies.count { answered += try answeredBodies(channel) }
        #expect(answered == bodies)
        _ = try? channel.finish()
    }
}
