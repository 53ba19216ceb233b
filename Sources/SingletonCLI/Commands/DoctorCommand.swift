import ArgumentParser
import KubeAPIMachinery
import SingletonCore

/// `doctor`: checks the installed webhook and the user's permissions, each with its fix.
struct DoctorCommand: ParsableCommand, PluginCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the webhook installation and your permissions.",
        discussion: """
            Checks that the webhook configuration exists, that its caBundle signs the serving
            certificate and when that expires, that the webhook Service has ready endpoints (or
            EndpointSlices; when neither is visible, it sends a dry-run create of an annotated
            Deployment with 2 replicas, which the webhook must deny through the API server),
            the failurePolicy of each webhook, the namespace exclusions (kube-system and the
            webhook's own namespace), that the rules cover the */scale subresources, and, with
            SelfSubjectAccessReviews, that you may use the plugin's verbs.

            Examples:
              kubectl singleton doctor
              kubectl singleton doctor -n my-singleton-system

            An API error is reported as what it is (server unreachable, 401 credentials refused,
            403 not allowed to read), never as a missing installation. RBAC shows UNKNOWN when
            the API server answers no SelfSubjectAccessReview.

            Exit codes: 0 no FAIL finding; 1 at least one FAIL, or failure.
            """
    )

    @OptionGroup var kube: KubeOptions
    static let outputs = ["json", "yaml"]

    @Option(name: [.short, .customLong("output")], help: OutputFormat.help(outputs)) var output: OutputFormat?

    func validate() throws {
        try OutputFormat.check(output, accepted: Self.outputs, command: "doctor")
    }

    func execute(in env: CLIEnvironment) async throws -> Int32 {
        let namespace = kube.namespace ?? InstallPlan.defaultNamespace
        let plan = try InstallPlan.make(InstallOptions(namespace: namespace), files: DeployManifests.files)
        let api = try env.connector.connect(kube)
        let configName =
            plan.objects.first { $0["kind"] == "ValidatingWebhookConfiguration" }?[path: "metadata", "name"]?
            .stringValue ?? "kube-singleton"
        /// The object, nil when absent, or the failure that is not an absence.
        func read(_ path: String) async -> (JSONValue?, KubeAPIError?) {
            do { return (try await getIfExists(api, path), nil) } catch let failure as KubeAPIError {
                return (nil, failure)
            } catch {
                return (nil, .noResponse("\(error)"))
            }
        }
        let (config, configError) = await read("\(CompanionPaths.webhookConfigurations)/\(configName)")
        let (secret, secretError) = await read("/api/v1/namespaces/\(namespace)/secrets/\(plan.secretName)")
        let endpoints =
            configError == nil ? await read("/api/v1/namespaces/\(namespace)/endpoints/\(plan.serviceName)").0 : nil
        var access: [(String, Bool)] = []
        let reviewNamespace = api.defaultNamespace
        for (verb, group, resource) in DoctorChecks.pluginVerbs {
            // No answer (API without authorization) is "unknown", not "denied".
            if let allowed = await InstallReadiness.mayI(
                api, verb, group: group, resource: resource, namespace: reviewNamespace)
            {
                access.append(("\(verb) \(group.isEmpty ? resource : "\(resource).\(group)")", allowed))
            }
        }
        var inputs = DoctorInputs(
            webhookConfiguration: config, tlsSecret: secret, endpoints: endpoints,
            installNamespace: namespace, access: access, now: env.now())
        inputs.configurationError = configError
        inputs.secretError = secretError
        if config != nil,
            (endpoints?["subsets"]?.arrayValue ?? []).flatMap({ $0["addresses"]?.arrayValue ?? [] }).isEmpty
        {
            let slices = await read(
                "/apis/discovery.k8s.io/v1/namespaces/\(namespace)/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3D\(plan.serviceName)"
            ).0
            inputs.endpointSliceAddresses =
                (slices?["items"]?.arrayValue ?? []).flatMap { $0["endpoints"]?.arrayValue ?? [] }
                .filter { $0[path: "conditions", "ready"]?.boolValue != false }.count
            if inputs.endpointSliceAddresses == 0 {
                inputs.probe = await WebhookProbeRequest.send(api, avoiding: [namespace, "kube-system"])
            }
        }
        let findings = DoctorChecks.run(inputs)
        if let output, output == .json || output == .yaml {
            env.out.write(
                output.render(
                    .array(
                        findings.map { f in
                            [
                                "check": .string(f.check), "status": .string(f.status.rawValue),
                                "detail": .string(f.detail), "fix": f.fix.map(JSONValue.string) ?? .null,
                            ]
                        })))
        } else {
            let rows = findings.map {
                [$0.status.rawValue, $0.check, $0.detail + ($0.fix.map { ". Fix: \($0)" } ?? "")]
            }
            env.out.write(Table(headers: ["STATUS", "CHECK", "DETAIL"], rows: rows).render())
        }
        return findings.contains { $0.status == .failure } ? 1 : 0
    }
}
