import ArgumentParser

/// `singleton-webhook`: the validating admission webhook of kube-singleton (the entry point).
@main
struct SingletonWebhook: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "singleton-webhook",
        abstract: "Validating admission webhook that keeps kube-singleton workloads at one replica.",
        subcommands: [ServeCommand.self, ReviewCommand.self]
    )
}
