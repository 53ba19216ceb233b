import Foundation

/// A fully resolved connection to one API server: where, how to trust it, who we are, which
/// namespace by default. Produced by `ClientConfig.load` (kubeconfig or in-cluster) or built
/// directly (tests, the sandbox).
///
/// Why resolved up front: every file, context, cluster and user problem is reported once, with
/// names, before any request is made; requests then only read this value.
public struct ClientConfig: Sendable {
    /// Base URL of the API server without a trailing slash (may include a path prefix).
    public var server: String
    /// The effective default namespace: `--namespace`, else the context's, else `default`.
    public var namespace: String
    /// The context in use; nil for in-cluster or hand-built configurations.
    public var contextName: String?
    /// The cluster entry in use (for messages).
    public var clusterName: String?
    /// The user entry in use (for messages).
    public var userName: String?
    /// Where this came from: the kubeconfig file list, or `in-cluster`.
    public var source: String
    /// Trust and client-certificate settings.
    public var tls: TLSOptions
    /// Proxy URL for this server (kubeconfig `proxy-url` or the environment); nil = direct.
    public var proxy: String?
    /// How requests authenticate beyond the TLS client certificate.
    public var auth: AuthMethod
    /// `--request-timeout` in seconds for non-watch requests; nil = none.
    public var requestTimeout: TimeInterval?
    /// Limit for connecting (TCP + TLS + proxy), in seconds.
    public var connectTimeout: TimeInterval
    /// `--as` / `--as-group`.
    public var impersonateUser: String?
    public var impersonateGroups: [String]
    /// `User-Agent` header.
    public var userAgent: String
    /// Backoff for retried safe requests.
    public var retry: RetryPolicy
    /// How client certificates and keys (from the kubeconfig or an exec plugin) are checked
    /// before use; see `ClientKeyPairCheck`.
    public var keyPairCheck: ClientKeyPairCheck

    public init(
        server: String, namespace: String = "default", contextName: String? = nil,
        clusterName: String? = nil, userName: String? = nil, source: String = "explicit configuration",
        tls: TLSOptions = TLSOptions(), proxy: String? = nil, auth: AuthMethod = .none,
        requestTimeout: TimeInterval? = nil, connectTimeout: TimeInterval = 30,
        impersonateUser: String? = nil, impersonateGroups: [String] = [],
        userAgent: String = "kube-singleton/0.1", retry: RetryPolicy = RetryPolicy(),
        keyPairCheck: ClientKeyPairCheck = .atHandshake
    ) {
        var trimmed = server
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.server = trimmed
        self.namespace = namespace
        self.contextName = contextName
        self.clusterName = clusterName
        self.userName = userName
        self.source = source
        self.tls = tls
        self.proxy = proxy
        self.auth = auth
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
        self.impersonateUser = impersonateUser
        self.impersonateGroups = impersonateGroups
        self.userAgent = userAgent
        self.retry = retry
        self.keyPairCheck = keyPairCheck
    }

    /// Loads the configuration the way kubectl does.
    ///
    /// - `options.kubeconfig` alone if given (it must exist); else every file of `KUBECONFIG`
    ///   (`:`-separated, missing files skipped) merged with kubectl's rules (first file to define
    ///   a name wins, `current-context` from the first file setting it); else `~/.kube/config`.
    /// - With no kubeconfig at all, the in-cluster service account (`KUBERNETES_SERVICE_HOST` /
    ///   `_PORT`, token and CA under `serviceAccountDirectory`).
    /// - Errors (`KubeConfigError`) name the file, context, cluster or user at fault.
    public static func load(
        _ options: KubeConfigOptions = KubeConfigOptions(),
        environment: [String: String] = ProcessInfo.processInfo.environment,
        serviceAccountDirectory: String = InClusterConfig.defaultDirectory,
        keyPairCheck: ClientKeyPairCheck = .atHandshake
    ) throws -> ClientConfig {
        try ClientConfigLoader(
            environment: environment, serviceAccountDirectory: serviceAccountDirectory,
            keyPairCheck: keyPairCheck
        )
        .load(options)
    }
}

/// How a request proves who it is (on top of any TLS client certificate in `TLSOptions`).
public enum AuthMethod: Sendable, Equatable {
    /// Anonymous (or client certificate only).
    case none
    /// `Authorization: Bearer <token>`.
    case bearerToken(String)
    /// A token read from a file, re-read when the file changes (projected service-account tokens
    /// rotate) and after a 401.
    case tokenFile(path: String)
    /// HTTP basic authentication (`username` / `password`).
    case basic(username: String, password: String)
    /// An exec credential plugin; its output is cached until it expires or the server says 401.
    /// `cluster` is what the plugin sees in `KUBERNETES_EXEC_INFO` when `provideClusterInfo` is set.
    case exec(ExecConfig, user: String, cluster: ExecClusterInfo?)
}
