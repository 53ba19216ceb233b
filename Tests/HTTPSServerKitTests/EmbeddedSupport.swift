import NIOCore
import NIOEmbedded

@testable import HTTPSServerKit

/// Answers on the event loop with the request's path: which request an answer belongs to
/// is then visible in the bytes written.
struct PathEcho: HTTPSHandler {
    func handle(_ request: ServerRequest) async -> ServerResponse { .text(.ok, request.path) }
    func respond(to request: ServerRequest) -> HandlerResult { .now(.text(.ok, request.path)) }
}

extension EmbeddedChannel {
    /// Everything written to the socket side since the last call, as text.
    func writtenText() throws -> String {
        var text = ""
        while let buffer = try readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
        return text
    }
}
