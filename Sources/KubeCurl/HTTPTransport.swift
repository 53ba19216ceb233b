import Foundation
import Synchronization
import KubeClient

/// One-shot HTTP(S) requests over libcurl, with pooled connections, run off Swift's cooperative
/// thread pool.
///
/// Why public: besides `KubeClient`, the sandbox API server calls admission webhooks with it
/// (verifying the webhook's certificate against the `caBundle`, optionally presenting a client
/// certificate), exactly as the real API server would.
///
/// - Blocking curl calls run on a dedicated concurrent dispatch queue (short requests) or a
///   dedicated thread per stream (watches), never on the cooperative pool.
/// - Connections are reused per `scheme://host:port` (keep-alive, TLS session reuse); HTTP/2 is
///   used when the server offers it through ALPN.
/// - No retries here: `KubeClient` retries safe requests.
public final class HTTPTransport: KubeTransport {
    /// A process-wide transport; its pool is shared by every client that uses it.
    public static let shared = HTTPTransport()

    let pool: CurlHandlePool
    private static let queue = DispatchQueue(label: "kube-client.curl", qos: .userInitiated, attributes: .concurrent)

    /// - Parameter maxIdleConnectionsPerHost: idle handles (each with its connections) kept per host.
    public init(maxIdleConnectionsPerHost: Int = 8) {
        pool = CurlHandlePool(maxIdlePerHost: maxIdleConnectionsPerHost)
    }

    /// Sends `request` and returns the complete response, whatever its HTTP status.
    ///
    /// Throws `TransportError` when no HTTP response arrived (connection refused, TLS failure,
    /// timeout, cancellation of the calling task). Example:
    /// ```swift
    /// let response = try await HTTPTransport.shared.perform(HTTPRequest(
    ///     method: "POST", url: "https://127.0.0.1:8443/validate",
    ///     headers: [("Content-Type", "application/json")], body: review,
    ///     tls: TLSOptions(certificateAuthorityPEM: caBundle), timeout: 10))
    /// ```
    public func perform(_ request: HTTPRequest) async throws -> HTTPResponse {
        let collector = BodyCollector()
        let status = try await run(request, onHead: { _, _ in }, onBody: { collector.append($0) })
        return HTTPResponse(status: status.status, headers: status.headers, body: collector.data)
    }

    /// Streams a response: `onHead` once with status and headers, then `onBody` per chunk, on a
    /// dedicated thread. Returns when the server ends the response or the calling task is
    /// cancelled (then throws `TransportError` of kind `.cancelled`).
    public func stream(
        _ request: HTTPRequest,
        onHead: @escaping @Sendable (Int, [(name: String, value: String)]) -> Void,
        onBody: @escaping @Sendable (Data) -> Void,
        stop: CancellationFlag
    ) async throws -> (status: Int, headers: [(name: String, value: String)]) {
        try await run(request, onHead: onHead, onBody: onBody, dedicatedThread: true, stop: stop)
    }

    /// A response's status and headers, in the order the server sent them.
    private typealias ResponseHead = (status: Int, headers: [(name: String, value: String)])

    private func run(
        _ request: HTTPRequest,
        onHead: @escaping @Sendable (Int, [(name: String, value: String)]) -> Void,
        onBody: @escaping @Sendable (Data) -> Void,
        dedicatedThread: Bool = false,
        stop: CancellationFlag = CancellationFlag()
    ) async throws -> ResponseHead {
        let key = CurlHandlePool.key(for: request.url)
        let server = TransportError.server(of: request.url)
        let pool = self.pool
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ResponseHead, any Error>) in
                let work: @Sendable () -> Void = {
                    guard let handle = pool.checkout(key) else {
                        continuation.resume(
                            throwing: TransportError(
                                server: server, kind: .other,
                                detail: CurlHandle.loadFailure ?? "libcurl could not allocate a handle"))
                        return
                    }
                    let transfer = CurlTransfer(onHead: onHead, onBody: onBody, isCancelled: { stop.isSet })
                    let outcome = handle.perform(request, transfer: transfer)
                    switch outcome {
                    case .completed(let status):
                        pool.checkin(handle, key: key, reusable: true)
                        continuation.resume(returning: (status, transfer.headers))
                    case .failed(let code, let detail):
                        pool.checkin(handle, key: key, reusable: false)
                        continuation.resume(
                            throwing: CurlErrorMapping.error(server: server, code: code, detail: detail))
                    }
                }
                if dedicatedThread {
                    let thread = Thread(block: work)
                    thread.name = "kube-client.stream"
                    thread.start()
                } else {
                    Self.queue.async(execute: work)
                }
            }
        } onCancel: {
            stop.set()
        }
    }
}

/// Accumulates a response body written from the curl thread.
private final class BodyCollector: Sendable {
    private let buffer = Mutex(Data())
    func append(_ chunk: Data) { buffer.withLock { $0.append(chunk) } }
    var data: Data { buffer.withLock { $0 } }
}
