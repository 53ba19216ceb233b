import Foundation

/// `users[].user.exec` in a kubeconfig: a program that prints an `ExecCredential`.
///
/// Why: EKS (`aws eks get-token`), GKE (`gke-gcloud-auth-plugin`) and AKS (`kubelogin`) all
/// authenticate this way; a client without it cannot talk to managed clusters.
public struct ExecConfig: Decodable, Sendable, Equatable {
    /// One `env` entry for the plugin.
    public struct EnvVar: Decodable, Sendable, Equatable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// `Never`, `IfAvailable` or `Always`: may the plugin talk to the user on stdin?
    public enum InteractiveMode: String, Decodable, Sendable, Equatable {
        case never = "Never"
        case ifAvailable = "IfAvailable"
        case always = "Always"
    }

    /// Program to run: absolute, relative to the kubeconfig's directory (if it has a `/`), or
    /// looked up in `PATH`.
    public var command: String
    public var args: [String]
    public var env: [EnvVar]
    /// `client.authentication.k8s.io/v1` or `client.authentication.k8s.io/v1beta1`.
    public var apiVersion: String
    /// Required for v1; defaults to `IfAvailable` for v1beta1.
    public var interactiveMode: InteractiveMode?
    /// Pass the cluster's server, CA and TLS settings in `KUBERNETES_EXEC_INFO`.
    public var provideClusterInfo: Bool
    /// Text shown when the command is missing (e.g. how to install it).
    public var installHint: String?

    public init(
        command: String, args: [String] = [], env: [EnvVar] = [],
        apiVersion: String = "client.authentication.k8s.io/v1",
        interactiveMode: InteractiveMode? = .never, provideClusterInfo: Bool = false,
        installHint: String? = nil
    ) {
        self.command = command
        self.args = args
        self.env = env
        self.apiVersion = apiVersion
        self.interactiveMode = interactiveMode
        self.provideClusterInfo = provideClusterInfo
        self.installHint = installHint
    }

    enum CodingKeys: String, CodingKey {
        case command, args, env, apiVersion, interactiveMode, provideClusterInfo, installHint
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        command = try c.decodeIfPresent(String.self, forKey: .command) ?? ""
        args = try c.decodeIfPresent([String].self, forKey: .args) ?? []
        env = try c.decodeIfPresent([EnvVar].self, forKey: .env) ?? []
        apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? ""
        interactiveMode = try c.decodeIfPresent(InteractiveMode.self, forKey: .interactiveMode)
        provideClusterInfo = try c.decodeIfPresent(Bool.self, forKey: .provideClusterInfo) ?? false
        installHint = try c.decodeIfPresent(String.self, forKey: .installHint)
    }

    /// The two API versions of `ExecCredential` this client speaks.
    public static let supportedAPIVersions = [
        "client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1",
    ]
}

/// The cluster description an exec plugin receives when `provideClusterInfo` is true.
public struct ExecClusterInfo: Sendable, Equatable, Encodable {
    public var server: String
    public var tlsServerName: String?
    public var insecureSkipTLSVerify: Bool?
    public var certificateAuthorityData: String?
    public var proxyURL: String?

    public init(
        server: String, tlsServerName: String? = nil, insecureSkipTLSVerify: Bool? = nil,
        certificateAuthorityData: String? = nil, proxyURL: String? = nil
    ) {
        self.server = server
        self.tlsServerName = tlsServerName
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.certificateAuthorityData = certificateAuthorityData
        self.proxyURL = proxyURL
    }

    enum CodingKeys: String, CodingKey {
        case server
        case tlsServerName = "tls-server-name"
        case insecureSkipTLSVerify = "insecure-skip-tls-verify"
        case certificateAuthorityData = "certificate-authority-data"
        case proxyURL = "proxy-url"
    }
}
