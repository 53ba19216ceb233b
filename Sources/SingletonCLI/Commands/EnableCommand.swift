import ArgumentParser
import KubeAPIMachinery
import SingletonCore

/// `enable KIND/NAME`: marks a workload as a singleton with one merge patch of exactly
/// the fields that change, then (optionally) creates its PDB and headless Service.
struct EnableCommand: ParsableCommand, PluginCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable",
        abstract: "Mark a workload as a singleton.",
        discussion: """
            Sends one merge patch that adds kube-singleton.dev/mode, sets replicas to 1 when it
            is higher, and for at-most-one Deployments replaces a surging rollout strategy with
            Recreate. An Argo Rollout (rollout/NAME) gets canary maxSurge 0 for at-most-one (a
            blueGreen one is refused: it always runs two ReplicaSets). A CronJob (cj/NAME) gets
            concurrencyPolicy Forbid (at-least-one keeps Replace) and jobTemplate parallelism
            1; a Job (job/NAME) parallelism 1. Fields kube-singleton does not model are never
            touched; a second run changes nothing. --pdb creates NAME-singleton (maxUnavailable 0: drains wait for you
            to move the pod), unless a PodDisruptionBudget already selects the pods: one that
            blocks eviction (maxUnavailable 0, minAvailable 1) is reused and left alone; any
            other is a refusal with the reason, since the Eviction API refuses pods covered by
            two. --service creates the headless Service. Created objects carry
            app.kubernetes.io/managed-by=kubectl-singleton and an ownerReference to the workload.
            Several workloads (deploy/a sts/b, or deploy a b) or a kind with -l are each
            handled in turn with their own report lines. Each step is reported; if one fails,
            rerunning the same command finishes the job.

            Examples:
              kubectl singleton enable deploy/web
              kubectl singleton enable deploy/web deploy/worker -n shop --pdb
              kubectl singleton enable deploy -l tier=scheduler -n shop --mode at-least-one
              kubectl singleton enable sts/db -n data --mode at-most-one --pdb --service
              kubectl singleton enable cronjob/nightly-report -n batch
              kubectl singleton enable deploy/web --enforcement warn
              kubectl singleton enable deployment web --lease web-leader --dry-run=server -o yaml

            Exit codes: 0 every step done; 1 a step failed for any workload (see the report) or bad arguments.
            """
    )

    static let outputs = ["json", "yaml"]

    @OptionGroup var kube: KubeOptions
    @OptionGroup var targets: TargetOptions
    @Option(help: "at-most-one (consistency) or at-least-one (availability).") var mode: SingletonMode = .atMostOne
    @Flag(help: "Create the PodDisruptionBudget NAME-singleton.") var pdb = false
    @Flag(help: "Create the headless Service (a StatefulSet's spec.serviceName, else NAME).") var service = false
    @Option(help: "Record the Lease the application uses for leader election.") var lease: String?
    @Option(
        help: "deny (the default) or warn: a breach is then allowed with a warning, to roll a singleton out safely.")
    var enforcement: Enforcement?
    @Option(name: .customLong("dry-run"), help: DryRunMode.help) var dryRun: DryRunMode = .none
    @Option(name: [.short, .customLong("output")], help: OutputFormat.help(outputs)) var output: OutputFormat?

    func validate() throws {
        try OutputFormat.check(output, accepted: Self.outputs, command: "enable")
        if let lease, !ResourceRef.isValidName(lease) {
            throw ValidationError("--lease \"\(lease)\" is not a valid Lease name")
        }
    }

    func execute(in env: CLIEnvironment) async throws -> Int32 {
        let api = try env.connector.connect(kube)
        let namespace = kube.namespace ?? api.defaultNamespace
        let refs = try await targets.parsed().resolve(api, namespace: namespace)
        if refs.isEmpty { env.err.line(noResourcesMessage(namespace: namespace)) }
        let steps = StepReport(env: env, quiet: output != nil)
        var results: [JSONValue] = []
        for ref in refs {
            results += await enable(ref, api: api, namespace: namespace, mode: mode, steps: steps, env: env)
        }
        if let output { env.out.write(output.render(results.count == 1 ? results[0] : listDocument(results))) }
        return steps.finish()
    }

    /// Every step for one workload; returns the objects it produced (for `-o`).
    func enable(
        _ ref: ResourceRef, api: any KubeAPI, namespace: String, mode: SingletonMode, steps: StepReport,
        env: CLIEnvironment
    ) async -> [JSONValue] {
        // Step 1: the workload patch, retried on conflict against a fresh read.
        var results: [JSONValue] = []
        if ref.kind.workload == nil {
            // A CronJob or Job: its pods come and go with each run, so no PDB or Service.
            if pdb || service {
                steps.fail("\(ref)", CLIError(Self.noCompanions(ref)), retryable: false)
                return results
            }
            do {
                results.append(
                    try await retryOnConflict {
                        try await patchBatch(api, ref, namespace: namespace, mode: mode, steps: steps)
                    })
            } catch let refusal as EnableRefusal {
                steps.fail("\(ref)", refusal, retryable: false)
            } catch {
                steps.fail("\(ref)", error)
            }
            return results
        }
        let raw: JSONValue, workload: Workload
        do {
            (raw, workload) = try await retryOnConflict {
                try await patchWorkload(api, ref, namespace: namespace, mode: mode, steps: steps, env: env)
            }
        } catch let refusal as EnableRefusal {
            steps.fail("\(ref)", refusal, retryable: false)
            return results
        } catch {
            // The workload step failed (RBAC, a webhook denial): nothing else is attempted.
            steps.fail("\(ref)", error)
            return results
        }
        results.append(raw)
        await warnAboutEffect(api, workload: workload, namespace: namespace, steps: steps)

        // Steps 2 and 3: companions, each reported on its own.
        if pdb, let object = await pdbStep(api, workload: workload, namespace: namespace, steps: steps) {
            results.append(object)
        }
        if service {
            await steps.run("service/\(Companions.serviceName(for: workload))") {
                let object = try Companions.service(for: workload)
                let result = try await CompanionSync(api: api, dryRun: dryRun).ensure(
                    object, collection: CompanionPaths.services(namespace), ownerUID: workload.metadata.uid)
                results.append(result.0)
                return result.1
            }
        }
        return results
    }

    /// Reads the workload and sends the plan's patch (none when nothing changes).
    func patchWorkload(
        _ api: any KubeAPI, _ ref: ResourceRef, namespace: String, mode: SingletonMode,
        steps: StepReport, env: CLIEnvironment
    ) async throws -> (JSONValue, Workload) {
        let (raw, workload) = try await fetchWorkload(api, ref, namespace: namespace)
        if workload.kind == .replicaSet, workload.isOwnedByDeployment {
            let owner = workload.metadata.ownerReferences?.first { $0.kind == "Deployment" }?.name ?? "its Deployment"
            throw EnableRefusal(
                message:
                    "\(ref) is managed by Deployment \(owner), which overwrites its annotations and replicas; run `\(Hints.command(["enable", "deployment.apps/\(owner)"] + sameChoices, namespace: namespace, env: env))` instead"
            )
        }
        let plan = EnablePlan.make(workload, mode: mode, lease: lease, enforcement: enforcement, object: raw)
        if let refusal = plan.refusal { throw EnableRefusal(message: refusal) }
        guard let patch = plan.patch else {
            // Its caveats were said when it was marked; an unchanged rerun repeats none.
            steps.done("\(ref) unchanged (already \(mode))")
            return (raw, workload)
        }
        let updated: JSONValue
        if dryRun == .client {
            updated = raw.applyingMergePatch(patch)
        } else {
            updated = try await api.patch(
                ref.kind.objectPath(namespace: namespace, name: ref.name), patch, type: .merge, dryRun: dryRun)
        }
        steps.done("\(ref) configured: \(plan.changes.joined(separator: "; "))\(dryRun.suffix)")
        steps.warn(plan.warnings)
        return (updated, workload)
    }
}

