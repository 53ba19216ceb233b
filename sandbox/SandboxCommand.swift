import ArgumentParser
import Foundation
import KubeSandbox

/// `singleton-sandbox`: starts the in-memory API server and runs until interrupted.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "singleton-sandbox",
        abstract: "An in-memory Kubernetes API server for tests and demos. NOT a cluster.",
        discussion: """
            A test and demo double (like envtest): it stores objects in memory, serves discovery, \
            the scale subresource, patches, watches and server-side printing over HTTPS on 127.0.0.1, \
            and calls registered ValidatingWebhookConfigurations with real AdmissionReviews. \
            No scheduler, kubelet, etcd or networking: Pods are simulated as Running and Ready. \
            Nothing is persisted; everything is lost when it stops.
            """)

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = 0

    @Option(name: .customLong("kubeconfig-out"), help: "Write a kubeconfig for kubectl here.")
    var kubeconfigOut: String?

    @Flag(help: "Put a bearer token in the kubeconfig instead of a client certificate.")
    var tokenAuth = false

    @Option(help: "Admin bearer token (random by default).")
    var token: String?

    @Flag(help: "Do not simulate controllers (no Pods, no workload status).")
    var noControllers = false

    @Option(
        name: .customLong("service-endpoint"),
        help:
            "Route a webhook clientConfig.service NAMESPACE/NAME to a URL, e.g. singleton-system/singleton-webhook=https://127.0.0.1:8443 (repeatable)."
    )
    var serviceEndpoints: [String] = []

    @Option(
        name: .customLong("webhook-cert-dir"),
        help: "Also write tls.crt, tls.key and ca.crt for a webhook on 127.0.0.1, signed by the sandbox CA.")
    var webhookCertDir: String?

    @Option(
        name: .customLong("crd"),
        help: ArgumentHelp(
            "Serve a well-known CustomResourceDefinition from the start: argo-rollouts (rollouts.argoproj.io) or keda (scaledobjects.keda.sh); repeatable. Without it the kinds are absent until a CRD is applied.",
            valueName: "name"))
    var crds: [String] = []

    @Option(help: "Start holding about this many objects (Deployments with their ReplicaSet and Pod), for load tests.")
    var prefill = 0

    func run() async throws { try await serve() }

    /// Starts the sandbox and blocks until SIGINT/SIGTERM.
    func serve() async throws {
        var options = SandboxOptions()
        options.port = port
        options.kubeconfigPath = kubeconfigOut
        options.kubeconfigUsesToken = tokenAuth
        options.adminToken = token
        options.controllers = !noControllers
        options.webhookCertificateDirectory = webhookCertDir
        options.prefill = prefill
        for name in crds {
            guard let crd = CustomResources.wellKnown[name] else {
                let known = CustomResources.wellKnown.keys.sorted().joined(separator: ", ")
                throw ValidationError("--crd \(name): unknown definition; known: \(known)")
            }
            options.customResourceDefinitions.append(crd)
        }
        for entry in serviceEndpoints {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[0].contains("/") else {
                throw ValidationError("--service-endpoint wants NAMESPACE/NAME=URL, got \(entry)")
            }
            options.serviceEndpoints[parts[0]] = parts[1]
        }
        options.log = { line in FileHandle.standardError.write(Data("sandbox: \(line)\n".utf8)) }
        let sandbox = try await Sandbox.start(options)
        print("singleton-sandbox (test double, not a cluster) listening on \(sandbox.url)")
        if let path = kubeconfigOut { print("kubeconfig written to \(path)  (export KUBECONFIG=\(path))") }
        fflush(nil)
        await waitForTermination()
        await sandbox.stop()
    }

    /// Suspends until SIGINT or SIGTERM.
    func waitForTermination() async {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        let sources = [SIGINT, SIGTERM].map { sig in
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .main)
            s.setEventHandler { continuation.yield() }
            s.resume()
            return s
        }
        for await _ in stream { break }
        sources.forEach { $0.cancel() }
    }
}
