import ArgumentParser
import SingletonCore

/// `__complete`: answers kubectl's plugin completion (called by `kubectl_complete-singleton`).
struct CompleteCommand: ParsableCommand, PluginCommand {
    static let configuration = CommandConfiguration(commandName: "__complete", abstract: "Shell completion (Cobra protocol).",
                                                    shouldDisplay: false)

    @Argument(parsing: .allUnrecognized) var words: [String] = []

    func execute(in env: CLIEnvironment) async throws -> Int32 {
        let words = self.words.isEmpty ? [""] : self.words
        let result: CompletionResult
        switch Completer.need(words) {
        case .fixed(let fixed):
            result = fixed
        case .objects(let kind, let typed, let prefix):
            let names = await objectNames(env, words: words, path: { kind.collectionPath(namespace: $0) })
            result = CompletionResult(candidates: names.filter { $0.hasPrefix(prefix) }.map { "\(typed)/\($0)" },
                                      directive: CompletionResult.noFileCompletion)
        case .namespaces(let prefix):
            let names = await objectNames(env, words: words, path: { _ in "/api/v1/namespaces" })
            result = CompletionResult(candidates: names.filter { $0.hasPrefix(prefix) }, directive: CompletionResult.noFileCompletion)
        }
        env.out.write(result.rendered)
        return 0
    }

    /// Names from the cluster; no cluster means no candidates, never an error on the terminal.
    private func objectNames(_ env: CLIEnvironment, words: [String], path: (String) -> String) async -> [String] {
        let options = Completer.connectionOptions(words)
        guard let api = try? env.connector.connect(options) else { return [] }
        let namespace = options.namespace ?? api.defaultNamespace
        guard let list = try? await api.get(path(namespace)) else { return [] }
        return (list["items"]?.arrayValue ?? []).compactMap { $0[path: "metadata", "name"]?.stringValue }.sorted()
    }
}
