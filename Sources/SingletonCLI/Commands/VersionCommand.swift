import ArgumentParser
import SingletonCore

/// `version`: the plugin's version (client only; the webhook reports its own).
struct VersionCommand: ParsableCommand, PluginCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the plugin version.",
        discussion: "Example:\n  kubectl singleton version -o json"
    )

    static let outputs = ["json", "yaml"]

    @Option(name: [.short, .customLong("output")], help: OutputFormat.help(outputs))
    var output: OutputFormat?

    func validate() throws {
        try OutputFormat.check(output, accepted: Self.outputs, command: "version")
    }

    func execute(in env: CLIEnvironment) async throws -> Int32 {
        switch output {
        case let output?:
            env.out.write(output.render(["clientVersion": ["gitVersion": .string(PluginVersion.current), "plugin": "kubectl-singleton"]]))
        default:
            env.out.line("kubectl-singleton \(PluginVersion.current)")
        }
        return 0
    }
}
