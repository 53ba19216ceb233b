import Logging
import NIOCore
import NIOEmbedded

@testable import HTTPSServerKit

/// Answers on the event loop with the request's path: which request an answer belongs to
/// is then visible in the bytes written.
struct PathEcho: HTTPSHandler {
    func handle(_ request: ServerRequest) async -> ServerResponse { .text(.ok, request.path) }
    func respond(to request: ServerRequest) -> HandlerResult { .now(.text(.ok, request.path)) }
}

/// GET requests for `paths`, back to back in one buffer (pipelined when there are several),
/// as a client's bytes arrive in one read.
func gets(_ paths: [String]) -> ByteBuffer {
    ByteBuffer(string: paths.map { "GET \($0) HTTP/1.1\r\nHost: x\r\n\r\n" }.joined())
}

func gets(_ paths: String...) -> ByteBuffer { gets(paths) }

extension EmbeddedChannel {
    /// Everything written to the socket side since the last call, as text.
    func writtenText() throws -> String {
        var text = ""
        while let buffer = try readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
        return text
    }
}

/// A connection set up as `HTTPSServer` sets one up, on an `EmbeddedChannel` whose loop runs
/// deferred tasks only when told to: `socketSide` handlers first (next to the socket), the
/// server's HTTP pipeline, then a `ConnectionHandler` answering through `cohort` (by default
/// a cohort of its own on the channel's loop). Connected, as an accepted connection is.
func serverConnection(
    _ handler: any HTTPSHandler = PathEcho(), limits: ServerLimits = ServerLimits(),
    loop: EmbeddedEventLoop = EmbeddedEventLoop(), cohort: RequestCohort? = nil,
    socketSide: [any ChannelHandler] = []
) throws -> EmbeddedChannel {
    let channel = EmbeddedChannel(loop: loop)
    let sync = channel.pipeline.syncOperations
    let logger = Logger(label: "test")
    for extra in socketSide { try sync.addHandler(extra) }
    try sync.configureServerHTTPPipeline(limits: limits, logger: logger)
    try sync.addHandler(
        ConnectionHandler(
            handler: handler, cohort: cohort ?? RequestCohort(handler: handler, loop: loop),
            executor: EventLoopTaskExecutor(loop), limits: limits, logger: logger))
    try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40000)).wait()
    return channel
}
