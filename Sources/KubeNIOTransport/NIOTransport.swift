import AsyncHTTPClient
import Foundation
import KubeClient
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A `KubeTransport` over AsyncHTTPClient (SwiftNIO and NIOSSL, BoringSSL linked statically):
/// HTTP/1.1 with keep-alive connection reuse, TLS 1.2+, client certificates, CONNECT proxies,
/// streaming for watches.
///
/// Why: the webhook already runs SwiftNIO and NIOSSL for its HTTPS server. Talking to the API
/// server through them too keeps libcurl and its shared libraries (OpenSSL, GnuTLS, Kerberos,
/// LDAP: about 5.6 MiB resident) out of the webhook's process, whose memory target is 26 MiB.
/// The plugin keeps libcurl's `HTTPTransport` (proxies of every kind, HTTP/2).
///
/// Behaviour, matching `HTTPTransport` where `KubeClient` can tell:
/// - Any HTTP status is an answer (redirects included: `KubeClient` decides); no answer
///   throws `TransportError` of the fitting kind.
/// - `connectTimeout` bounds TCP connect, the proxy's tunnel and the TLS handshake; `timeout`
///   bounds the whole exchange, body included (nil: none, for watches). A failed connection
///   attempt is reported at once, not retried.
/// - `perform` reuses idle keep-alive connections, at most 8 at a time per server (more
///   requests wait for one, within their timeout). When a connection closes before any of the
///   response arrived (a reused one the server had just dropped), an idempotent request is
///   sent once more.
/// - `stream` uses a connection of its own (`Connection: close`), closed when the stream ends.
/// - `tls-server-name`: SNI and the certificate check use it, the connection goes to the
///   URL's host.
/// - Proxies: `http://` proxies (optionally `http://user:password@host:port`) get a CONNECT
///   tunnel, for https and http servers alike; `https://` and `socks5://` proxies throw `.proxy`.
/// - No retries beyond the closed-connection case: `KubeClient` retries safe requests.
public final class NIOTransport: KubeTransport {
    let group: any EventLoopGroup
    let tlsConfigurations = TLSConfigurationCache()
    private let clients = Mutex<[ClientKey: HTTPClient]>([:])

    /// - Parameter group: event loops for the connections; the process-wide singleton by
    ///   default, which the webhook's server can share (no extra threads).
    public init(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.group = group
    }

    deinit {
        for client in clients.withLock({ Array($0.values) }) {
            client.shutdown { _ in }
        }
    }

    /// Sends `request` and returns the complete response, whatever its HTTP status.
    ///
    /// Throws `TransportError` when no complete HTTP response arrived (refused, TLS, timeout,
    /// reset, cancellation of the calling task, a proxy that refused or is not `http://`).
    public func perform(_ request: HTTPRequest) async throws -> HTTPResponse {
        let exchange = try prepare(request, streaming: false)
        let answer = try await exchange.run { response in
            var body = Data()
            for try await chunk in response.body {
                body.append(contentsOf: chunk.readableBytesView)
            }
            return body
        }
        return HTTPResponse(status: answer.status, headers: answer.headers, body: answer.body)
    }

    /// Streams a response on a connection of its own: `onHead` once, then `onBody` per chunk
    /// as received (in order, never concurrently). Returns when the server ends the response;
    /// throws `TransportError` of kind `.cancelled` when the calling task is cancelled or `stop`
    /// is found set after a chunk, and closes the connection.
    public func stream(_ request: HTTPRequest,
                       onHead: @escaping @Sendable (Int, [(name: String, value: String)]) -> Void,
                       onBody: @escaping @Sendable (Data) -> Void,
                       stop: CancellationFlag) async throws -> (status: Int, headers: [(name: String, value: String)]) {
        let exchange = try prepare(request, streaming: true)
        let answer = try await exchange.run { response in
            onHead(Int(response.status.code), response.headers.map { (name: $0.name, value: $0.value) })
            for try await chunk in response.body {
                onBody(Data(chunk.readableBytesView))
                if stop.isSet {
                    throw TransportError(server: exchange.server, kind: .cancelled, detail: "the caller stopped reading the response")
                }
            }
        }
        return (answer.status, answer.headers)
    }

    /// Builds (and keeps) the TLS configuration requests to `url` with `tls` will use, so a CA
    /// bundle or client certificate that cannot be used is reported before the first request:
    /// a server can refuse to start rather than retry a request that can never succeed. Plain
    /// `http://` URLs need none. Throws `TransportError` (`.clientCertificateInvalid` for a key
    /// that is not the certificate's).
    public func prepareTLS(for url: String, _ tls: TLSOptions) throws {
        guard try RequestTarget.parse(url).isTLS else { return }
        _ = try tlsConfigurations.configuration(for: tls, server: TransportError.server(of: url))
    }

