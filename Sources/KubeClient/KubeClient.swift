import Foundation
import KubeAPIMachinery
import Logging

/// A Kubernetes API client: callers name API paths (`/apis/apps/v1/namespaces/ns/deployments/web`,
/// e.g. from `WorkloadKind.objectPath`) and get raw JSON back.
///
/// Why raw JSON: the plugin and the webhook decode only the fields they need and must round-trip
/// objects without dropping fields this code does not know.
///
/// Every request carries the configured credentials and impersonation headers. Safe requests
/// (GET, list) are retried on 429/503 and connection resets with exponential backoff and jitter,
/// honouring `Retry-After`; any request answered 401 is repeated once with refreshed credentials
/// when they can be refreshed (exec plugin, token file). Errors are `KubeAPIError` (the server
/// answered with a failure status), `TransportError` (no answer), `KubeConfigError` or
/// `ExecPluginError` (credentials could not be produced).
public final class KubeClient: Sendable {
    /// The configuration this client was built with.
    public let config: ClientConfig
    let transport: any KubeTransport
    let credentials: CredentialProvider
    let logger: Logger

    /// - Parameters:
    ///   - config: where and who (see `ClientConfig.load`).
    ///   - transport: the network stack: `HTTPTransport` (libcurl, `KubeCurl`) in the plugin and
    ///     the sandbox, `NIOTransport` (SwiftNIO, `KubeNIOTransport`) in the webhook.
    ///   - environment: environment for exec credential plugins.
    ///   - logger: retries and credential refreshes are logged at `debug`.
    public init(
        config: ClientConfig, transport: any KubeTransport,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "kube-client")
    ) {
        self.config = config
        self.logger = logger
        self.transport = transport
        self.credentials = CredentialProvider(
            auth: config.auth, environment: environment, keyPairCheck: config.keyPairCheck)
    }

    /// How many times the exec credential plugin has run for this client (diagnostics).
    public var execPluginRuns: Int {
        get async { await credentials.execRuns }
    }

    /// Sends one request and returns the response when its status is 2xx; otherwise throws the
    /// decoded `KubeAPIError`. The escape hatch for anything the verb methods do not cover
    /// (`/version`, discovery, tables).
    ///
    /// - Parameters:
    ///   - method: HTTP method.
    ///   - path: API path without query, starting with `/`.
    ///   - query: query items, encoded here.
    ///   - body: request body.
    ///   - contentType: `Content-Type` for the body.
    ///   - accept: `Accept` header.
    public func send(
        _ method: String, path: String, query: [URLQueryItem] = [], body: Data? = nil,
        contentType: String? = nil, accept: String = "application/json"
    ) async throws -> HTTPResponse {
        let url = try makeURL(path: path, query: query)
        let safe = method == "GET" || method == "HEAD"
        var attempt = 1
        var refreshedAfter401 = false
        while true {
            let request = try await makeRequest(
                method: method, url: url, body: body,
                contentType: contentType, accept: accept, timeout: config.requestTimeout)
            let response: HTTPResponse
            do {
                response = try await transport.perform(request)
            } catch let error as TransportError {
                if safe, error.isRetryable, attempt < config.retry.maxAttempts {
                    let delay = config.retry.delay(
                        afterAttempt: attempt, retryAfter: nil, unit: Double.random(in: 0...1))
                    logger.debug("retrying \(method) \(path) in \(delay)s after: \(error.kind.rawValue)")
                    try await pause(delay)
                    attempt += 1
                    continue
                }
                throw error
            }
            if (200..<300).contains(response.status) { return response }
            if response.status == 401, !refreshedAfter401, credentials.canRefresh {
                refreshedAfter401 = true
                logger.debug("\(method) \(path) answered 401: refreshing credentials and trying once more")
                await credentials.invalidate()
                continue
            }
            let retryAfter = RetryPolicy.parseRetryAfter(response.header("Retry-After"))
            if safe, RetryPolicy.isRetryable(status: response.status, hasRetryAfter: retryAfter != nil),
                attempt < config.retry.maxAttempts
            {
                let delay = config.retry.delay(
                    afterAttempt: attempt, retryAfter: retryAfter, unit: Double.random(in: 0...1))
                logger.debug("retrying \(method) \(path) in \(delay)s after HTTP \(response.status)")
                try await pause(delay)
                attempt += 1
                continue
            }
            throw KubeAPIError.decode(status: response.status, body: response.body)
        }
    }

    /// Builds the request with credentials, impersonation and standard headers.
    func makeRequest(
        method: String, url: String, body: Data?, contentType: String?, accept: String,
        timeout: TimeInterval?
    ) async throws -> HTTPRequest {
        let credential = try await credentials.current()
        var headers: [(name: String, value: String)] = [("Accept", accept), ("User-Agent", config.userAgent)]
        if let contentType { headers.append(("Content-Type", contentType)) }
        if let authorization = credential.authorization { headers.append(("Authorization", authorization)) }
        if let user = config.impersonateUser { headers.append(("Impersonate-User", user)) }
        for group in config.impersonateGroups { headers.append(("Impersonate-Group", group)) }
        var tls = config.tls
        if let certificate = credential.clientCertificatePEM, let key = credential.clientKeyPEM {
            tls.clientCertificatePEM = certificate
            tls.clientKeyPEM = key
        }
        return HTTPRequest(
            method: method, url: url, headers: headers, body: body, tls: tls,
            timeout: timeout, connectTimeout: config.connectTimeout, proxy: config.proxy)
    }

    /// `server` + `path` + encoded query. Paths must start with `/`.
    func makeURL(path: String, query: [URLQueryItem]) throws -> String {
        guard path.hasPrefix("/") else {
            throw KubeConfigError("API path \"\(path)\" must start with /")
        }
        var url = config.server + path
        if !query.isEmpty {
            url +=
                "?"
                + query.map { "\(Self.percentEncode($0.name))=\(Self.percentEncode($0.value ?? ""))" }
                .joined(separator: "&")
        }
        return url
    }

    /// Encodes everything but RFC 3986 unreserved characters, so selectors (`=`, `!`, `,`, `(`,
    /// spaces) and continue tokens (`+`, `/`, `=`) arrive intact.
    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(Character(UnicodeScalar(byte)))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    private func pause(_ seconds: TimeInterval) async throws {
        guard seconds.isFinite, seconds > 0 else { return }
        try await Task.sleep(nanoseconds: UInt64(min(seconds, 3600) * 1_000_000_000))
    }
}
