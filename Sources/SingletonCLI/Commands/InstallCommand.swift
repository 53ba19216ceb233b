import ArgumentParser
import Foundation
import KubeAPIMachinery
import KubeCertificates
import SingletonCore

/// `install`: applies the webhook's manifests (compiled in from deploy/).
struct InstallCommand: ParsableCommand, PluginCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install the kube-singleton webhook.",
        discussion: """
            Creates the objects of deploy/ (embedded in this binary at build time): namespace,
            RBAC, Deployment, Service, PDB and the ValidatingWebhookConfiguration, last. With
            --self-signed (the default) it generates a CA and an ECDSA P-256 serving
            certificate for the Service's DNS names (valid 1 year), stores them in the TLS
            Secret and sets the caBundle; a rerun keeps a valid existing certificate. With
            --cert-manager, cert-manager issues and injects them. Objects that exist are
            brought in line only when they carry app.kubernetes.io/managed-by=kubectl-singleton.

            Before creating anything, install checks that you may create every object
            (SelfSubjectAccessReview; skipped when the API does not answer them) and, with
            --cert-manager, that cert-manager's CRDs are served. The webhook configuration is
            created last, and only when every other step succeeded and the webhook is ready:
            the Secret holds the serving certificate and the webhook Deployment has an
            available replica (its readiness probe calls /readyz over TLS), within --timeout.
            Otherwise it is not created, so no request is ever sent to a webhook that cannot
            answer. --wait=false registers it at once (a warning says so).

            The scale and HPA webhooks' failurePolicy defaults to Ignore (a webhook outage must not
            block every scale and HPA in the cluster); --failure-policy-scale Fail enforces them
            always. The workloads webhook is Fail, but its matchConditions pass it only changes
            that could add a replica, so a scale-down, a restart or `disable` work while it is down.

            Examples:
              kubectl singleton install
              kubectl singleton install --image registry.example.com/singleton-webhook:v0.1.0 --failure-policy-scale Fail
              kubectl singleton install --cert-manager --dry-run=client -o yaml

            Exit codes: 0 installed; 1 a preflight check or a step failed, or the webhook was
            not ready in time (the webhook configuration is then not created; rerun to finish),
            or bad arguments.
            """
    )

    @OptionGroup var kube: KubeOptions
    @Option(help: "The webhook image.") var image: String?
    @Flag(name: .customLong("cert-manager"), help: "Use cert-manager for the serving certificate.") var certManager =
        false
    @Flag(name: .customLong("self-signed"), help: "Generate the CA and serving certificate here (default).")
    var selfSigned = false
    @Option(name: .customLong("failure-policy-scale"), help: "Ignore or Fail, for the */scale and HPA webhooks.")
    var failurePolicyScale: FailurePolicy?
    @Option(name: .customLong("dry-run"), help: DryRunMode.help) var dryRun: DryRunMode = .none
    static let outputs = ["yaml", "json"]

    @Option(name: [.short, .customLong("output")], help: OutputFormat.help(outputs)) var output: OutputFormat?
    @Option(
        name: .customLong("wait"),
        help:
            "Register the webhook configuration only once the webhook is ready (true, the default), or at once (false)."
    )
    var wait: Bool = true
    @Option(name: .customLong("timeout"), help: "How long to wait for the webhook to be ready (for example 30s, 2m).")
    var timeout: String = "2m"

    func validate() throws {
        if certManager && selfSigned { throw ValidationError("choose one of --cert-manager and --self-signed") }
        try OutputFormat.check(output, accepted: Self.outputs, command: "install")
        if KubeOptions.parseDuration(timeout) == nil {
            throw ValidationError(
                "invalid --timeout \"\(timeout)\": use a number with an optional unit s, m or h (for example 2m)")
        }
    }

    var options: InstallOptions {
        InstallOptions(
            namespace: kube.namespace ?? InstallPlan.defaultNamespace, image: image,
            certificates: certManager ? .certManager : .selfSigned, scaleFailurePolicy: failurePolicyScale)
    }

    func execute(in env: CLIEnvironment) async throws -> Int32 {
        let options = self.options
        var plan = try InstallPlan.make(options, files: DeployManifests.files)
        let api: (any KubeAPI)? = dryRun == .client ? nil : try env.connector.connect(kube)
        if let api {
            try await InstallReadiness.preflight(api, plan: plan, certManager: options.certificates == .certManager)
        }
        if options.certificates == .selfSigned {
            let existing = await existingCertificates(api, plan: plan, namespace: options.namespace, env: env)
            let material = try existing ?? generate(plan.serviceDNSNames(namespace: options.namespace))
            plan.setCABundle(material.ca)
            let secret = plan.tlsSecret(
                namespace: options.namespace, certificatePEM: material.cert, keyPEM: material.key, caPEM: material.ca)
            plan.objects.insert(
                secret,
                at: plan.objects.firstIndex { InstallPlan.rank($0) > InstallPlan.rank(secret) } ?? plan.objects.endIndex
            )
        }
        if let output {
            env.out.write(
                output == .yaml ? YAMLBridge.emitDocuments(plan.objects) : output.render(listDocument(plan.objects)))
        }
        guard let api else {
            // --dry-run=client without -o: say what would be created, as kubectl create does.
            if output == nil {
                for object in plan.objects { env.out.line("\(kubectlName(object)) created\(dryRun.suffix)") }
            }
            return 0
        }
        let steps = StepReport(env: env, quiet: output != nil)
        let isConfiguration: (JSONValue) -> Bool = { $0["kind"] == "ValidatingWebhookConfiguration" }
        for object in plan.objects where !isConfiguration(object) {
            await steps.run(kubectlName(object)) { try await apply(object, api: api) }
        }
        for object in plan.objects where isConfiguration(object) {
            var configuration = object
            if !steps.failures.isEmpty {
                steps.fail(
                    kubectlName(object),
                    CLIError(
                        "not created: a webhook configuration must not point at a webhook that is not fully installed"))
                continue
            }
            if dryRun == .none && wait {
                do {
                    let seconds = KubeOptions.parseDuration(timeout) ?? 120
                    let ca = try await InstallReadiness.waitForWebhook(
                        api, plan: plan, namespace: options.namespace, timeout: .milliseconds(Int(seconds * 1000)),
                        timeoutText: timeout)
                    // cert-manager's CA injector fills the caBundle only after the configuration
                    // exists: set it from the issued certificate so it never starts empty.
                    if options.certificates == .certManager, let ca {
                        configuration = InstallPlan.withCABundle(object, ca)
                    }
                } catch {
                    steps.fail(
                        kubectlName(object),
                        CLIError(
                            "not created: \(error); until it is ready no request is sent to it. Rerun install once it is (or pass --wait=false)"
                        ))
                    continue
                }
            } else if dryRun == .none {
                env.err.line(
                    "Warning: --wait=false: the webhook configuration is registered without checking that the webhook answers; until it does, changes to singletons are refused (workloads webhook, failurePolicy Fail)"
                )
            }
            await steps.run(kubectlName(object)) { try await apply(configuration, api: api) }
        }
        return steps.finish()
    }

    /// Creates the object, or, when it exists and is ours, merge-patches it to the manifest
    /// (fields the manifest does not set survive).
    func apply(_ object: JSONValue, api: any KubeAPI) async throws -> String {
        let collection = try ResourcePaths.collection(for: object)
        let name = object.name
        return try await retryOnConflict {
            guard let existing = try await getIfExists(api, "\(collection)/\(name)") else {
                _ = try await api.create(collection, object, dryRun: dryRun)
                return "created\(dryRun.suffix)"
            }
            guard
                existing[path: "metadata", "labels", SingletonAnnotation.managedByLabel]?.stringValue
                    == SingletonAnnotation.managedByValue
            else {
                throw CLIError("it exists and is not managed by kubectl-singleton; left alone")
            }
            var desired = object
            desired["status"] = nil
            guard let patch = mergePatchDiff(existing: existing, desired: desired) else { return "unchanged" }
            _ = try await api.patch("\(collection)/\(name)", patch, type: .merge, dryRun: dryRun)
            return "configured\(dryRun.suffix)"
        }
    }

    typealias Material = (ca: String, cert: String, key: String)

    /// A rerun keeps the Secret's certificate while it is ours, signed by its CA and valid
    /// for more than 30 days, so the caBundle does not churn.
    func existingCertificates(
        _ api: (any KubeAPI)?, plan: InstallPlan, namespace: String, env: CLIEnvironment
    ) async -> Material? {
        guard let api, let secret = try? await api.get("/api/v1/namespaces/\(namespace)/secrets/\(plan.secretName)"),
            secret[path: "metadata", "labels", SingletonAnnotation.managedByLabel]?.stringValue
                == SingletonAnnotation.managedByValue,
            let ca = decode(secret[path: "data", "ca.crt"]), let cert = decode(secret[path: "data", "tls.crt"]),
            let key = decode(secret[path: "data", "tls.key"]),
            (try? CertificateFactory.isSigned(certificatePEM: cert, byAnyOf: ca)) == true,
            let info = try? CertificateFactory.inspect(certificatePEM: cert),
            info.notAfter.timeIntervalSince(env.now()) > 30 * 86400
        else { return nil }
        return (ca, cert, key)
    }

    func decode(_ value: JSONValue?) -> String? {
        guard let s = value?.stringValue, let data = Data(base64Encoded: s) else { return nil }
        return String(data: data, encoding: .utf8)
    }

    func generate(_ dnsNames: [String]) throws -> Material {
        do {
            let ca = try CertificateFactory.makeCA(commonName: "kube-singleton-ca", validityDays: 365)
            let serving = try CertificateFactory.issue(
                CertificateSpec(
                    commonName: dnsNames[2], dnsNames: dnsNames, usage: .server, validityDays: 365,
                    keyAlgorithm: .ecdsaP256),
                signedBy: ca)
            return (ca.certificatePEM, serving.certificatePEM, serving.privateKeyPEM)
        } catch {
            throw CLIError("cannot generate the webhook certificates: \(error)")
        }
    }
}