    /// Works out everything about `request` that needs no I/O, and the client to send it with.
    private func prepare(_ request: HTTPRequest, streaming: Bool) throws -> Exchange {
        let server = TransportError.server(of: request.url)
        let target = try RequestTarget.parse(request.url)
        let proxy = try request.proxy.flatMap { $0.isEmpty ? nil : try ProxyTarget.parse($0, server: server) }
        var serverName = request.tls.serverName.flatMap { $0.isEmpty || $0 == target.host ? nil : $0 }
        if !target.isTLS || serverName.map(RequestTarget.isIPAddress) == true { serverName = nil }
        let key = ClientKey(proxy: proxy, connectTimeout: Self.amount(request.connectTimeout) ?? .seconds(300),
                            nameOverride: serverName.map { [$0: target.host] } ?? [:], streaming: streaming)

        var head = RequestTarget.head(method: request.method, target: target, headers: request.headers,
                                      bodyLength: request.body?.count)
        if streaming, !head.headers.contains(name: "Connection") {
            head.headers.add(name: "Connection", value: "close")
        }
        var outgoing = HTTPClientRequest(url: target.url(naming: serverName))
        outgoing.method = head.method
        outgoing.headers = head.headers
        if let body = request.body {
            outgoing.body = .bytes(ByteBuffer(bytes: body))
        } else if head.headers.contains(name: "Content-Length") {
            outgoing.body = .bytes(ByteBuffer())
        }
        if target.isTLS {
            outgoing.tlsConfiguration = try tlsConfigurations.configuration(for: request.tls, server: server)
        }
        let idempotent = ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"].contains(head.method.rawValue)
        return Exchange(client: client(for: key), request: outgoing, server: server, proxy: proxy,
                        timeout: request.timeout.flatMap { Self.amount($0) }, resendIfClosed: idempotent && !streaming)
    }

    /// The client for `key`, made on first use.
    private func client(for key: ClientKey) -> HTTPClient {
        clients.withLock { clients in
            if let client = clients[key] { return client }
            var configuration = HTTPClient.Configuration()
            configuration.redirectConfiguration = .disallow
            configuration.httpVersion = .http1Only
            configuration.timeout = HTTPClient.Configuration.Timeout(connect: key.connectTimeout, read: nil)
            configuration.connectionPool.retryConnectionEstablishment = false
            // Each watch holds its connection for minutes: never queue one behind the others.
            // Short requests share at most AsyncHTTPClient's default 8 per server.
            if key.streaming { configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 1024 }
            configuration.proxy = key.proxy?.configuration
            configuration.dnsOverride = key.nameOverride
            let client = HTTPClient(eventLoopGroup: group, configuration: configuration)
            clients[key] = client
            return client
        }
    }

    /// Seconds as a `TimeAmount`; nil for zero, negative or NaN (no limit), capped at a year.
    static func amount(_ seconds: TimeInterval) -> TimeAmount? {
        guard seconds.isFinite, seconds > 0 else { return nil }
        return .nanoseconds(Int64(min(seconds, 365 * 86400) * 1_000_000_000))
    }
}

/// One request, ready to send: runs it under its timeout and turns every failure into a
/// `TransportError`.
private struct Exchange: Sendable {
    let client: HTTPClient
    let request: HTTPClientRequest
    let server: String
    let proxy: ProxyTarget?
    let timeout: TimeAmount?
    let resendIfClosed: Bool

    /// Sends the request, hands the response to `read` (which consumes its body) and returns
    /// the head with what `read` returned.
    func run<Body: Sendable>(_ read: @escaping @Sendable (HTTPClientResponse) async throws -> Body) async throws
        -> (status: Int, headers: [(name: String, value: String)], body: Body) {
        if Task.isCancelled {
            throw TransportError(server: server, kind: .cancelled, detail: "the calling task was cancelled")
        }
        let deadline = timeout.map { NIODeadline.now() + $0 }
        do {
            return try await Self.within(timeout) {
                let response = try await send(deadline: deadline ?? .distantFuture)
                let body = try await read(response)
                // A cancelled body sequence just ends: the response was not complete.
                try Task.checkCancellation()
                return (Int(response.status.code), response.headers.map { (name: $0.name, value: $0.value) }, body)
            }
        } catch {
            throw transportError(error)
        }
    }

    /// Executes the request; sends it once more when the connection closed before any of the
    /// response arrived and the request may be repeated.
    private func send(deadline: NIODeadline) async throws -> HTTPClientResponse {
        do {
            return try await client.execute(request, deadline: deadline)
        } catch {
            guard resendIfClosed, !Task.isCancelled, NIOErrorMapping.kind(of: error) == .connectionReset else { throw error }
            return try await client.execute(request, deadline: deadline)
        }
    }

    /// Runs `body`, failing with `.timeout` when `timeout` passes first (AsyncHTTPClient's
    /// deadline covers the response head only; this bounds the body too).
    private static func within<T: Sendable>(_ timeout: TimeAmount?, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        guard let timeout else { return try await body() }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(timeout.nanoseconds))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let result = first else {
                throw TransportError(server: "", kind: .timeout, detail: "no complete response before the request timeout (SwiftNIO)")
            }
            return result
        }
    }

    /// The `TransportError` for `error`, naming the proxy when it is the proxy's doing.
    private func transportError(_ error: any Error) -> TransportError {
        if let proxy {
            let kind = NIOErrorMapping.kind(of: error)
            if let client = error as? HTTPClientError, client == .proxyAuthenticationRequired {
                return TransportError(server: server, kind: .proxy, detail: """
                    the proxy \(proxy.name) answered 407 Proxy Authentication Required \
                    (put credentials in the proxy URL: http://user:password@host:port)
                    """)
            }
            if let client = error as? HTTPClientError, client == .invalidProxyResponse {
                return TransportError(server: server, kind: .proxy,
                                      detail: "the proxy \(proxy.name) refused the tunnel (its answer to CONNECT was not 2xx)")
            }
            if kind == .connectionRefused || kind == .hostNotFound {
                return TransportError(server: server, kind: .proxy,
                                      detail: "cannot connect to the proxy \(proxy.name): \(error) (SwiftNIO)")
            }
        }
        return NIOErrorMapping.error(server: server, error)
    }
}
