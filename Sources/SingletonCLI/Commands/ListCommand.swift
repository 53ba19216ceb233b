import ArgumentParser
import SingletonCore

/// `list`: every singleton in the namespace (or cluster) with its state and violations.
struct ListCommand: ParsableCommand, PluginCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List singleton workloads and their violations.",
        discussion: """
            Shows every workload annotated kube-singleton.dev/mode with its mode, enforcement
            (deny, or warn: breaches are only warned about), desired and ready replicas,
            PodDisruptionBudget, Service, lease holder and VIOLATIONS: too many replicas or pods,
            a surging strategy, an HPA able to scale it, an unknown mode. Deployments,
            StatefulSets, ReplicaSets, ReplicationControllers, Argo Rollouts and Jobs (DESIRED is
            its parallelism) share one table; CronJobs get their own, as kubectl get prints them:
            schedule, last schedule, and ACTIVE Jobs, where more than one is a violation.

            Examples:
              kubectl singleton list
              kubectl singleton list -A -o wide
              kubectl singleton list -n data -o json
              kubectl singleton list -l team=payments -o name
              kubectl singleton list -A -o jsonpath='{range .items[*]}{.metadata.namespace}/{.metadata.name}{"\\n"}{end}'

            Exit codes: 0 listed (violations do not change the exit code); 1 failure.
            """
    )

    static let outputs = ["wide", "json", "yaml", "name", "jsonpath"]

    @OptionGroup var kube: KubeOptions
    @OptionGroup var scope: ListScopeOptions
    @Option(
        name: [.customShort("l"), .customLong("selector")],
        help: ArgumentHelp("Only workloads whose labels match (e.g. -l app=web,tier!=db).", valueName: "selector"))
    var selector: String?
    @Option(name: [.short, .customLong("output")], help: OutputFormat.help(outputs)) var output: OutputFormat?
    @Flag(name: .customLong("no-headers"), help: "Print the table without its header line.") var noHeaders = false

    func validate() throws {
        try OutputFormat.check(output, accepted: Self.outputs, command: "list")
    }

    func execute(in env: CLIEnvironment) async throws -> Int32 {
        let api = try env.connector.connect(kube)
        let namespace: String? = scope.allNamespaces ? nil : (kube.namespace ?? api.defaultNamespace)
        let loader = SnapshotLoader(api: api, env: env)
        async let batchList = loader.batchSingletons(namespace: namespace, selector: selector)
        var (workloads, snapshot) = try await loader.listing(namespace: namespace, selector: selector)
        let batch = try await batchList
        if workloads.isEmpty, !batch.isEmpty { snapshot = await loader.snapshot(namespace: namespace) }
        let now = env.now()
        let flags = KubectlArguments.connectionFlags(in: env.arguments)
        let reports =
            workloads.map {
                SingletonAnalyzer.analyze(
                    $0, namespace: $0.metadata.namespace ?? namespace ?? "", snapshot: snapshot, now: now,
                    connectionFlags: flags)
            }
            + batch.map { kind, object in
                SingletonAnalyzer.analyze(
                    batch: object, kind: kind,
                    namespace: object[path: "metadata", "namespace"]?.stringValue ?? namespace ?? "",
                    snapshot: snapshot, now: now)
            }
        switch output {
        case .json?, .yaml?, .jsonpath?:
            env.out.write((output ?? .json).render(listDocument(reports.map(ReportRendering.document))))
        case .name?:
            for report in reports { env.out.line(report.ref.description) }
        default:
            if reports.isEmpty {
                env.err.line(noResourcesMessage(namespace: namespace))
            } else {
                env.out.write(
                    ReportRendering.listTables(
                        reports, allNamespaces: namespace == nil, wide: output == .wide, now: now
                    )
                    .map { $0.render(headers: !noHeaders) }.joined(separator: "\n"))
            }
        }
        return 0
    }
}
