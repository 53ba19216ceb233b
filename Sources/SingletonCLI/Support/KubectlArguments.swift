/// kubectl's global flags as the plugin reads them from its own argv (kubectl hands a
/// plugin every word after its name, unparsed).
enum KubectlArguments {
    /// Global flags that take a value, in every spelling.
    static let valueFlags: Set<String> = [
        "-n", "--namespace", "--kubeconfig", "--context", "--cluster", "--user", "--request-timeout",
        "--as", "--as-group", "--token", "-s", "--server", "--certificate-authority", "-v", "--v",
    ]
    /// Global flags that take no value.
    static let booleanFlags: Set<String> = ["--insecure-skip-tls-verify"]

    /// The connection flags among `arguments` (everything global but the namespace and the
    /// log level), in the user's spelling, so a suggested command reaches the same cluster.
    static func connectionFlags(in arguments: [String]) -> [String] {
        var result: [String] = []
        var i = 0
        let skipped: Set<String> = ["-n", "--namespace", "-v", "--v"]
        while i < arguments.count {
            let word = arguments[i]
            if word == "--" { break }
            let name = word.split(separator: "=", maxSplits: 1).first.map(String.init) ?? word
            if valueFlags.contains(name) {
                let hasValue = word.contains("=")
                if !skipped.contains(name) {
                    result.append(word)
                    if !hasValue, i + 1 < arguments.count { result.append(arguments[i + 1]) }
                }
                i += hasValue ? 1 : 2
                continue
            }
            if booleanFlags.contains(name) { result.append(word) }
            i += 1
        }
        return result
    }

    /// Options of the subcommands that take a value (so their value is never read as a flag
    /// or as the subcommand's name).
    static let commandValueFlags: Set<String> = [
        "-o", "--output", "-l", "--selector", "-f", "--filename", "-k", "--kustomize", "--mode", "--lease", "--image",
        "--enforcement",
        "--failure-policy-scale",
    ]
    /// Short options whose value kubectl (pflag) also reads attached: `-nshop`, `-ojson`, `-v6`.
    static let attachableShort: Set<Character> = ["n", "o", "l", "f", "k", "s", "v"]

    /// Rewrites the words into what the argument parser reads, with kubectl's meaning:
    /// global flags given before the subcommand move after it (`-n shop list`); `-nshop`
    /// and `-n=shop` become `-n shop`; a bare `--dry-run` is `--dry-run=client`. Words after
    /// `--` and the completion protocol's words are left alone.
    static func normalize(_ arguments: [String]) -> [String] {
        guard arguments.first != "__complete" else { return arguments }
        var words: [String] = []
        var i = 0
        var expectingValue = false
        while i < arguments.count {
            let word = arguments[i]
            i += 1
            if expectingValue {
                words.append(word)
                expectingValue = false
                continue
            }
            if word == "--" {
                words += [word] + arguments[i...]
                break
            }
            if word == "--dry-run" {
                words.append("--dry-run=client")
                continue
            }
            if word.count > 2, word.hasPrefix("-"), !word.hasPrefix("--"), let letter = word.dropFirst().first,
                attachableShort.contains(letter)
            {
                var value = String(word.dropFirst(2))
                if value.hasPrefix("=") { value.removeFirst() }
                words += ["-\(letter)", value]
                continue
            }
            words.append(word)
            let name = word.split(separator: "=", maxSplits: 1).first.map(String.init) ?? word
            if !word.contains("="), valueFlags.contains(name) || commandValueFlags.contains(name) {
                expectingValue = true
            }
        }
        return movingGlobalFlagsAfterSubcommand(words)
    }

    /// `-n shop --context x list -A` → `list -n shop --context x -A`: kubectl takes its
    /// global flags anywhere; the parser wants them after the subcommand.
    static func movingGlobalFlagsAfterSubcommand(_ words: [String]) -> [String] {
        var leading: [String] = []
        var i = 0
        while i < words.count {
            let word = words[i]
            let name = word.split(separator: "=", maxSplits: 1).first.map(String.init) ?? word
            if valueFlags.contains(name) {
                leading.append(word)
                if !word.contains("="), i + 1 < words.count { leading.append(words[i + 1]); i += 1 }
                i += 1
            } else if booleanFlags.contains(name) {
                leading.append(word)
                i += 1
            } else {
                break
            }
        }
        guard !leading.isEmpty, i < words.count, !words[i].hasPrefix("-") else { return words }
        return [words[i]] + leading + words[(i + 1)...]
    }
}