extension EnableCommand {
    static func noCompanions(_ ref: ResourceRef) -> String {
        "--pdb and --service are for workloads with replicas: the pods of a \(ref.kind.rawValue) come and go with each run; enable \(ref) without them"
    }

    /// Reads a CronJob or Job and sends the plan's patch (none when nothing changes).
    func patchBatch(
        _ api: any KubeAPI, _ ref: ResourceRef, namespace: String, mode: SingletonMode, steps: StepReport
    ) async throws -> JSONValue {
        let path = ref.kind.objectPath(namespace: namespace, name: ref.name)
        let raw = try await api.get(path)
        let plan = EnablePlan.make(batch: raw, mode: mode, lease: lease, enforcement: enforcement)
        if let refusal = plan.refusal { throw EnableRefusal(message: refusal) }
        guard let patch = plan.patch else {
            steps.done("\(ref) unchanged (already \(mode))")
            return raw
        }
        let updated =
            dryRun == .client
            ? raw.applyingMergePatch(patch) : try await api.patch(path, patch, type: .merge, dryRun: dryRun)
        steps.done("\(ref) configured: \(plan.changes.joined(separator: "; "))\(dryRun.suffix)")
        steps.warn(plan.warnings)
        return updated
    }

    /// The flags that shape what enable does, as the user gave them, for a hint that
    /// suggests enabling another workload the same way.
    var sameChoices: [String] {
        var words = ["--mode", mode.rawValue]
        if pdb { words.append("--pdb") }
        if service { words.append("--service") }
        if let lease { words += ["--lease", lease] }
        if let enforcement { words += ["--enforcement", enforcement.rawValue] }
        if dryRun != .none { words.append("--dry-run=\(dryRun.rawValue)") }
        return words
    }
}

/// enable on a Deployment's ReplicaSet, or on a kind whose spec needs the user's choice first:
/// refused, and a rerun would be refused again.
struct EnableRefusal: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
