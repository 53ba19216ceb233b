import ArgumentParser
import Foundation
import SingletonCore

/// `__complete`: answers kubectl's plugin completion (called by `kubectl_complete-singleton`).
struct CompleteCommand: ParsableCommand, PluginCommand {
    static let configuration = CommandConfiguration(
        commandName: "__complete", abstract: "Shell completion (Cobra protocol).",
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
            let kindPrefix = typed.map { "\($0)/" } ?? ""
            result = CompletionResult(
                candidates: names.filter { $0.hasPrefix(prefix) }.map { kindPrefix + $0 },
                directive: CompletionResult.noFileCompletion)
        case .kubeconfig(let section, let prefix):
            let names = kubeconfigNames(env, words: words, section: section)
            result = CompletionResult(
                candidates: names.filter { $0.hasPrefix(prefix) }, directive: CompletionResult.noFileCompletion)
        case .namespaces(let prefix):
            let names = await objectNames(env, words: words, path: { _ in "/api/v1/namespaces" })
            result = CompletionResult(
                candidates: names.filter { $0.hasPrefix(prefix) }, directive: CompletionResult.noFileCompletion)
        }
        env.out.write(result.rendered)
        return 0
    }

    /// Entry names of the kubeconfig files kubectl would read (--kubeconfig, else
    /// $KUBECONFIG, else ~/.kube/config), in file order without repeats.
    private func kubeconfigNames(_ env: CLIEnvironment, words: [String], section: String) -> [String] {
        let options = Completer.connectionOptions(words)
        let files: [String]
        if let explicit = options.kubeconfig {
            files = [explicit]
        } else if let list = env.variables["KUBECONFIG"], !list.isEmpty {
            files = list.split(separator: ":").map(String.init)
        } else {
            files = env.variables["HOME"].map { ["\($0)/.kube/config"] } ?? []
        }
        var names: [String] = []
        for file in files {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8),
                let doc = try? YAMLBridge.documents(text).first
            else { continue }
            for entry in doc[section]?.arrayValue ?? [] {
                if let name = entry["name"]?.stringValue, !names.contains(name) { names.append(name) }
            }
        }
        return names
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
