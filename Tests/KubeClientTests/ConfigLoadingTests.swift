import Foundation
import Testing
@testable import KubeClient
@testable import KubeCurl

/// Kubeconfig resolution as kubectl does it, against real files in a scratch directory.
@Suite struct ConfigLoadingTests {
    let pki: TestPKI
    let dir: TempDir

    init() throws {
        pki = try TestPKI.get()
        dir = try TempDir()
    }

    func env(_ kubeconfig: String? = nil, extra: [String: String] = [:]) -> [String: String] {
        var environment = ["HOME": dir.path, "PATH": "/usr/bin:/bin"]
        if let kubeconfig { environment["KUBECONFIG"] = kubeconfig }
        return environment.merging(extra) { $1 }
    }

    /// kubectl's --server, --token, --certificate-authority and --insecure-skip-tls-verify.
    @Test func commandLineOverridesTheClusterAndTheCredentials() throws {
        let caFile = try dir.write("ca.pem", pki.ca.certificatePEM)
        let file = try dir.write(
            "o/config",
            """
            current-context: dev
            clusters:
            - name: c
              cluster: {server: "https://kube.example:6443", certificate-authority: \(caFile)}
            contexts:
            - name: dev
              context: {cluster: c, user: u}
            users:
            - name: u
              user: {token: from-file}
            """)
        let token = try ClientConfig.load(
            KubeConfigOptions(server: "https://other.example:6443", token: "from-flag"), environment: env(file))
        #expect(token.server == "https://other.example:6443" && token.auth == .bearerToken("from-flag"))
        #expect(token.tls.certificateAuthorityPEM == Data(pki.ca.certificatePEM.utf8))
        // --insecure-skip-tls-verify drops the kubeconfig's CA instead of failing on the pair.
        let insecure = try ClientConfig.load(KubeConfigOptions(insecureSkipTLSVerify: true), environment: env(file))
        #expect(insecure.tls.insecureSkipVerify && insecure.tls.certificateAuthorityPEM == nil)
        // --server alone needs no kubeconfig at all.
        let bare = try ClientConfig.load(
            KubeConfigOptions(server: "https://127.0.0.1:6443", token: "t", certificateAuthority: caFile),
            environment: env("\(dir.path)/missing"))
        #expect(
            bare.server == "https://127.0.0.1:6443" && bare.auth == .bearerToken("t") && bare.namespace == "default")
        #expect(bare.tls.certificateAuthorityPEM == Data(pki.ca.certificatePEM.utf8))
        #expect(throws: (any Error).self) {
            try ClientConfig.load(KubeConfigOptions(token: "t"), environment: env("\(dir.path)/missing"))
        }
    }

    @Test func mergesTwoFilesWithFirstFileWinning() throws {
        let first = try dir.write(
            "a/config",
            """
            current-context: dev
            clusters:
            - name: shared
              cluster: {server: "https://first.example:6443", insecure-skip-tls-verify: true}
            contexts:
            - name: dev
              context: {cluster: shared, user: dev-user, namespace: team-a}
            users:
            - name: dev-user
              user: {token: first-token}
            """)
        let second = try dir.write(
            "b/config",
            """
            current-context: prod
            clusters:
            - name: shared
              cluster: {server: "https://second.example:6443"}
            - name: prod-cluster
              cluster: {server: "https://prod.example:6443", insecure-skip-tls-verify: true}
            contexts:
            - name: dev
              context: {cluster: prod-cluster, user: dev-user}
            - name: prod
              context: {cluster: prod-cluster, user: prod-user}
            users:
            - name: dev-user
              user: {token: second-token}
            - name: prod-user
              user: {token: prod-token}
            """)
        let config = try ClientConfig.load(environment: env("\(first):\(dir.path)/missing:\(second)"))
        #expect(config.contextName == "dev")
        #expect(config.server == "https://first.example:6443")
        #expect(config.namespace == "team-a")
        #expect(config.auth == .bearerToken("first-token"))
        #expect(config.source == "\(first), \(second)")

        // A context only the second file defines is reachable, with the second file's entries.
        let prod = try ClientConfig.load(
            KubeConfigOptions(context: "prod", namespace: "override"),
            environment: env("\(first):\(second)"))
        #expect(prod.server == "https://prod.example:6443")
        #expect(prod.auth == .bearerToken("prod-token"))
        #expect(prod.namespace == "override")

        // Reversed order: the second file's current-context and entries win.
        let reversed = try ClientConfig.load(environment: env("\(second):\(first)"))
        #expect(reversed.contextName == "prod")
        let dev = try ClientConfig.load(KubeConfigOptions(context: "dev"), environment: env("\(second):\(first)"))
        #expect(dev.server == "https://prod.example:6443")
        #expect(dev.auth == .bearerToken("second-token"))
        #expect(dev.namespace == "default")
    }

    @Test func explicitKubeconfigIsUsedAloneAndMustExist() throws {
        let file = try dir.write(
            "only",
            """
            current-context: c
            clusters: [{name: k, cluster: {server: "https://only.example"}}]
            contexts: [{name: c, context: {cluster: k}}]
            """)
        let other = try dir.write("other", "current-context: x\n")
        let config = try ClientConfig.load(KubeConfigOptions(kubeconfig: file), environment: env(other))
        #expect(config.server == "https://only.example")
        #expect(config.auth == .none)
        let error = #expect(throws: KubeConfigError.self) {
            try ClientConfig.load(KubeConfigOptions(kubeconfig: dir.path + "/nope"), environment: env())
        }
        #expect(error?.message == "kubeconfig \(dir.path)/nope (from --kubeconfig) does not exist")
    }

    @Test func defaultsToHomeKubeConfig() throws {
        try dir.write(
            ".kube/config",
            """
            current-context: home
            clusters: [{name: k, cluster: {server: "https://home.example/"}}]
            contexts: [{name: home, context: {cluster: k}}]
            """)
        let config = try ClientConfig.load(environment: env())
        #expect(config.server == "https://home.example")
        #expect(config.contextName == "home")
    }

    @Test func errorsNameTheFileContextClusterAndUser() throws {
        let file = try dir.write(
            "config",
            """
            current-context: dev
            clusters:
            - {name: k, cluster: {server: "https://k.example"}}
            - {name: noserver, cluster: {}}
            contexts:
            - {name: dev, context: {cluster: k, user: u}}
            - {name: lost, context: {cluster: gone, user: u}}
            - {name: empty, context: {cluster: noserver}}
            - {name: nouser, context: {cluster: k, user: ghost}}
            users:
            - {name: u, user: {client-key-data: "\(pki.client.certificatePEM.base64)", client-certificate-data: "\(pki.client.certificatePEM.base64)"}}
            - {name: badb64, user: {token: x, client-certificate-data: "%%%", client-key-data: "%%%"}}
            """)
        func message(_ options: KubeConfigOptions) -> String? {
            do {
                _ = try ClientConfig.load(options, environment: env(file))
                return nil
            } catch let error as KubeConfigError {
                return error.message
            } catch {
                return "\(error)"
            }
        }
        #expect(
            message(KubeConfigOptions(context: "prod"))
                == "context \"prod\" not found in \(file) (known contexts: dev, empty, lost, nouser)")
        #expect(
            message(KubeConfigOptions(context: "lost"))
                == "cluster \"gone\" (used by context \"lost\") not found in \(file)")
        #expect(message(KubeConfigOptions(context: "empty")) == "cluster \"noserver\" in \(file) has no server")
        #expect(
            message(KubeConfigOptions(context: "nouser"))
                == "user \"ghost\" (used by context \"nouser\") not found in \(file)")
        #expect(
            message(KubeConfigOptions(context: "dev"))
                == "user \"u\" in \(file): client-key-data is not a PEM private key")
        #expect(
            message(KubeConfigOptions(context: "dev", user: "badb64"))
                == "user \"badb64\" in \(file): client-certificate-data is not valid base64")
    }

    @Test func mismatchedClientKeyIsReportedAtLoad() throws {
        let file = try dir.write(
            "config",
            """
            current-context: c
            clusters: [{name: k, cluster: {server: "https://k.example"}}]
            contexts: [{name: c, context: {cluster: k, user: alice}}]
            users:
            - name: alice
              user:
                client-certificate-data: \(pki.client.certificatePEM.base64)
                client-key-data: \(pki.rsaClient.privateKeyPEM.base64)
            """)
        let error = #expect(throws: KubeConfigError.self) {
            try ClientConfig.load(environment: env(file), keyPairCheck: .openSSL)
        }
        #expect(
            error?.message
                == "user \"alice\" in \(file): client-key-data is not the private key of client-certificate-data")
        // Without a crypto library to ask (the webhook), the pair is left to the TLS handshake.
        let deferred = try ClientConfig.load(environment: env(file))
        #expect(deferred.tls.clientKeyPEM == Data(pki.rsaClient.privateKeyPEM.utf8))
    }

    @Test func relativePathsResolveAgainstTheKubeconfigDirectory() throws {
        try dir.write("conf/certs/ca.crt", pki.ca.certificatePEM)
        try dir.write("conf/certs/alice.crt", pki.client.certificatePEM)
        try dir.write("conf/certs/alice.key", pki.client.privateKeyPEM)
        try dir.write("conf/token", "file-token\n")
        let file = try dir.write(
            "conf/config",
            """
            current-context: c
            clusters: [{name: k, cluster: {server: "https://k.example", certificate-authority: certs/ca.crt, tls-server-name: api.internal}}]
            contexts: [{name: c, context: {cluster: k, user: alice}}]
            users:
            - name: alice
              user: {client-certificate: certs/alice.crt, client-key: ./certs/alice.key, tokenFile: token}
            """)
        let config = try ClientConfig.load(environment: env(file))
        #expect(config.tls.certificateAuthorityPEM == Data(pki.ca.certificatePEM.utf8))
        #expect(config.tls.clientCertificatePEM == Data(pki.client.certificatePEM.utf8))
        #expect(config.tls.clientKeyPEM == Data(pki.client.privateKeyPEM.utf8))
        #expect(config.tls.serverName == "api.internal")
        #expect(config.auth == .tokenFile(path: dir.path + "/conf/token"))
    }

    @Test func caWithInsecureSkipIsRefused() throws {
        let file = try dir.write(
            "config",
            """
            current-context: c
            clusters: [{name: k, cluster: {server: "https://k.example", insecure-skip-tls-verify: true, certificate-authority-data: \(pki.ca.certificatePEM.base64)}}]
            contexts: [{name: c, context: {cluster: k}}]
            """)
        let error = #expect(throws: KubeConfigError.self) { try ClientConfig.load(environment: env(file)) }
        #expect(
            error?.message.hasPrefix(
                "cluster \"k\" in \(file): certificate-authority and insecure-skip-tls-verify are both set") == true)
    }

    @Test func execV1RequiresInteractiveMode() throws {
        let file = try dir.write(
            "config",
            """
            current-context: c
            clusters: [{name: k, cluster: {server: "https://k.example"}}]
            contexts: [{name: c, context: {cluster: k, user: eks}}]
            users:
            - name: eks
              user:
                exec: {apiVersion: client.authentication.k8s.io/v1, command: aws, args: [eks, get-token]}
            """)
        let error = #expect(throws: KubeConfigError.self) { try ClientConfig.load(environment: env(file)) }
        #expect(
            error?.message
                == "user \"eks\" in \(file): exec interactiveMode must be set (Never, IfAvailable or Always) for client.authentication.k8s.io/v1"
        )
    }

    @Test func inClusterFallbackWhenNoKubeconfig() throws {
        try dir.write("sa/token", "sa-token")
        try dir.write("sa/ca.crt", pki.ca.certificatePEM)
        try dir.write("sa/namespace", "kube-singleton\n")
        let environment = env(extra: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"])
        let config = try ClientConfig.load(environment: environment, serviceAccountDirectory: dir.path + "/sa")
        #expect(config.server == "https://10.96.0.1:443")
        #expect(config.namespace == "kube-singleton")
        #expect(config.source == "in-cluster")
        #expect(config.auth == .tokenFile(path: dir.path + "/sa/token"))
        #expect(config.tls.certificateAuthorityPEM == Data(pki.ca.certificatePEM.utf8))

        let none = #expect(throws: KubeConfigError.self) { try ClientConfig.load(environment: env()) }
        #expect(none?.message.contains("no kubeconfig found (looked at \(dir.path)/.kube/config)") == true)
    }

    @Test func proxyFromKubeconfigOrEnvironment() throws {
        let file = try dir.write(
            "config",
            """
            current-context: c
            clusters:
            - {name: k, cluster: {server: "https://k.example:6443", proxy-url: "http://proxy.local:3128"}}
            - {name: plain, cluster: {server: "https://k.example:6443"}}
            - {name: bad, cluster: {server: "https://k.example:6443", proxy-url: "ftp://x"}}
            contexts:
            - {name: c, context: {cluster: k}}
            - {name: p, context: {cluster: plain}}
            - {name: b, context: {cluster: bad}}
            """)
        #expect(try ClientConfig.load(environment: env(file)).proxy == "http://proxy.local:3128")
        let proxied = env(file, extra: ["HTTPS_PROXY": "http://env-proxy:8080"])
        #expect(
            try ClientConfig.load(KubeConfigOptions(context: "p"), environment: proxied).proxy
                == "http://env-proxy:8080")
        let excluded = env(file, extra: ["https_proxy": "http://env-proxy:8080", "NO_PROXY": "10.0.0.0/8,.example"])
        #expect(try ClientConfig.load(KubeConfigOptions(context: "p"), environment: excluded).proxy == nil)
        #expect(throws: KubeConfigError.self) {
            try ClientConfig.load(KubeConfigOptions(context: "b"), environment: env(file))
        }
    }
}
