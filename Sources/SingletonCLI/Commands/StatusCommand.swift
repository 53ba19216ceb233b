import ArgumentParser
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

        Examples:
          kubectl singleton status deploy/web
          kubectl singleton status sts/db -n data -o yaml

        Exit codes: 0 shown (risks included); 1 failure (not found, no access).
        """
    )

    @OptionGroup var kube: KubeOptions
    @Argument(help: "The workload: KIND/NAME or KIND NAME.") var target: [String] = []
    @Option(name: [.short, .customLong("output")], help: "json or yaml.") var output: OutputFormat?

    func validate() throws {
        do { _ = try ResourceRef.parse(target) } catch { throw ValidationError(error.description) }
        if let output, output != .json && output != .yaml { throw ValidationError("status prints text, -o json or -o yaml") }
    }

    func execute(in env: CLIEnvironment) async throws -> Int32 {
        let ref = try ResourceRef.parse(target)
        let api = try env.connector.connect(kube)
        let namespace = kube.namespace ?? api.defaultNamespace
        let (_, workload) = try await fetchWorkload(api, ref, namespace: namespace)
        let snapshot = await SnapshotLoader(api: api, env: env).snapshot(namespace: namespace)
        let report = SingletonAnalyzer.analyze(workload, namespace: namespace, snapshot: snapshot, now: env.now())
        if let output {
            env.out.write(output.render(ReportRendering.document(report)))
        } else {
            if !workload.metadata.contract.isPresent {
                env.err.line("Warning: \(ref) is not a singleton (no \(SingletonAnnotation.mode) annotation); kubectl singleton enable \(ref)")
            }
            env.out.write(ReportRendering.statusText(report))
        }
        return 0
    }
}
