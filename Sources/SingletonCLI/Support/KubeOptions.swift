import ArgumentParser

/// The connection flags kubectl would have parsed. kubectl refuses flags before a plugin's
/// name, so the plugin parses them itself, with kubectl's names and meanings.
public struct KubeOptions: ParsableArguments, Sendable {
    @Option(
        name: [.short, .customLong("namespace")],
        help: "The namespace to use (default: the context's namespace, else \"default\").")
    public var namespace: String?

    @Option(
        name: .customLong("kubeconfig"),
        help: "Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config).")
    public var kubeconfig: String?

    @Option(name: .customLong("context"), help: "The kubeconfig context to use.")
    public var context: String?

    @Option(name: .customLong("cluster"), help: "The kubeconfig cluster to use.")
    public var cluster: String?

    @Option(name: .customLong("user"), help: "The kubeconfig user to use.")
    public var user: String?

    @Option(
        name: .customLong("request-timeout"),
        help: "How long to wait for each API request (e.g. 10s, 1m; 0 waits forever).")
    public var requestTimeout: String = "0"

    @Option(
        name: .customLong("as"), help: ArgumentHelp("Username to impersonate for the operation.", valueName: "user"))
    public var impersonateUser: String?

    @Option(name: .customLong("as-group"), help: ArgumentHelp("Group to impersonate (repeatable).", valueName: "group"))
    public var impersonateGroups: [String] = []

    @Option(name: .customLong("token"), help: "Bearer token for authentication to the API server.")
    public var token: String?

    @Option(
        name: [.customShort("s"), .customLong("server")], help: "The address and port of the Kubernetes API server.")
    public var server: String?

    @Option(
        name: .customLong("certificate-authority"),
        help: ArgumentHelp("Path to a cert file for the certificate authority.", valueName: "file"))
    public var certificateAuthority: String?

    @Flag(name: .customLong("insecure-skip-tls-verify"), help: "Do not check the server's certificate (insecure).")
    public var insecureSkipTLSVerify = false

    @Option(
        name: [.customShort("v"), .customLong("v")],
        help: ArgumentHelp("Log level: 6 and above print each API request on stderr.", valueName: "level"))
    public var verbosity: Int = 0

    public init() {}

    /// No flags given: what a bare `kubectl singleton` run uses.
    public static var defaults: KubeOptions {
        (try? KubeOptions.parse([])) ?? KubeOptions()
    }

    public func validate() throws {
        if requestTimeoutSeconds == nil {
            throw ValidationError(
                "invalid --request-timeout \"\(requestTimeout)\": use a number with an optional unit s, m or h (for example 30s)"
            )
        }
    }

    /// `--request-timeout` in seconds; 0 means no timeout. Nil when unparseable.
    public var requestTimeoutSeconds: Double? { Self.parseDuration(requestTimeout) }

    /// Parses kubectl's simple durations: `5`, `5s`, `2m`, `1h`, `1m30s`.
    static func parseDuration(_ text: String) -> Double? {
        if let plain = Double(text), plain >= 0 { return plain }
        var total = 0.0
        var number = ""
        for ch in text {
            if ch.isNumber || ch == "." {
                number.append(ch)
                continue
            }
            guard let value = Double(number) else { return nil }
            switch ch {
            case "h": total += value * 3600
            case "m": total += value * 60
            case "s": total += value
            default: return nil
            }
            number = ""
        }
        return number.isEmpty && !text.isEmpty ? total : nil
    }
}

/// Connection flags plus `-A` for the commands that list.
public struct ListScopeOptions: ParsableArguments, Sendable {
    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "List across all namespaces.")
    public var allNamespaces = false

    public init() {}
}
