import Foundation
import HTTPSServerKit
import KubeAPIMachinery
import KubeCertificates
import TestSupport
import Testing
@testable import KubeSandbox

let kubectlPath = "/usr/bin/kubectl"
let kubectlAvailable = FileManager.default.isExecutableFile(atPath: kubectlPath)

/// The result of one kubectl run.
typealias KubectlResult = ProcessOutput

/// Runs real kubectl against a kubeconfig without blocking the cooperative thread pool
/// (the sandbox's actor needs it while kubectl waits for answers).
func kubectl(_ kubeconfig: String, _ args: [String], stdin: String? = nil) async throws -> KubectlResult {
    // A HOME of its own per run: parallel tests never share kubectl's discovery cache.
    let home = FileManager.default.temporaryDirectory.appendingPathComponent("kubectl-home-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: home) }
    var env = ProcessInfo.processInfo.environment
    env["KUBECONFIG"] = kubeconfig
    env["HOME"] = home.path
    return try await runProcess(kubectlPath, args + ["--request-timeout=30s"], environment: env, stdin: stdin)
}

/// A started sandbox with its kubeconfig on disk, stopped by `stop()`.
struct SandboxFixture {
    let sandbox: RunningSandbox
    let dir: URL
    var kubeconfig: String { dir.appendingPathComponent("kubeconfig").path }

    static func start(token: Bool = false) async throws -> SandboxFixture {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var options = SandboxOptions()
        options.kubeconfigPath = dir.appendingPathComponent("kubeconfig").path
        options.kubeconfigUsesToken = token
        return SandboxFixture(sandbox: try await Sandbox.start(options), dir: dir)
    }

    func run(_ args: String..., stdin: String? = nil) async throws -> KubectlResult {
        try await kubectl(kubeconfig, args, stdin: stdin)
    }

    func stop() async {
        await sandbox.stop()
        try? FileManager.default.removeItem(at: dir)
    }
}

/// A test webhook on HTTPSServerKit, with a CA of its own; `behaviour` decides each answer.
struct TestWebhook {
    enum Behaviour: Sendable { case deny(code: Int?), warn, slow(seconds: Int) }
    let server: HTTPSServer
    let caPEM: String
    var url: String { "https://127.0.0.1:\(server.port)/validate" }

    static func start(_ behaviour: Behaviour, certificate: CertificateAndKey? = nil) async throws -> TestWebhook {
        let pki = try TestPKI.make("test-webhook")
        let cert = certificate ?? pki.server
        let tls = TLSSettings(
            certificateChain: .pem(cert.certificatePEM), privateKey: .pem(cert.privateKeyPEM), reloadInterval: nil)
        let handler = ClosureHandler { request in
            guard let review = try? JSONValue.parse(request.bodyData) else { return .text(.badRequest, "not json") }
            let uid = review[path: "request", "uid"] ?? ""
            var response: [String: JSONValue] = ["uid": uid, "allowed": true]
            let replicas = review[path: "request", "object", "spec", "replicas"]?.intValue ?? 0
            switch behaviour {
            case .deny(let code):
                if replicas > 1 {
                    response["allowed"] = false
                    var status: [String: JSONValue] = [
                        "message": .string("test webhook: \(replicas) replicas is too many")
                    ]
                    if let code { status["code"] = .int(Int64(code)); status["reason"] = "Forbidden" }
                    response["status"] = .object(status)
                }
            case .warn:
                response["warnings"] = ["test webhook: consider fewer replicas"]
            case .slow(let seconds):
                try? await Task.sleep(for: .seconds(seconds))
            }
            let body: JSONValue = [
                "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": .object(response),
            ]
            return .json(.ok, body.serialized())
        }
        let server = try await HTTPSServer.start(ServerConfiguration(tls: tls, threads: 1), handler: handler)
        return TestWebhook(server: server, caPEM: pki.ca.certificatePEM)
    }

    func stop() async { await server.shutdown(grace: .seconds(1)) }
}

/// A ValidatingWebhookConfiguration for deployments and their scale subresource.
func registration(name: String, url: String, caPEM: String, failurePolicy: String, timeoutSeconds: Int = 2) -> String {
    """
    apiVersion: admissionregistration.k8s.io/v1
    kind: ValidatingWebhookConfiguration
    metadata:
      name: \(name)
    webhooks:
    - name: \(name)
      admissionReviewVersions: ["v1"]
      sideEffects: None
      failurePolicy: \(failurePolicy)
      timeoutSeconds: \(timeoutSeconds)
      clientConfig:
        url: \(url)
        caBundle: \(Data(caPEM.utf8).base64EncodedString())
      rules:
      - apiGroups: ["apps"]
        apiVersions: ["v1"]
        operations: ["CREATE", "UPDATE"]
        resources: ["deployments", "deployments/scale"]
    """
}

let webYAML = """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      labels: {app: web}
    spec:
      replicas: 1
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
          - name: app
            image: nginx:1.27
            ports: [{containerPort: 80}]
    """
