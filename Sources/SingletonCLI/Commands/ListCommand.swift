import ArgumentParser
import SingletonCore

/// `list`: every singleton in the namespace (or cluster) with its state and violations.
struct ListCommand: ParsableCommand, PluginCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List singleton workloads and their violations.",
        discussion: """
        Shows every workload annotated kube-singleton.dev/mode with its mode, desired and
        ready replicas, PodDisruptionBudget, Service, lease holder and VIOLATIONS: too many
        replicas or pods, a surging strategy, an HPA able to scale it, an unknown mode.

        Examples:
          kubectl singleton list
          kubectl singleton list -A -o wide
          kubectl singleton list -n data -o json

        Exit codes: 0 listed (violations do not change the exit code); 1 failure.
        """
    )

    @OptionGroup var kube: KubeOptions
    @OptionGroup var scope: ListScopeOptions
    @Option(name: [.short, .customLong("output")], help: "wide, json or yaml.") var output: OutputFormat?

    func validate() throws {
        if output == .text { throw ValidationError("list prints a table, -o wide, -o json or -o yaml") }
    }

    func execute(in env: CLIEnvironment) async throws -> Int32 {
        let api = try env.connector.connect(kube)
        let namespace: String? = scope.allNamespaces ? nil : (kube.namespace ?? api.defaultNamespace)
        let loader = SnapshotLoader(api: api, env: env)
        let workloads = try await loader.singletons(namespace: namespace)
        let snapshot = workloads.isEmpty ? ClusterSnapshot() : await loader.snapshot(namespace: namespace)
        let now = env.now()
        let reports = workloads.map { SingletonAnalyzer.analyze($0.1, namespace: $0.1.metadata.namespace ?? namespace ?? "", snapshot: snapshot, now: now) }
        switch output {
        case .json?, .yaml?:
            env.out.write((output ?? .json).render(listDocument(reports.map(ReportRendering.document))))
        default:
            if reports.isEmpty {
                env.err.line(noResourcesMessage(namespace: namespace))
            } else {
                env.out.write(ReportRendering.listTable(reports, allNamespaces: namespace == nil, wide: output == .wide).render())
            }
        }
        return 0
    }
}
