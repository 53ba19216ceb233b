import NIOCore
import NIOHTTP1

/// The application side of the server: one call per request.
///
/// The server does the I/O (TLS, parsing, limits, timeouts, keep-alive); handlers see a
/// complete request and return a complete or streaming response. Sendable because
/// requests are handled concurrently from every event loop.
///
/// The server calls `respond(to:)` on the connection's event loop, once that loop has read
/// every connection that was ready, for each request they completed in turn
/// (`RequestCohort`). A handler that can answer without waiting returns `.now`, and the
/// answer is written in that same loop iteration. Otherwise it returns `.later`, which
/// runs as a task on that event loop. Handlers must never block the loop:
/// await I/O instead of waiting for it, and move long CPU work elsewhere.
public protocol HTTPSHandler: Sendable {
    func handle(_ request: ServerRequest) async -> ServerResponse

    /// The answer now, or the work that produces it later. The default defers to `handle`.
    ///
    /// Why both: an async call costs a task and two executor jobs per request, and its
    /// answer misses the iteration's batch of writes. A synchronous answer is decided with
    /// the rest of its cohort and written in the same iteration.
    func respond(to request: ServerRequest) -> HandlerResult

    /// The answer when a body exceeds `ServerLimits.maxBodyBytes`. `request.body` holds
    /// the bytes read so far (possibly none when Content-Length alone was too large), so a
    /// handler can still echo an identifier from it. The connection is closed afterwards.
    func bodyTooLarge(_ request: ServerRequest, limit: Int) async -> ServerResponse

    /// The answer (408) when a body stops arriving for `ServerLimits.bodyTimeout`.
    /// `request.body` holds what came, as for `bodyTooLarge`; the connection is closed afterwards.
    func bodyTimedOut(_ request: ServerRequest, limit: TimeAmount) async -> ServerResponse
}

/// What `HTTPSHandler.respond(to:)` returns.
public enum HandlerResult: Sendable {
    /// The response, ready to be written.
    case now(ServerResponse)
    /// Work that must await something (I/O) before it can answer.
    case later(@Sendable () async -> ServerResponse)

    /// The response, awaiting the work if there is any: how `handle` is written in terms
    /// of `respond(to:)`.
    public func response() async -> ServerResponse {
        switch self {
        case .now(let response): return response
        case .later(let work): return await work()
        }
    }
}

extension HTTPSHandler {
    public func respond(to request: ServerRequest) -> HandlerResult {
        .later { await self.handle(request) }
    }

    public func bodyTooLarge(_ request: ServerRequest, limit: Int) async -> ServerResponse {
        .text(.payloadTooLarge, "request body exceeds \(limit) bytes\n")
    }

    public func bodyTimedOut(_ request: ServerRequest, limit: TimeAmount) async -> ServerResponse {
        .text(.requestTimeout, "request body not received within \(limit.nanoseconds / 1_000_000) ms\n")
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
