import Foundation
import Yams

/// One kubeconfig file as written on disk, with relative paths already made absolute.
///
/// Why keep entries per file: kubectl merges several files key by key, and every error must name
/// the file an entry came from.
struct KubeConfigFile: Sendable, Equatable {
    var path: String
    var currentContext: String?
    var clusters: [(name: String, value: ClusterEntry)]
    var contexts: [(name: String, value: ContextEntry)]
    var users: [(name: String, value: UserEntry)]

    static func == (a: KubeConfigFile, b: KubeConfigFile) -> Bool {
        a.path == b.path && a.currentContext == b.currentContext
            && a.clusters.map(\.name) == b.clusters.map(\.name)
            && a.contexts.map(\.name) == b.contexts.map(\.name)
            && a.users.map(\.name) == b.users.map(\.name)
    }

    var isEmpty: Bool { clusters.isEmpty && contexts.isEmpty && users.isEmpty && (currentContext ?? "").isEmpty }

    /// Parses YAML (or JSON) text; `path` is used for messages and to resolve relative paths.
    static func parse(_ text: String, path: String) throws -> KubeConfigFile {
        let raw: RawFile
        do {
            raw = try YAMLDecoder().decode(RawFile.self, from: text.isEmpty ? "{}" : text)
        } catch {
            throw KubeConfigError("cannot parse kubeconfig \(path): \(Self.describe(error))")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        func resolve(_ file: String?) -> String? {
            guard let file, !file.isEmpty else { return nil }
            if file.hasPrefix("/") { return file }
            return URL(fileURLWithPath: file, relativeTo: URL(fileURLWithPath: directory, isDirectory: true))
                .standardizedFileURL.path
        }
        var clusters: [(String, ClusterEntry)] = []
        for item in raw.clusters ?? [] {
            guard let name = item.name, var cluster = item.cluster else { continue }
            cluster.certificateAuthority = resolve(cluster.certificateAuthority)
            cluster.sourceFile = path
            clusters.append((name, cluster))
        }
        var contexts: [(String, ContextEntry)] = []
        for item in raw.contexts ?? [] {
            guard let name = item.name, var context = item.context else { continue }
            context.sourceFile = path
            contexts.append((name, context))
        }
        var users: [(String, UserEntry)] = []
        for item in raw.users ?? [] {
            guard let name = item.name else { continue }
            var user = item.user ?? UserEntry()
            user.clientCertificate = resolve(user.clientCertificate)
            user.clientKey = resolve(user.clientKey)
            user.tokenFile = resolve(user.tokenFile)
            if var exec = user.exec, exec.command.contains("/"), !exec.command.hasPrefix("/") {
                exec.command = resolve(exec.command) ?? exec.command
                user.exec = exec
            }
            user.sourceFile = path
            users.append((name, user))
        }
        return KubeConfigFile(
            path: path, currentContext: raw.currentContext,
            clusters: clusters, contexts: contexts, users: users)
    }

    private static func describe(_ error: any Error) -> String {
        if let decoding = error as? DecodingError {
            switch decoding {
            case .typeMismatch(_, let context), .valueNotFound(_, let context),
                .keyNotFound(_, let context), .dataCorrupted(let context):
                let path = context.codingPath.map(\.stringValue).joined(separator: ".")
                return path.isEmpty ? context.debugDescription : "at \(path): \(context.debugDescription)"
            @unknown default:
                return "\(error)"
            }
        }
        return "\(error)"
    }

    private struct RawFile: Decodable {
        struct NamedCluster: Decodable { var name: String?; var cluster: ClusterEntry? }
        struct NamedContext: Decodable { var name: String?; var context: ContextEntry? }
        struct NamedUser: Decodable { var name: String?; var user: UserEntry? }
        var currentContext: String?
        var clusters: [NamedCluster]?
        var contexts: [NamedContext]?
        var users: [NamedUser]?
        enum CodingKeys: String, CodingKey {
            case currentContext = "current-context", clusters, contexts, users
        }
    }
}

/// `clusters[].cluster` in a kubeconfig.
struct ClusterEntry: Decodable, Sendable, Equatable {
    var server: String?
    var certificateAuthority: String?
    var certificateAuthorityData: String?
    var insecureSkipTLSVerify: Bool?
    var tlsServerName: String?
    var proxyURL: String?
    var sourceFile: String = ""

    enum CodingKeys: String, CodingKey {
        case server
        case certificateAuthority = "certificate-authority"
        case certificateAuthorityData = "certificate-authority-data"
        case insecureSkipTLSVerify = "insecure-skip-tls-verify"
        case tlsServerName = "tls-server-name"
        case proxyURL = "proxy-url"
    }
}

/// `contexts[].context` in a kubeconfig.
struct ContextEntry: Decodable, Sendable, Equatable {
    var cluster: String?
    var user: String?
    var namespace: String?
    var sourceFile: String = ""
    enum CodingKeys: String, CodingKey { case cluster, user, namespace }
}

/// `users[].user` in a kubeconfig.
struct UserEntry: Decodable, Sendable, Equatable {
    var clientCertificate: String?
    var clientCertificateData: String?
    var clientKey: String?
    var clientKeyData: String?
    var token: String?
    var tokenFile: String?
    var username: String?
    var password: String?
    var exec: ExecConfig?
    var authProvider: AuthProviderStub?
    var sourceFile: String = ""

    /// Only its presence matters: the legacy `auth-provider` plugins are gone from kubectl.
    struct AuthProviderStub: Decodable, Sendable, Equatable { var name: String? }

    enum CodingKeys: String, CodingKey {
        case clientCertificate = "client-certificate"
        case clientCertificateData = "client-certificate-data"
        case clientKey = "client-key"
        case clientKeyData = "client-key-data"
        case token, tokenFile, username, password, exec
        case authProvider = "auth-provider"
    }
}
