import Foundation

/// TLS settings for one connection: what to trust and what to present.
///
/// Why PEM bytes rather than file names: kubeconfigs carry `*-data` fields and exec plugins print
/// credentials; libcurl takes them from memory (blob options), so keys never touch the disk.
public struct TLSOptions: Sendable, Equatable, Hashable {
    /// CA certificates (PEM) that must sign the server's certificate; nil uses the system store.
    public var certificateAuthorityPEM: Data?
    /// Client certificate chain (PEM) for mutual TLS.
    public var clientCertificatePEM: Data?
    /// Private key (PEM: PKCS#1 RSA, SEC1 EC or PKCS#8) matching `clientCertificatePEM`.
    public var clientKeyPEM: Data?
    /// Name to send as SNI and to verify the certificate against instead of the URL's host
    /// (`tls-server-name`).
    public var serverName: String?
    /// Skip verification of the server's certificate. Only when explicitly configured.
    public var insecureSkipVerify: Bool

    public init(
        certificateAuthorityPEM: Data? = nil, clientCertificatePEM: Data? = nil,
        clientKeyPEM: Data? = nil, serverName: String? = nil, insecureSkipVerify: Bool = false
    ) {
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.serverName = serverName
        self.insecureSkipVerify = insecureSkipVerify
    }
}

/// One HTTP(S) request for `HTTPTransport`.
public struct HTTPRequest: Sendable {
    /// `GET`, `POST`, `PUT`, `PATCH`, `DELETE`, ...
    public var method: String
    /// Absolute URL, `https://host:port/path?query`.
    public var url: String
    /// Header fields in order; a name may repeat (e.g. `Impersonate-Group`).
    public var headers: [(name: String, value: String)]
    public var body: Data?
    public var tls: TLSOptions
    /// Limit for the whole exchange, in seconds; nil means none (watches).
    public var timeout: TimeInterval?
    /// Limit for establishing the connection (TCP + TLS), in seconds.
    public var connectTimeout: TimeInterval
    /// Proxy URL (`http://`, `https://`, `socks5://`); nil connects directly. The environment's
    /// proxy variables are never consulted here: callers decide (see `ClientConfig.proxy`).
    public var proxy: String?

    public init(
        method: String, url: String, headers: [(name: String, value: String)] = [],
        body: Data? = nil, tls: TLSOptions = TLSOptions(), timeout: TimeInterval? = 30,
        connectTimeout: TimeInterval = 30, proxy: String? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.tls = tls
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.proxy = proxy
    }
}

/// The answer to an `HTTPRequest`: status, headers and the whole body.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header fields in the order received (names as sent by the server).
    public var headers: [(name: String, value: String)]
    public var body: Data

    public init(status: Int, headers: [(name: String, value: String)], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, matched case-insensitively.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }
}
