import ArgumentParser
import KubeAPIMachinery
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

            Takes several workloads (deploy/a sts/b, or deploy a b) or a kind with -l, each
            reported on its own lines.

            Examples:
              kubectl singleton disable deploy/web
              kubectl singleton disable deploy -l app=web -n shop
              kubectl singleton disable sts/db -n data --dry-run=server

            Exit codes: 0 done; 1 a step failed for any workload, or bad arguments.
            """
    )

    @OptionGroup var kube: KubeOptions
    @OptionGroup var targets: TargetOptions
    @Option(name: .customLong("dry-run"), help: DryRunMode.help) var dryRun: DryRunMode = .none

    func execute(in env: CLIEnvironment) async throws -> Int32 {
        let api = try env.connector.connect(kube)
        let namespace = kube.namespace ?? api.defaultNamespace
        let refs = try await targets.parsed().resolve(api, namespace: namespace)
        if refs.isEmpty { env.err.line(noResourcesMessage(namespace: namespace)) }
        let steps = StepReport(env: env, quiet: false)
        for ref in refs { await disable(ref, api: api, namespace: namespace, steps: steps) }
        return steps.finish()
    }

    /// Every step for one workload.
    func disable(_ ref: ResourceRef, api: any KubeAPI, namespace: String, steps: StepReport) async {
        if ref.kind.workload == nil {
            // A CronJob or Job: the annotations only (enable makes no companions for them).
            do {
                try await retryOnConflict { try await removeAnnotations(api, ref, namespace: namespace, steps: steps) }
            } catch {
                steps.fail("\(ref)", error)
            }
            return
        }
        let workload: Workload
        do {
            (_, workload) = try await fetchWorkload(api, ref, namespace: namespace)
        } catch {
            steps.fail("\(ref)", error)
            return
        }
        do {
            try await retryOnConflict { try await removeAnnotations(api, ref, namespace: namespace, steps: steps) }
        } catch {
            // Reported as a failed step; the companions are still cleaned up, and a rerun
            // retries the annotation.
            steps.fail("\(ref)", error)
        }
        let sync = CompanionSync(api: api, dryRun: dryRun)
        let pdbName = Companions.pdbName(for: workload)
        await steps.run("poddisruptionbudget.policy/\(pdbName)") {
            try await sync.remove(
                name: pdbName, collection: CompanionPaths.pdbs(namespace), ownerUID: workload.metadata.uid)
        }
        let serviceName = Companions.serviceName(for: workload)
        await steps.run("service/\(serviceName)") {
            try await sync.remove(
                name: serviceName, collection: CompanionPaths.services(namespace), ownerUID: workload.metadata.uid)
        }
    }

    /// Re-reads the workload and removes the annotations it carries.
    func removeAnnotations(_ api: any KubeAPI, _ ref: ResourceRef, namespace: String, steps: StepReport) async throws {
        let object = try await api.get(ref.kind.objectPath(namespace: namespace, name: ref.name))
        let plan = EnablePlan.disable(
            annotations: (object[path: "metadata", "annotations"]?.objectValue ?? [:]).compactMapValues(\.stringValue))
        guard let patch = plan.patch else {
            steps.done("\(ref) unchanged (not a singleton)")
            return
        }
        if dryRun != .client {
            _ = try await api.patch(
                ref.kind.objectPath(namespace: namespace, name: ref.name), patch, type: .merge, dryRun: dryRun)
        }
        steps.done("\(ref) configured: \(plan.changes.joined(separator: "; "))\(dryRun.suffix)")
    }
}
