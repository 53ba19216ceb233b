import ArgumentParser
import Foundation
import SingletonCore

/// `singleton-webhook`: the validating admission webhook of kube-singleton (the entry point).
@main
struct SingletonWebhook: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "singleton-webhook",
        abstract: "Validating admission webhook that keeps kube-singleton workloads at one replica.",
        version: "singleton-webhook v\(KubeSingletonVersion.current)",
        subcommands: [ServeCommand.self, ReviewCommand.self]
    )

    /// ArgumentParser's `main`, except that a usage error exits 1, as kubectl and
    /// kubectl-singleton do (ArgumentParser's default is 64).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(1)
            }
            exit(withError: error)
        }
    }
}
