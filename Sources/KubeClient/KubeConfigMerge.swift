import Foundation

/// Several kubeconfig files merged with kubectl's rules.
///
/// Why pure: the rules are subtle (the *first* file to define a name wins, unlike most config
/// systems) and must be tested without touching `$HOME`.
struct MergedKubeConfig: Sendable {
    /// The files in precedence order (for messages).
    var files: [String]
    var currentContext: String?
    var clusters: [String: ClusterEntry] = [:]
    var contexts: [String: ContextEntry] = [:]
    var users: [String: UserEntry] = [:]

    /// Merges `files` in order: a cluster, context or user name defined in an earlier file hides
    /// later definitions; `current-context` comes from the first file that sets a non-empty one.
    init(merging files: [KubeConfigFile]) {
        self.files = files.map(\.path)
        for file in files {
            if currentContext == nil, let current = file.currentContext, !current.isEmpty {
                currentContext = current
            }
            for (name, value) in file.clusters where clusters[name] == nil { clusters[name] = value }
            for (name, value) in file.contexts where contexts[name] == nil { contexts[name] = value }
            for (name, value) in file.users where users[name] == nil { users[name] = value }
        }
    }

    var isEmpty: Bool { clusters.isEmpty && contexts.isEmpty && users.isEmpty && currentContext == nil }

    /// `/a/config, /b/config` for messages.
    var filesDescription: String { files.isEmpty ? "(no kubeconfig file)" : files.joined(separator: ", ") }
}
