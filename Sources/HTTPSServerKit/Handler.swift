import NIOCore
import NIOHTTP1

/// The application side of the server: one async call per request.
///
/// The server does the I/O (TLS, parsing, limits, timeouts, keep-alive); handlers see a
/// complete request and return a complete or streaming response. Sendable because
/// requests are handled concurrently from every event loop.
///
/// `handle` runs as a task on the connection's event loop (no thread hop per request), so it
/// must not block: await I/O instead of waiting for it, and move long CPU work elsewhere.
public protocol HTTPSHandler: Sendable {
    func handle(_ request: ServerRequest) async -> ServerResponse

    /// The answer when a body exceeds `ServerLimits.maxBodyBytes`. `request.body` holds
    /// the bytes read so far (possibly none when Content-Length alone was too large), so a
    /// handler can still echo an identifier from it. The connection is closed afterwards.
    func bodyTooLarge(_ request: ServerRequest, limit: Int) async -> ServerResponse
}

extension HTTPSHandler {
    public func bodyTooLarge(_ request: ServerRequest, limit: Int) async -> ServerResponse {
        .text(.payloadTooLarge, "request body exceeds \(limit) bytes\n")
    }
}

/// Adapts a closure to `HTTPSHandler`, handy in tests and small tools.
public struct ClosureHandler: HTTPSHandler {
    let body: @Sendable (ServerRequest) async -> ServerResponse

    public init(_ body: @escaping @Sendable (ServerRequest) async -> ServerResponse) {
        self.body = body
    }

    public func handle(_ request: ServerRequest) async -> ServerResponse { await body(request) }
}
