import Foundation

/// A request that never got an HTTP answer: connection, TLS, proxy, timeout or DNS trouble.
///
/// Why: libcurl's codes ("error 60") mean nothing to a user. This names the server and says in
/// plain words what went wrong and what usually fixes it, keeping curl's own detail at the end.
public struct TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The broad class of failure, for callers that react differently (retry, advise, give up).
    public enum Kind: String, Sendable, Equatable {
        /// The server's certificate did not verify against the configured CA (or its name did not match).
        case serverCertificateUntrusted
        /// Our client certificate or key was unusable (bad PEM, key does not match the certificate).
        case clientCertificateInvalid
        /// The server demanded a client certificate and rejected the handshake without (a valid) one.
        case clientCertificateRejected
        /// Another TLS handshake failure.
        case tlsHandshake
        /// Nothing listens at the address, or the host is unreachable.
        case connectionRefused
        /// The connection was reset or closed mid-request.
        case connectionReset
        /// The host name did not resolve.
        case hostNotFound
        /// The proxy refused or failed the tunnel.
        case proxy
        /// The request ran out of time (`--request-timeout`).
        case timeout
        /// The request was cancelled by the caller.
        case cancelled
        /// Anything else.
        case other
    }

    /// The server URL (scheme, host, port) the request was for.
    public var server: String
    public var kind: Kind
    /// libcurl's own error text, kept for the curious.
    public var detail: String

    public init(server: String, kind: Kind, detail: String) {
        self.server = server
        self.kind = kind
        self.detail = detail
    }

    /// `scheme://host[:port]` of a request URL, as `server` names it in messages (the port
    /// only when the URL has one, IPv6 hosts in brackets); the URL itself when it does not
    /// parse. Every transport spells the server this way.
    public static func server(of url: String) -> String {
        guard let components = URLComponents(string: url), let host = components.host else { return url }
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(components.scheme ?? "https")://\(hostPart)\(components.port.map { ":\($0)" } ?? "")"
    }

    /// True when repeating a safe request may succeed (resets, refused connections).
    public var isRetryable: Bool { kind == .connectionReset || kind == .connectionRefused }

    public var description: String {
        let why: String
        switch kind {
        case .serverCertificateUntrusted:
            why =
                "the server's TLS certificate is not trusted: it is not signed by the configured certificate authority or does not name this host (check certificate-authority / tls-server-name)"
        case .clientCertificateInvalid:
            why = "the client certificate or key could not be used (is client-key the key of client-certificate?)"
        case .clientCertificateRejected:
            why =
                "the server requires a client certificate and rejected ours, or none was sent (check the user's client-certificate / client-key and the server's client CA)"
        case .tlsHandshake:
            why = "the TLS handshake failed"
        case .connectionRefused:
            why =
                "the connection was refused or the host is unreachable (is the API server running and the address right?)"
        case .connectionReset:
            why = "the connection was reset or closed before a complete response arrived"
        case .hostNotFound:
            why = "the host name could not be resolved"
        case .proxy:
            why = "the proxy refused or failed to connect to the server"
        case .timeout:
            why = "the request timed out"
        case .cancelled:
            why = "the request was cancelled"
        case .other:
            why = "the request failed"
        }
        return "Unable to connect to the server \(server): \(why): \(detail)"
    }
}
