import Foundation
import Synchronization

/// Moves `HTTPRequest`s to a server and brings back what it answered: the one thing
/// `KubeClient` needs from a network stack.
///
/// Why a protocol: the plugin and the sandbox use libcurl (`HTTPTransport` in `KubeCurl`:
/// proxies, HTTP/2, the system's CA store), while the webhook already runs SwiftNIO and
/// BoringSSL for its server. Giving the webhook a SwiftNIO transport keeps libcurl, OpenSSL
/// and their dozen shared libraries out of its process and its resident memory.
///
/// Contract for implementations:
/// - Any HTTP status is an answer, not an error; `KubeClient` decides what statuses mean.
/// - No answer at all throws `TransportError`, with the kind that fits (refused, TLS, timeout,
///   ...), so messages and retries work the same over every transport.
/// - `HTTPRequest.timeout` bounds the whole exchange; nil means none (watches).
///   `connectTimeout` bounds TCP plus TLS.
/// - Cancelling the calling task ends the transfer and throws `TransportError` of kind
///   `.cancelled`; so does `stop` being set while a response streams.
/// - No retries: `KubeClient` retries safe requests itself.
public protocol KubeTransport: Sendable {
    /// Sends `request` and returns the complete response, whatever its HTTP status.
    func perform(_ request: HTTPRequest) async throws -> HTTPResponse

    /// Streams a response: `onHead` once with status and headers, then `onBody` per chunk in
    /// order, never concurrently. Returns when the server ends the response; throws
    /// `TransportError` of kind `.cancelled` when the task is cancelled or `stop` is set
    /// (checked at least after every `onBody`).
    func stream(
        _ request: HTTPRequest,
        onHead: @escaping @Sendable (Int, [(name: String, value: String)]) -> Void,
        onBody: @escaping @Sendable (Data) -> Void,
        stop: CancellationFlag
    ) async throws -> (status: Int, headers: [(name: String, value: String)])
}

/// A one-way flag shared between async code and a transfer running elsewhere (a curl thread,
/// an event loop): set once to ask the transfer to end.
public final class CancellationFlag: Sendable {
    private let value = Mutex(false)

    public init() {}

    public var isSet: Bool { value.withLock { $0 } }

    public func set() { value.withLock { $0 = true } }
}
