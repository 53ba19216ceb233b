import ArgumentParser
import KubeAPIMachinery
import SingletonCore

/// `status KIND/NAME`: the full picture of one singleton and each risk in plain words.
struct StatusCommand: ParsableCommand, PluginCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a singleton's state and every risk to it.",
        discussion: """
            Counts the pods its selector matches (terminating ones apart), and names each risk:
            more than one pod, a surging strategy, an HPA (or a KEDA-made one) aimed at it, a
            missing or mismatched PDB or Service, a lease held by a stale or foreign holder,
            the webhook not installed. Lease expiry is an estimate by this machine's clock.
            Shows the enforcement (deny, or warn: breaches are only warned about). A CronJob
            (cj/NAME) shows its schedule, concurrencyPolicy, last schedule and active Jobs (more
            than one at once is a violation); a Job (job/NAME) its parallelism and pods.

            Takes several workloads (deploy/a sts/b, or deploy a b) or a kind with -l.

            Examples:
              kubectl singleton status deploy/web
              kubectl singleton status deploy -l tier=scheduler -n shop
              kubectl singleton status sts/db -n data -o yaml
              kubectl singleton status cj/nightly-report -n batch

            Exit codes: 0 shown (risks included); 1 failure for any workload (not found, no access).
            """
    )

    @OptionGroup var kube: KubeOptions
    @OptionGroup var targets: TargetOptions
    static let outputs = ["json", "yaml", "jsonpath"]

    @Option(name: [.short, .customLong("output")], help: OutputFormat.help(outputs)) var output: OutputFormat?

    func validate() throws {
        try OutputFormat.check(output, accepted: Self.outputs, command: "status")
    }

    func execute(in env: CLIEnvironment) async throws -> Int32 {
        let api = try env.connector.connect(kube)
        let namespace = kube.namespace ?? api.defaultNamespace
        let refs = try await targets.parsed().resolve(api, namespace: namespace)
        if refs.isEmpty { env.err.line(noResourcesMessage(namespace: namespace)) }
        var failed = false
        var documents: [JSONValue] = []
        var snapshot: ClusterSnapshot?
        var printed = 0
        for ref in refs {
            let raw: JSONValue
            do {
                raw = try await api.get(ref.kind.objectPath(namespace: namespace, name: ref.name))
            } catch {
                env.err.line(error.description)
                failed = true
                continue
            }
            if snapshot == nil { snapshot = await SnapshotLoader(api: api, env: env).snapshot(namespace: namespace) }
            let report: SingletonReport
            if let kind = ref.kind.workload {
                let workload: Workload
                do {
                    workload = try Workload.decode(raw.serialized(), as: kind)
                } catch {
                    throw CLIError("the API returned \(ref) in a shape kube-singleton cannot read: \(error)")
                }
                report = SingletonAnalyzer.analyze(
                    workload, namespace: namespace, snapshot: snapshot ?? ClusterSnapshot(), now: env.now(),
                    connectionFlags: KubectlArguments.connectionFlags(in: env.arguments))
            } else {
                report = SingletonAnalyzer.analyze(
                    batch: raw, kind: ref.kind, namespace: namespace, snapshot: snapshot ?? ClusterSnapshot(),
                    now: env.now())
            }
            if output != nil {
                documents.append(ReportRendering.document(report))
                continue
            }
            if raw[path: "metadata", "annotations", SingletonAnnotation.mode] == nil {
                env.err.line(
                    "Warning: \(ref) is not a singleton (no \(SingletonAnnotation.mode) annotation); \(Hints.command(["enable", "\(ref)"], namespace: namespace, env: env))"
                )
            }
            // Several workloads: one block each, a blank line between, as kubectl describe prints.
            if printed > 0 { env.out.line() }
            printed += 1
            env.out.write(ReportRendering.statusText(report, now: env.now()))
        }
        if let output, !documents.isEmpty {
            env.out.write(
                output.render(documents.count == 1 && refs.count == 1 ? documents[0] : listDocument(documents)))
        }
        return failed ? 1 : 0
    }
}
