import Foundation
import NIOCore
import NIOHTTP1

/// A handler's answer: status, headers and a body that is either complete or streamed.
public struct ServerResponse: Sendable {
    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: ResponseBody

    public init(status: HTTPResponseStatus, headers: HTTPHeaders = [:], body: ResponseBody = .bytes(ByteBuffer())) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A complete response with `Content-Type: contentType`.
    public static func bytes(
        _ status: HTTPResponseStatus, contentType: String, _ bytes: some Sequence<UInt8>
    ) -> ServerResponse {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        return ServerResponse(status: status, headers: headers, body: .bytes(ByteBuffer(bytes: bytes)))
    }

    /// A `text/plain` response.
    public static func text(_ status: HTTPResponseStatus, _ text: String) -> ServerResponse {
        bytes(status, contentType: "text/plain; charset=utf-8", Array(text.utf8))
    }

    /// An `application/json` response.
    public static func json(_ status: HTTPResponseStatus, _ data: Data) -> ServerResponse {
        bytes(status, contentType: "application/json", data)
    }

    /// An `application/json` response from bytes.
    public static func json(_ status: HTTPResponseStatus, _ bytes: [UInt8]) -> ServerResponse {
        self.bytes(status, contentType: "application/json", bytes)
    }

    /// A chunked response whose body `produce` writes piece by piece.
    public static func stream(
        _ status: HTTPResponseStatus, contentType: String,
        _ produce: @escaping @Sendable (ResponseBodyWriter) async throws -> Void
    ) -> ServerResponse {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        return ServerResponse(status: status, headers: headers, body: .stream(produce))
    }
}

/// The body of a response.
public enum ResponseBody: Sendable {
    /// Sent with Content-Length.
    case bytes(ByteBuffer)
    /// Sent with chunked transfer encoding. The closure runs in its own task; when it returns
    /// the stream ends cleanly. When the client disconnects (or the server drains for
    /// shutdown) the task is cancelled and further writes throw `ResponseStreamClosed`, so a
    /// producer waiting on events should honour cancellation.
    case stream(@Sendable (ResponseBodyWriter) async throws -> Void)
}

/// Thrown by `ResponseBodyWriter.write` once the connection is gone.
public struct ResponseStreamClosed: Error, Sendable, CustomStringConvertible {
    public var description: String { "the client closed the connection; the response stream is over" }
}

/// Writes chunks of a streaming response. Each write waits until the bytes are handed to
/// the socket, so a slow reader slows the producer down instead of growing memory.
public struct ResponseBodyWriter: Sendable {
    let channel: any Channel

    /// Writes one chunk and flushes it.
    public func write(_ buffer: ByteBuffer) async throws {
        if Task.isCancelled { throw ResponseStreamClosed() }
        do {
            try await channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(buffer)))
        } catch {
            throw ResponseStreamClosed()
        }
    }

    public func write(_ bytes: some Sequence<UInt8>) async throws {
        try await write(ByteBuffer(bytes: bytes))
    }

    public func write(_ text: String) async throws {
        try await write(ByteBuffer(string: text))
    }
}
