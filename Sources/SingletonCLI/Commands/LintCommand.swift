import ArgumentParser
import Foundation

/// `lint`: offline check of GitOps manifests against the singleton contract.
struct LintCommand: ParsableCommand, PluginCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check manifests offline for singletons that would be denied.",
        discussion: """
        Reads YAML or JSON manifests (multi-document files, Lists, directories searched
        recursively, - for stdin) without contacting a cluster. Every workload annotated
        kube-singleton.dev/mode is judged by the same rules as the webhook: replicas above
        1, a surging rollout strategy for at-most-one Deployments, an unknown mode, and
        HorizontalPodAutoscalers in the same set that could scale a singleton past one.
        A missing PodDisruptionBudget or headless Service is reported as a warning.
        Each finding names the file and the document (1-based) it comes from.

        Examples:
          kubectl singleton lint -f deploy.yaml
          kubectl singleton lint -f overlays/prod/ -o json
          kustomize build overlays/prod | kubectl singleton lint -f -

        Exit codes: 0 no violations (warnings allowed); 1 violations; 2 an input could
        not be read or parsed.
        """
    )

    @Option(name: [.short, .customLong("filename")], help: ArgumentHelp("A file, a directory or - (stdin); repeatable.", valueName: "file|dir|-"))
    var filename: [String] = []

    @Option(name: [.short, .customLong("output")], help: "Output format: text or json.")
    var output: OutputFormat = .text

    func validate() throws {
        if filename.isEmpty { throw ValidationError("lint needs at least one -f FILE, -f DIR or -f -") }
        if output != .text && output != .json { throw ValidationError("lint prints -o text or -o json, not \(output.rawValue)") }
    }

    func execute(in env: CLIEnvironment) async throws -> Int32 {
        let set = ManifestReader(readStandardInput: env.readStandardInput).read(filename)
        let report = LintReport(set: set, findings: Linter().lint(set.objects))
        if output == .json {
            env.out.write(report.renderJSON())
        } else {
            let (out, err) = report.renderText()
            env.err.write(err)
            env.out.write(out)
        }
        return report.exitCode
    }
}
