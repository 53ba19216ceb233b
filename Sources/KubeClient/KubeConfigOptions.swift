import Foundation

/// The command-line overrides kubectl accepts for choosing and adjusting a configuration.
///
/// Why its own type: the plugin parses kubectl's global flags itself (kubectl refuses flags before
/// a plugin name), and the webhook takes the same knobs; both hand them to `ClientConfig.load`.
public struct KubeConfigOptions: Sendable, Equatable {
    /// `--kubeconfig`: one file, used alone (no merging with `KUBECONFIG`); it must exist.
    public var kubeconfig: String?
    /// `--context`: the context to use instead of `current-context`.
    public var context: String?
    /// `--cluster`: the cluster entry to use instead of the context's.
    public var cluster: String?
    /// `--user`: the user entry to use instead of the context's.
    public var user: String?
    /// `--namespace` / `-n`: overrides the context's namespace.
    public var namespace: String?
    /// `--request-timeout` in seconds; nil or 0 means no overall limit (kubectl's default).
    public var requestTimeout: TimeInterval?
    /// `--as`: the user to impersonate (`Impersonate-User` header).
    public var impersonateUser: String?
    /// `--as-group`: groups to impersonate (`Impersonate-Group` headers).
    public var impersonateGroups: [String]
    /// `--server`: the API server URL instead of the cluster entry's (no kubeconfig needed).
    public var server: String?
    /// `--token`: a bearer token instead of the user entry's credentials.
    public var token: String?
    /// `--certificate-authority`: a CA file instead of the cluster entry's CA.
    public var certificateAuthority: String?
    /// `--insecure-skip-tls-verify`: no server certificate check; drops the kubeconfig's CA.
    public var insecureSkipTLSVerify: Bool

    public init(
        kubeconfig: String? = nil, context: String? = nil, cluster: String? = nil,
        user: String? = nil, namespace: String? = nil, requestTimeout: TimeInterval? = nil,
        impersonateUser: String? = nil, impersonateGroups: [String] = [],
        server: String? = nil, token: String? = nil, certificateAuthority: String? = nil,
        insecureSkipTLSVerify: Bool = false
    ) {
        self.kubeconfig = kubeconfig
        self.context = context
        self.cluster = cluster
        self.user = user
        self.namespace = namespace
        self.requestTimeout = requestTimeout
        self.impersonateUser = impersonateUser
        self.impersonateGroups = impersonateGroups
        self.server = server
        self.token = token
        self.certificateAuthority = certificateAuthority
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
    }

    /// Parses a `--request-timeout` value as kubectl does: a bare integer is seconds, otherwise a
    /// duration such as `500ms`, `30s`, `2m`, `1h`, `1m30s`; `0` means no timeout (returns nil).
    public static func parseRequestTimeout(_ text: String) throws -> TimeInterval? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(trimmed) {
            guard seconds >= 0 else {
                throw KubeConfigError("invalid --request-timeout \"\(text)\": must not be negative")
            }
            return seconds == 0 ? nil : TimeInterval(seconds)
        }
        var total: TimeInterval = 0
        var number = ""
        var rest = Substring(trimmed)
        guard !rest.isEmpty else { throw KubeConfigError("invalid --request-timeout \"\(text)\": empty") }
        while !rest.isEmpty {
            number = String(rest.prefix { $0.isNumber || $0 == "." })
            rest = rest.dropFirst(number.count)
            let unit = String(rest.prefix { $0.isLetter })
            rest = rest.dropFirst(unit.count)
            let scale: TimeInterval
            switch unit {
            case "ms": scale = 0.001
            case "s": scale = 1
            case "m": scale = 60
            case "h": scale = 3600
            default:
                throw KubeConfigError(
                    "invalid --request-timeout \"\(text)\": use a number of seconds or a duration like 30s, 2m, 1h")
            }
            guard let value = Double(number) else {
                throw KubeConfigError(
                    "invalid --request-timeout \"\(text)\": use a number of seconds or a duration like 30s, 2m, 1h")
            }
            total += value * scale
        }
        return total == 0 ? nil : total
    }
}
