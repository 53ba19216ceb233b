/// Commands printed for the user to run. A rerun hint repeats the user's command word for
/// word (every flag kept, so the mode, the kubeconfig and the namespace cannot change); a
/// hint to run another command carries the user's connection flags and the namespace.
enum Hints {
    /// `kubectl singleton` plus the user's words, quoted for a POSIX shell where needed.
    static func rerun(_ env: CLIEnvironment) -> String {
        (["kubectl", "singleton"] + redacted(env.arguments).map(shellQuoted)).joined(separator: " ")
    }

    /// A bearer token is never printed (hints end up in CI logs): its value reads `<redacted>`.
    static func redacted(_ words: [String]) -> [String] {
        var out: [String] = []
        var hideNext = false
        for word in words {
            if hideNext {
                out.append("<redacted>")
                hideNext = false
            } else if word == "--token" {
                out.append(word)
                hideNext = true
            } else if word.hasPrefix("--token=") {
                out.append("--token=<redacted>")
            } else {
                out.append(word)
            }
        }
        return out
    }

    /// `kubectl singleton WORDS... -n NAMESPACE` plus the connection flags the user typed
    /// (`--kubeconfig`, `--context`, `--as`, ...), so it acts on the same cluster as the user.
    static func command(_ words: [String], namespace: String?, env: CLIEnvironment) -> String {
        var parts = ["kubectl", "singleton"] + words
        if let namespace { parts += ["-n", namespace] }
        parts += redacted(KubectlArguments.connectionFlags(in: env.arguments))
        return parts.map(shellQuoted).joined(separator: " ")
    }

    static func shellQuoted(_ word: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,@%+")
        if !word.isEmpty, word.allSatisfy({ safe.contains($0) }) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
