import Foundation
import KubeClient
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// A `KubeTransport` over SwiftNIO and NIOSSL (BoringSSL, linked statically): HTTP/1.1 with
/// keep-alive connection reuse, TLS 1.2+, client certificates, streaming for watches.
///
/// Why: the webhook already runs SwiftNIO and NIOSSL for its HTTPS server. Talking to the API
/// server through them too keeps libcurl and its shared libraries (OpenSSL, GnuTLS, Kerberos,
/// LDAP: about 5.6 MiB resident) out of the webhook's process, whose memory target is 26 MiB.
/// The plugin keeps libcurl's `HTTPTransport` (proxies of every kind, HTTP/2).
///
/// Behaviour, matching `HTTPTransport` where `KubeClient` can tell:
/// - Any HTTP status is an answer; no answer throws `TransportError` of the fitting kind.
/// - `connectTimeout` bounds TCP connect plus TLS handshake; `timeout` bounds the whole
///   exchange, body included (nil: none, for watches).
/// - `perform` reuses idle keep-alive connections per scheme, host, port and `TLSOptions`; a
///   pooled connection the server closed while idle is replaced transparently (the request is
///   sent again once, only when nothing of its response had arrived).
/// - `stream` uses a connection of its own that is closed when the stream ends.
/// - Proxies: `http://` proxies (optionally `http://user:password@host:port`) get a CONNECT
///   tunnel, for https and http servers alike; `https://` and `socks5://` proxies throw `.proxy`.
/// - No retries beyond the stale-connection case: `KubeClient` retries safe requests.
public final class NIOTransport: KubeTransport {
    let group: any EventLoopGroup
    let pool: ConnectionPool
    let tlsContexts = TLSContextCache()

    /// - Parameters:
    ///   - group: event loops for the connections; the process-wide singleton by default, which
    ///     the webhook's server can share (no extra threads).
    ///   - maxIdleConnectionsPerHost: idle keep-alive connections kept per server and TLS
    ///     identity; 0 closes every connection after its response.
    public init(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, maxIdleConnectionsPerHost: Int = 4) {
        self.group = group
        self.pool = ConnectionPool(maxIdlePerKey: maxIdleConnectionsPerHost)
    }

    deinit {
        pool.closeAll()
    }

    /// Sends `request` and returns the complete response, whatever its HTTP status.
    ///
    /// Throws `TransportError` when no complete HTTP response arrived (refused, TLS, timeout,
    /// reset, cancellation of the calling task, a proxy that refused or is not `http://`).
    public func perform(_ request: HTTPRequest) async throws -> HTTPResponse {
        let body = BodyAccumulator()
        let callbacks = ExchangeCallbacks(onHead: { _, _ in }, onBody: { body.append($0) }, stop: CancellationFlag())
        let head = try await run(request, callbacks: callbacks, pooled: true)
        return HTTPResponse(status: head.status, headers: head.headers, body: body.data)
    }

    /// Streams a response on a connection of its own: `onHead` once, then `onBody` per chunk
    /// as received (on an event loop thread, in order, never concurrently). Returns when the
    /// server ends the response; throws `TransportError` of kind `.cancelled` when the calling
    /// task is cancelled or `stop` is found set after a chunk, and closes the connection.
    public func stream(
        _ request: HTTPRequest,
        onHead: @escaping @Sendable (Int, [(name: String, value: String)]) -> Void,
        onBody: @escaping @Sendable (Data) -> Void,
        stop: CancellationFlag
    ) async throws -> (status: Int, headers: [(name: String, value: String)]) {
        let head = try await run(
            request, callbacks: ExchangeCallbacks(onHead: onHead, onBody: onBody, stop: stop),
            pooled: false)
        return (head.status, head.headers)
    }

    /// Builds (and keeps) the TLS context requests to `url` with `tls` will use, so a CA
    /// bundle or client certificate that cannot be used is reported before the first request:
    /// a server can refuse to start rather than retry a request that can never succeed. Plain
    /// `http://` URLs need no context. Throws `TransportError` (`.clientCertificateInvalid`
    /// for a key that is not the certificate's).
    public func prepareTLS(for url: String, _ tls: TLSOptions) throws {
        guard try RequestTarget.parse(url).isTLS else { return }
        _ = try tlsContexts.context(for: tls, server: TransportError.server(of: url))
    }

    /// Closes the idle pooled connections (they are also closed when the transport goes away).
    public func closeIdleConnections() {
        pool.closeAll()
    }

    private func run(_ request: HTTPRequest, callbacks: ExchangeCallbacks, pooled: Bool) async throws -> ExchangeHead {
        let target = try RequestTarget.parse(request.url)
        let server = TransportError.server(of: request.url)
        let proxy = try request.proxy.flatMap { $0.isEmpty ? nil : try ProxyTarget.parse($0, server: server) }
        let start = NIODeadline.now()
        let overall = request.timeout.flatMap { Self.amount($0) }.map { start + $0 }
        let connectLimit = start + (Self.amount(request.connectTimeout) ?? .seconds(300))
        let connectDeadline = overall.map { min($0, connectLimit) } ?? connectLimit
        let key = ConnectionKey(target: target, tls: request.tls, proxy: proxy)
        let sslContext = target.isTLS ? try tlsContexts.context(for: request.tls, server: server) : nil
        let serverName = RequestTarget.sniName(host: target.host, serverName: request.tls.serverName)
        let head = RequestTarget.head(
            method: request.method, target: target, headers: request.headers,
            bodyLength: request.body?.count)

        var candidate = pooled ? pool.take(key) : nil
        while true {
            if Task.isCancelled {
                candidate.map { pool.giveBack($0) }
                throw TransportError(server: server, kind: .cancelled, detail: "the calling task was cancelled")
            }
            let reused = candidate != nil
            let connection: Connection
            if let candidate {
                connection = candidate
            } else {
                do {
                    connection = try await Connection.connect(
                        target: target, key: key, tls: sslContext, serverName: serverName,
                        proxy: proxy, group: group, deadline: connectDeadline)
                } catch {
                    throw NIOErrorMapping.error(server: server, error)
                }
                pool.noteOpened()
            }
            do {
                let result = try await connection.execute(
                    head: head, body: request.body, callbacks: callbacks, deadline: overall)
                if pooled, result.keepAlive { pool.giveBack(connection) } else { connection.close() }
                return result
            } catch let failure as ExchangeFailure {
                connection.close()
                if reused, !failure.responseStarted, NIOErrorMapping.kind(of: failure.error) == .connectionReset {
                    candidate = nil  // the server closed it while idle: once more on a fresh connection
                    continue
                }
                throw NIOErrorMapping.error(server: server, failure.error)
            } catch {
                connection.close()
                throw NIOErrorMapping.error(server: server, error)
            }
        }
    }

    /// Seconds as a `TimeAmount`; nil for zero, negative or NaN (no limit), capped at a year.
    static func amount(_ seconds: TimeInterval) -> TimeAmount? {
        guard seconds.isFinite, seconds > 0 else { return nil }
        return .nanoseconds(Int64(min(seconds, 365 * 86400) * 1_000_000_000))
    }
}

/// A response body collected on the event loop and read once the exchange ended.
private final class BodyAccumulator: Sendable {
    private let buffer = Mutex(Data())
    func append(_ chunk: Data) { buffer.withLock { $0.append(chunk) } }
    var data: Data { buffer.withLock { $0 } }
}
