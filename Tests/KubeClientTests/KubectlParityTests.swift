import Foundation
import Testing
import TestSupport
@testable import KubeClient
@testable import KubeCurl

private let kubectlPath = "/usr/bin/kubectl"

/// Differential tests: the real kubectl (`kubectl config view --minify --raw`, which works
/// offline) and `ClientConfig.load` must pick the same context, server, namespace, token and
/// files from the same kubeconfig set.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: kubectlPath), "needs kubectl at /usr/bin/kubectl"))
struct KubectlParityTests {
    static let kubectl = kubectlPath
    let dir: TempDir
    let files: [String]

    init() throws {
        dir = try TempDir()
        let pki = try TestPKI.get()
        try dir.write("one/ca.crt", pki.ca.certificatePEM)
        files = [
            try dir.write(
                "one/config",
                """
                current-context: dev
                clusters:
                - {name: shared, cluster: {server: "https://one.example:6443", certificate-authority: ca.crt}}
                - {name: only-one, cluster: {server: "https://only-one.example"}}
                contexts:
                - {name: dev, context: {cluster: shared, user: alice, namespace: team-a}}
                - {name: both, context: {cluster: only-one, user: alice}}
                users:
                - {name: alice, user: {token: alice-one}}
                """),
            try dir.write(
                "two/config",
                """
                current-context: prod
                clusters:
                - {name: shared, cluster: {server: "https://two.example:6443"}}
                - {name: prod, cluster: {server: "https://prod.example:443", insecure-skip-tls-verify: true}}
                contexts:
                - {name: prod, context: {cluster: prod, user: bob, namespace: payments}}
                - {name: both, context: {cluster: prod, user: bob}}
                - {name: mixed, context: {cluster: shared, user: bob}}
                users:
                - {name: alice, user: {token: alice-two}}
                - {name: bob, user: {token: bob-two}}
                """),
            try dir.write("three/config", "current-context: \"\"\n"),
        ]
    }

    struct Picked: Equatable, CustomStringConvertible {
        var context: String
        var server: String
        var namespace: String
        var token: String
        var certificateAuthority: String?
        var description: String { "\(context) \(server) \(namespace) \(token) \(certificateAuthority ?? "-")" }
    }

    func kubectlView(_ kubeconfig: String, _ arguments: [String]) async throws -> Picked {
        let run = try await runProcess(
            Self.kubectl, ["config", "view", "--minify", "--raw", "-o", "json"] + arguments,
            environment: ["KUBECONFIG": kubeconfig, "HOME": dir.path, "PATH": "/usr/bin:/bin"])
        #expect(run.status == 0, "kubectl config view: \(run.stderr)")
        let data = Data(run.stdout.utf8)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        func first(_ key: String, _ inner: String) -> [String: Any] {
            ((json[key] as? [[String: Any]])?.first?[inner] as? [String: Any]) ?? [:]
        }
        return Picked(
            context: json["current-context"] as? String ?? "",
            server: first("clusters", "cluster")["server"] as? String ?? "",
            namespace: first("contexts", "context")["namespace"] as? String ?? "default",
            token: first("users", "user")["token"] as? String ?? "",
            // kubectl prints the path as written; only file "one" has one, relative to its directory.
            certificateAuthority: (first("clusters", "cluster")["certificate-authority"] as? String)
                .map { $0.hasPrefix("/") ? $0 : dir.path + "/one/" + $0 })
    }

    func ours(_ kubeconfig: String, _ options: KubeConfigOptions) throws -> Picked {
        let config = try ClientConfig.load(options, environment: ["KUBECONFIG": kubeconfig, "HOME": dir.path])
        var token = ""
        if case .bearerToken(let value) = config.auth { token = value }
        let caFile = config.tls.certificateAuthorityPEM == nil ? nil : dir.path + "/one/ca.crt"
        return Picked(
            context: config.contextName ?? "", server: config.server, namespace: config.namespace,
            token: token, certificateAuthority: caFile)
    }

    @Test(arguments: [
        ([0, 1], KubeConfigOptions()),
        ([1, 0], KubeConfigOptions()),
        ([2, 1, 0], KubeConfigOptions()),
        ([0, 1], KubeConfigOptions(context: "prod")),
        ([0, 1], KubeConfigOptions(context: "both")),
        ([1, 0], KubeConfigOptions(context: "both")),
        ([1, 0], KubeConfigOptions(context: "mixed")),
    ])
    func sameChoiceAsKubectl(order: [Int], options: KubeConfigOptions) async throws {
        let kubeconfig = order.map { files[$0] }.joined(separator: ":")
        // Only --context: `config view --minify` ignores --cluster/--user/--namespace.
        let arguments = options.context.map { ["--context", $0] } ?? []
        let theirs = try await kubectlView(kubeconfig, arguments)
        let mine = try ours(kubeconfig, options)
        #expect(mine == theirs, "ours: \(mine); kubectl: \(theirs)")
    }
}
