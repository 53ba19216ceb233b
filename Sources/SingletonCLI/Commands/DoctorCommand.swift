import ArgumentParser
import SingletonCore

/// `doctor`: checks the installed webhook and the user's permissions, each with its fix.
struct DoctorCommand: ParsableCommand, PluginCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the webhook installation and your permissions.",
        discussion: """
        Checks that the webhook configuration exists, that its caBundle signs the serving
        certificate and when that expires, that the webhook Service has ready endpoints,
        the failurePolicy of each webhook, the namespace exclusions (kube-system and the
        webhook's own namespace), that the rules cover the */scale subresources, and, with
        SelfSubjectAccessReviews, that you may use the plugin's verbs.

        Examples:
          kubectl singleton doctor
          kubectl singleton doctor -n my-singleton-system

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
        let configName = plan.objects.first { $0["kind"] == "ValidatingWebhookConfiguration" }?[path: "metadata", "name"]?.stringValue ?? "kube-singleton"
        let config = try? await api.get("\(CompanionPaths.webhookConfigurations)/\(configName)")
        let secret = try? await api.get("/api/v1/namespaces/\(namespace)/secrets/\(plan.secretName)")
        let endpoints = try? await api.get("/api/v1/namespaces/\(namespace)/endpoints/\(plan.serviceName)")
        var access: [(String, Bool)] = []
        let reviewNamespace = api.defaultNamespace
        for (verb, group, resource) in DoctorChecks.pluginVerbs {
            let review: JSONValue = ["apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                                     "spec": ["resourceAttributes": ["verb": .string(verb), "group": .string(group), "resource": .string(resource), "namespace": .string(reviewNamespace)]]]
            // No answer (API without authorization) is "unknown", not "denied".
            if let answer = try? await api.create("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review, dryRun: .none),
               let allowed = answer[path: "status", "allowed"]?.boolValue {
                access.append(("\(verb) \(group.isEmpty ? resource : "\(resource).\(group)")", allowed))
            }
        }
        let findings = DoctorChecks.run(DoctorInputs(webhookConfiguration: config, tlsSecret: secret, endpoints: endpoints,
                                                     installNamespace: namespace, access: access, now: env.now()))
        if let output, output == .json || output == .yaml {
            env.out.write(output.render(.array(findings.map { f in
                ["check": .string(f.check), "status": .string(f.status.rawValue), "detail": .string(f.detail), "fix": f.fix.map(JSONValue.string) ?? .null]
            })))
        } else {
            let rows = findings.map { [$0.status.rawValue, $0.check, $0.detail + ($0.fix.map { ". Fix: \($0)" } ?? "")] }
            env.out.write(Table(headers: ["STATUS", "CHECK", "DETAIL"], rows: rows).render())
        }
        return findings.contains { $0.status == .failure } ? 1 : 0
    }
}
