import Foundation
import Logging
import NIOCore
import NIOPosix

/// Where a PEM comes from. Files are re-read when they change (see `TLSSettings`);
/// in-memory PEM is fixed for the life of the server.
public enum PEMSource: Sendable, Equatable {
    case file(String)
    case pem(String)

    /// The PEM text, read from disk for `.file`. `role` names the file in the error
    /// ("the private key"), so a user knows which flag to fix.
    package func load(_ role: String = "the file") throws -> String {
        switch self {
        case .pem(let text):
            return text
        case .file(let path):
            do {
                return try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw HTTPSServerError.unreadableFile(role: role, path: path, reason: Self.reason(error))
            }
        }
    }

    /// Why a read failed, in the words of `ls` rather than Foundation's "The operation
    /// could not be completed".
    private static func reason(_ error: any Error) -> String {
        switch (error as? CocoaError)?.code {
        case .fileReadNoSuchFile?, .fileNoSuchFile?: return "no such file"
        case .fileReadNoPermission?: return "permission denied"
        case .fileReadInapplicableStringEncoding?: return "not UTF-8 text, so not PEM"
        default: return error.localizedDescription
        }
    }

    var path: String? {
        if case .file(let p) = self { return p }
        return nil
    }
}

/// Whether and how clients must present a certificate.
///
/// The webhook may require the apiserver's client certificate; the sandbox accepts either a
/// client certificate or a bearer token, hence `optional`.
public enum ClientCertificateMode: Sendable, Equatable {
    /// No client certificate is asked for.
    case none
    /// A certificate is asked for; if one is sent it must chain to `ca`, but clients without one are let in.
    case optional(ca: PEMSource)
    /// Every client must present a certificate chaining to `ca`, or the handshake fails.
    case required(ca: PEMSource)

    var ca: PEMSource? {
        switch self {
        case .none: return nil
        case .optional(let ca), .required(let ca): return ca
        }
    }
}

/// TLS for the listening port: TLS 1.2 or newer, one certificate chain and key.
public struct TLSSettings: Sendable, Equatable {
    public var certificateChain: PEMSource
    public var privateKey: PEMSource
    public var clientCertificates: ClientCertificateMode
    /// How often certificate, key and CA files are checked for changes (cert-manager rewrites
    /// them in place). Nil disables reloading. Ignored for in-memory PEM.
    public var reloadInterval: TimeAmount?

    public init(
        certificateChain: PEMSource, privateKey: PEMSource,
        clientCertificates: ClientCertificateMode = .none,
        reloadInterval: TimeAmount? = .seconds(2)
    ) {
        self.certificateChain = certificateChain
        self.privateKey = privateKey
        self.clientCertificates = clientCertificates
        self.reloadInterval = reloadInterval
    }
}

/// Limits that keep one bad or slow client from hurting the others.
public struct ServerLimits: Sendable, Equatable {
    /// Largest request body accepted; larger ones get `HTTPSHandler.bodyTooLarge` (413) and the
    /// connection is closed. 7 MiB matches controller-runtime's webhook server.
    public var maxBodyBytes: Int = 7 * 1024 * 1024
    /// Time allowed for the head of a request to arrive on a new connection (slowloris guard).
    public var headerTimeout: TimeAmount = .seconds(10)
    /// Time allowed between the head and the end of a request body.
    public var bodyTimeout: TimeAmount = .seconds(30)
    /// How long a keep-alive connection may sit between requests before it is closed. It
    /// also bounds the arrival of the next request's head, and how long a client may leave
    /// its answers unread while its next request waits.
    public var idleTimeout: TimeAmount = .seconds(60)
    /// Connections beyond this many are closed right after accept.
    public var maxConnections: Int = 1024
    /// A connection with more complete requests than this waiting for their answers
    /// (HTTP/1.1 pipelining) is closed: NIOHTTP1 holds them parsed in memory. API servers do
    /// not pipeline; a client that does so this deeply is flooding.
    public var maxPipelinedRequests: Int = 64

    public init(
        maxBodyBytes: Int = 7 * 1024 * 1024, headerTimeout: TimeAmount = .seconds(10),
        bodyTimeout: TimeAmount = .seconds(30), idleTimeout: TimeAmount = .seconds(60),
        maxConnections: Int = 1024, maxPipelinedRequests: Int = 64
    ) {
        self.maxBodyBytes = maxBodyBytes
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
        self.maxPipelinedRequests = maxPipelinedRequests
    }
}

/// Everything `HTTPSServer.start` needs.
public struct ServerConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port; read the bound one from `HTTPSServer.port`.
    public var port: Int
    /// Nil serves plain HTTP (for a metrics port that carries no secrets).
    public var tls: TLSSettings?
    public var limits: ServerLimits
    /// Event loop threads when the server owns its group; defaults to the core count.
    public var threads: Int
    /// Use an existing group instead (it is then not shut down by `shutdown`).
    public var eventLoopGroup: (any EventLoopGroup)?
    public var logger: Logger
    /// Called after every certificate reload attempt that saw changed files: nil error means
    /// the new certificate is now served. Useful for metrics.
    public var onCertificateReload: (@Sendable ((any Error)?) -> Void)?
    /// NIO's check of every response header for bytes that would end the header early (header
    /// injection). On by default; a server whose handlers only ever write constant headers
    /// (the webhook) can turn it off, since it is a measurable part of each request's CPU.
    public var validatesResponseHeaders = true

    public init(
        host: String = "127.0.0.1", port: Int = 0, tls: TLSSettings?, limits: ServerLimits = ServerLimits(),
        threads: Int = System.coreCount, eventLoopGroup: (any EventLoopGroup)? = nil,
        logger: Logger = Logger(label: "https-server"),
        onCertificateReload: (@Sendable ((any Error)?) -> Void)? = nil
    ) {
        self.host = host
        self.port = port
        self.tls = tls
        self.limits = limits
        self.threads = max(1, threads)
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.onCertificateReload = onCertificateReload
    }
}

/// Errors the server reports, each with a message that says what to fix.
public enum HTTPSServerError: Error, Sendable, CustomStringConvertible, Equatable {
    /// `role` names the file ("the certificate chain", "the private key", "the client CA").
    case unreadableFile(role: String, path: String, reason: String)
    case invalidTLSMaterial(String)
    case bindFailed(host: String, port: Int, reason: String)
    case notRunning

    public var description: String {
        switch self {
        case .unreadableFile(let role, let path, let reason):
            return "cannot read \(role) \(path): \(reason)"
        case .invalidTLSMaterial(let why):
            return "invalid TLS certificate/key/CA: \(why)"
        case .bindFailed(let host, let port, let reason):
            return "cannot listen on \(host):\(port): \(reason) (is the port in use, or the address not local?)"
        case .notRunning:
            return "the server is not running"
        }
    }
}
