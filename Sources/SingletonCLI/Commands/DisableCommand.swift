import ArgumentParser
import SingletonCore

/// `disable KIND/NAME`: removes the singleton annotations and the companions this plugin
/// created (and only those).
struct DisableCommand: ParsableCommand, PluginCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable",
        abstract: "Stop treating a workload as a singleton.",
        discussion: """
        Removes kube-singleton.dev/mode and kube-singleton.dev/lease with one merge patch,
        and deletes NAME-singleton and the headless Service only when kubectl-singleton
        created them for this workload (managed-by label and ownerReference); anything
        else is left alone. Replicas and strategy are not changed.

        Examples:
          kubectl singleton disable deploy/web
          kubectl singleton disable sts/db -n data --dry-run=server

        Exit codes: 0 done; 1 a step failed or bad arguments.
        """
    )

    @OptionGroup var kube: KubeOptions
    @Argument(help: "The workload: KIND/NAME or KIND NAME.") var target: [String] = []
    @Option(name: .customLong("dry-run"), help: "none, client or server.") var dryRun: DryRunMode = .none

    func validate() throws {
        do { _ = try ResourceRef.parse(target) } catch { throw ValidationError(error.description) }
    }

    func execute(in env: CLIEnvironment) async throws -> Int32 {
        let ref = try ResourceRef.parse(target)
        let api = try env.connector.connect(kube)
        let namespace = kube.namespace ?? api.defaultNamespace
        let steps = StepReport(env: env, quiet: false)
        let (_, workload) = try await fetchWorkload(api, ref, namespace: namespace)
        do {
            try await retryingConflicts { try await removeAnnotations(api, ref, namespace: namespace, steps: steps) }
        } catch let error as APIFailure {
            // Reported as a failed step; the companions are still cleaned up, and a rerun
            // retries the annotation.
            steps.fail("\(ref)", error)
        }
        let sync = CompanionSync(api: api, dryRun: dryRun)
        let pdbName = Companions.pdbName(for: workload)
        await steps.run("poddisruptionbudget.policy/\(pdbName)") {
            try await sync.remove(name: pdbName, collection: CompanionPaths.pdbs(namespace), ownerUID: workload.metadata.uid)
        }
        let serviceName = Companions.serviceName(for: workload)
        await steps.run("service/\(serviceName)") {
            try await sync.remove(name: serviceName, collection: CompanionPaths.services(namespace), ownerUID: workload.metadata.uid)
        }
        return steps.finish(rerun: "kubectl singleton disable \(ref) -n \(namespace)")
    }

    /// Re-reads the workload and removes the annotations it carries.
    func removeAnnotations(_ api: any KubeAPI, _ ref: ResourceRef, namespace: String, steps: StepReport) async throws {
        let (_, workload) = try await fetchWorkload(api, ref, namespace: namespace)
        let plan = EnablePlan.disable(workload)
        guard let patch = plan.patch else {
            steps.done("\(ref) unchanged (not a singleton)")
            return
        }
        if dryRun != .client {
            _ = try await api.patch(ref.kind.objectPath(namespace: namespace, name: ref.name), patch, type: .merge, dryRun: dryRun)
        }
        steps.done("\(ref) configured: \(plan.changes.joined(separator: "; "))\(dryRun.suffix)")
    }
}
