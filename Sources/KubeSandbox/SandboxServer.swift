import Foundation
import HTTPSServerKit
import KubeCertificates
import Logging
import KubeAPIMachinery

/// How to start a sandbox.
public struct SandboxOptions: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port.
    public var port = 0
    /// Run the minimal controllers (Pods for workloads, status following).
    public var controllers = true
    /// Admin bearer token; random when nil.
    public var adminToken: String?
    /// More bearer tokens with their users (for tests of `userInfo`).
    public var tokens: [String: UserInfo] = [:]
    /// `namespace/name` of a webhook Service -> base URL, for `clientConfig.service`.
    public var serviceEndpoints: [String: String] = [:]
    /// Where to write the kubeconfig (nil: not written; `RunningSandbox.kubeconfig` has it).
    public var kubeconfigPath: String?
    /// Put a bearer token in the kubeconfig instead of the admin client certificate.
    public var kubeconfigUsesToken = false
    /// How webhooks are called; nil uses real HTTPS verifying each caBundle.
    public var transport: (any WebhookTransport)?
    /// Objects present from the start (created without admission).
    public var seed: [JSONValue] = []
    /// CustomResourceDefinitions served from the start, before `seed` (none by default, as
    /// in a cluster without Argo Rollouts or KEDA): e.g. `CustomResources.argoRollouts`.
    public var customResourceDefinitions: [JSONValue] = []
    /// Start holding about this many objects: Deployments with their ReplicaSet and Pod,
    /// 100 Deployments per namespace `fill-N` (load tests of a full sandbox).
    public var prefill = 0
    public var log: @Sendable (String) -> Void = { _ in }
    /// If set, a serving certificate for a local webhook (127.0.0.1, localhost), signed by
    /// the sandbox CA, is written here as tls.crt, tls.key and ca.crt (for `make demo`).
    public var webhookCertificateDirectory: String?
    /// How many recent changes a watch can resume from; older resourceVersions get 410 Gone.
    public var watchHistory = 1000
    /// How often watches that allow bookmarks get one.
    public var bookmarkInterval: Duration = .seconds(5)

    public init() {}
}

/// A started sandbox: where it listens, how to reach it, and `stop()`.
public final class RunningSandbox: Sendable {
    public let url: String
    public let port: Int
    public let caPEM: String
    public let adminToken: String
    public let adminCertificatePEM: String
    public let adminKeyPEM: String
    /// The kubeconfig as written (client certificate, or token if asked).
    public let kubeconfig: String
    public let kubeconfigPath: String?
    /// The API state, for seeding and inspection from tests.
    public let api: SandboxAPI
    let server: HTTPSServer

    init(
        url: String, port: Int, caPEM: String, adminToken: String, admin: CertificateAndKey, kubeconfig: String,
        kubeconfigPath: String?, api: SandboxAPI, server: HTTPSServer
    ) {
        self.url = url
        self.port = port
        self.caPEM = caPEM
        self.adminToken = adminToken
        self.adminCertificatePEM = admin.certificatePEM
        self.adminKeyPEM = admin.privateKeyPEM
        self.kubeconfig = kubeconfig
        self.kubeconfigPath = kubeconfigPath
        self.api = api
        self.server = server
    }

    /// A kubeconfig with the other kind of credentials (token or client certificate).
    public func kubeconfig(usingToken: Bool) -> String {
        Kubeconfig.render(
            server: url, caPEM: caPEM,
            credentials: usingToken
                ? .token(adminToken)
                : .clientCertificate(certificatePEM: adminCertificatePEM, keyPEM: adminKeyPEM))
    }

    /// Stops listening; open watches end.
    public func stop() async {
        await server.shutdown(grace: .seconds(1))
    }
}

/// An in-memory Kubernetes API server over HTTPS for tests and demos. Not a cluster: no
/// scheduler, no kubelet, no etcd; see `SandboxAPI` for what it does emulate.
public enum Sandbox {
    /// Why the sandbox could not start (seeding, kubeconfig or certificate files).
    public struct StartError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public static func start(_ options: SandboxOptions = SandboxOptions()) async throws -> RunningSandbox {
        let ca = try CertificateFactory.makeCA(commonName: "kube-singleton-sandbox-ca")
        let serving = try CertificateFactory.issue(
            CertificateSpec(
                commonName: "kube-apiserver", dnsNames: ["localhost", "kubernetes", "kubernetes.default"],
                ipAddresses: ["127.0.0.1"], usage: .server), signedBy: ca)
        let admin = try CertificateFactory.issue(
            CertificateSpec(commonName: "sandbox-admin", organizations: ["system:masters"], usage: .client),
            signedBy: ca)
        let token =
            options.adminToken
            ?? (UUID().uuidString + UUID().uuidString).replacingOccurrences(of: "-", with: "").lowercased()
        var tokens = options.tokens
        tokens[token] = UserInfo(username: "sandbox-admin", groups: ["system:masters", "system:authenticated"])
        let transport = options.transport ?? CurlWebhookTransport()
        let api = SandboxAPI(
            dispatcher: AdmissionDispatcher(
                transport: transport, serviceEndpoints: options.serviceEndpoints, log: options.log),
            controllersEnabled: options.controllers, eventCapacity: options.watchHistory,
            bookmarkInterval: options.bookmarkInterval)
        let seed = options.customResourceDefinitions + CustomResources.fill(objects: options.prefill) + options.seed
        if !seed.isEmpty {
            do { try await api.seed(seed) } catch { throw StartError(description: "seeding failed: \(error)") }
        }
        let tls = TLSSettings(
            certificateChain: .pem(serving.certificatePEM), privateKey: .pem(serving.privateKeyPEM),
            clientCertificates: .optional(ca: .pem(ca.certificatePEM)), reloadInterval: nil)
        var logger = Logger(label: "singleton-sandbox")
        logger.logLevel = .warning
        // kube-apiserver's own header timeout (32 s, just under its request timeout bound)
        // rather than the webhook's 10 s: clients written against a real API server, our
        // tests' among them, get the same patience here.
        let config = ServerConfiguration(
            host: options.host, port: options.port, tls: tls,
            limits: ServerLimits(headerTimeout: .seconds(32), idleTimeout: .seconds(3600)),
            threads: 1, logger: logger)
        let server = try await HTTPSServer.start(config, handler: SandboxHTTPHandler(api: api, tokens: tokens))
        let url = "https://\(options.host):\(server.port)"
        await api.setServerAddress("\(options.host):\(server.port)")
        let kubeconfig = Kubeconfig.render(
            server: url, caPEM: ca.certificatePEM,
            credentials: options.kubeconfigUsesToken
                ? .token(token) : .clientCertificate(certificatePEM: admin.certificatePEM, keyPEM: admin.privateKeyPEM))
        if let dir = options.webhookCertificateDirectory {
            do {
                try writeWebhookCertificate(to: dir, ca: ca)
            } catch {
                await server.shutdown(grace: .zero)
                throw StartError(description: "cannot write the webhook certificate to \(dir): \(error)")
            }
        }
        if let path = options.kubeconfigPath {
            do {
                try Data(kubeconfig.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
                _ = chmod(path, 0o600)
            } catch {
                await server.shutdown(grace: .zero)
                throw StartError(description: "cannot write the kubeconfig to \(path): \(error.localizedDescription)")
            }
        }
        return RunningSandbox(
            url: url, port: server.port, caPEM: ca.certificatePEM, adminToken: token, admin: admin,
            kubeconfig: kubeconfig, kubeconfigPath: options.kubeconfigPath, api: api, server: server)
    }
}
