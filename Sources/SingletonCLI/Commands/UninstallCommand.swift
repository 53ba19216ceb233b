import ArgumentParser
import SingletonCore

/// `uninstall`: deletes exactly what `install` created.
struct UninstallCommand: ParsableCommand, PluginCommand {
    static let configuration = CommandConfiguration(
        commandName: "uninstall",
        abstract: "Remove the kube-singleton webhook.",
        discussion: """
            Deletes the objects install creates (the embedded deploy/ manifests and the TLS
            Secret), the webhook configuration first so no request is sent to a webhook that is
            going away, and only those carrying app.kubernetes.io/managed-by=kubectl-singleton.
            When the webhook configuration cannot be deleted, nothing else is: the webhook keeps
            answering the configuration that still points at it.
            Singleton annotations on workloads stay; they are inert without the webhook.

            Examples:
              kubectl singleton uninstall
              kubectl singleton uninstall -n my-singleton-system --dry-run=server

            Exit codes: 0 removed (or already absent); 1 a step failed (rerun to finish).
            """
    )

    @OptionGroup var kube: KubeOptions
    @Option(name: .customLong("dry-run"), help: DryRunMode.help) var dryRun: DryRunMode = .none

    func execute(in env: CLIEnvironment) async throws -> Int32 {
        let namespace = kube.namespace ?? InstallPlan.defaultNamespace
        let plan = try InstallPlan.make(
            InstallOptions(namespace: namespace, certificates: .certManager), files: DeployManifests.files)
        let secret = plan.tlsSecret(namespace: namespace, certificatePEM: "", keyPEM: "", caPEM: "")
        let objects = (plan.objects + [secret]).sorted { InstallPlan.rank($0) > InstallPlan.rank($1) }
        let api = try env.connector.connect(kube)
        let steps = StepReport(env: env, quiet: false)
        for object in objects {
            let name = object.name
            if steps.failures.first?.hasPrefix("validatingwebhookconfiguration.") == true {
                steps.fail(
                    "the other objects",
                    CLIError(
                        "not deleted: the webhook configuration could not be deleted, and the webhook must keep answering it"
                    ))
                break
            }
            await steps.run(kubectlName(object)) {
                let path = "\(try ResourcePaths.collection(for: object))/\(name)"
                guard let existing = try await getIfExists(api, path) else { return "not found" }
                guard
                    existing[path: "metadata", "labels", SingletonAnnotation.managedByLabel]?.stringValue
                        == SingletonAnnotation.managedByValue
                else {
                    return "left alone (not managed by kubectl-singleton)"
                }
                if dryRun != .client { try await api.delete(path, dryRun: dryRun) }
                return "deleted\(dryRun.suffix)"
            }
        }
        return steps.finish()
    }
}
