import ArgumentParser
import Foundation
import KubeAPIMachinery

/// `kubectl singleton`: the command tree.
public struct RootCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "kubectl singleton",
        abstract: "Keep singleton workloads at one replica (kube-singleton.dev/mode).",
        discussion: """
            A workload annotated kube-singleton.dev/mode: at-most-one or at-least-one is a
            singleton: the kube-singleton webhook denies anything that would run it with more
            than one replica. This plugin marks workloads, shows their state and risks, reads
            leader-election leases, lints manifests offline and installs the webhook.

            Examples:
              kubectl singleton enable deploy/web --mode at-most-one --pdb
              kubectl singleton list -A
              kubectl singleton status sts/db -n data
              kubectl singleton leases -n kube-system
              kubectl singleton lint -f manifests/
              kubectl singleton install --self-signed

            Exit codes: 0 success; 1 failure or violations found; 2 unreadable input (lint).
            """,
        version: PluginVersion.current,
        subcommands: [
            EnableCommand.self, DisableCommand.self, ListCommand.self, StatusCommand.self, LeasesCommand.self,
            LintCommand.self, InstallCommand.self, UninstallCommand.self, DoctorCommand.self,
            VersionCommand.self, CompleteCommand.self,
        ]
    )

    public init() {}
}

/// Runs the plugin: parse, then execute against `env`. Returns the process exit code.
/// Never throws and never exits, so tests call it like `main` and read the buffers.
public enum PluginMain {
    public static func run(_ arguments: [String], env: CLIEnvironment) async -> Int32 {
        var env = env
        env.arguments = arguments
        let columns = Int(env.variables["COLUMNS"] ?? "") ?? 100
        let parsed: ParsableCommand
        do {
            parsed = try RootCommand.parseAsRoot(KubectlArguments.normalize(arguments))
        } catch {
            return report(parseError: error, env: env, columns: columns)
        }
        guard let command = parsed as? any PluginCommand else {
            if parsed is RootCommand {
                env.out.line(RootCommand.helpMessage(columns: columns))
                return 0
            }
            // The built-in `help` command: its run() throws the help request to print.
            var other = parsed
            do {
                try other.run()
            } catch {
                return report(parseError: error, env: env, columns: columns)
            }
            return 0
        }
        do {
            return try await command.execute(in: env)
        } catch let error as CLIError {
            env.err.line("error: \(error.message)")
            return error.exitCode
        } catch let error as KubeAPIError {
            env.err.line(error.description)
            return 1
        } catch {
            env.err.line("error: \(error)")
            return 1
        }
    }

    /// Help goes to stdout with exit 0; a usage error is printed as kubectl 1.32 prints one
    /// (`error: ...`, then where to read the usage) and exits 1, as kubectl does.
    static func report(parseError error: any Error, env: CLIEnvironment, columns: Int) -> Int32 {
        let code = RootCommand.exitCode(for: error)
        if code == .success {
            env.out.line(RootCommand.fullMessage(for: error, columns: columns))
            return 0
        }
        var message = RootCommand.message(for: error)
        if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
        let words = KubectlArguments.normalize(env.arguments)
        let sub = words.first { Completer.subcommands.contains($0) }
        if sub == nil, let unexpected = message.firstMatch(of: /^Unexpected argument '(.*)'$/) {
            message = "unknown command \"\(unexpected.1)\" for \"kubectl singleton\""
        } else if let first = message.first, first.isUppercase, !message.hasPrefix("YAML"), !message.hasPrefix("HTTP") {
            message = first.lowercased() + message.dropFirst()
        }
        env.err.line("error: \(message)")
        env.err.line("See 'kubectl singleton\(sub.map { " \($0)" } ?? "") --help' for usage.")
        return 1
    }
}
