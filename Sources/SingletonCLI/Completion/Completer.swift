import SingletonCore

/// Cobra's shell-completion protocol, which kubectl 1.26+ speaks with plugins through an
/// executable `kubectl_complete-singleton`: one candidate per line, then `:<directive>`.
public struct CompletionResult: Sendable, Equatable {
    public var candidates: [String]
    public var directive: Int

    public init(candidates: [String], directive: Int) {
        self.candidates = candidates
        self.directive = directive
    }

    /// Cobra's directive bits.
    public static let noSpace = 2
    public static let noFileCompletion = 4

    public var rendered: String {
        candidates.map { $0 + "\n" }.joined() + ":\(directive)\n"
    }
}

/// What to complete, decided from the words alone (pure); `CompleteCommand` then fetches
/// object names, namespaces or kubeconfig entries when the answer asks for them.
public enum CompletionNeed: Sendable, Equatable {
    case fixed(CompletionResult)
    /// Names of workloads of `kind`, printed as `typedKind/NAME` (the spelling the user
    /// typed) or, with no typed kind, as plain names (`enable deploy a b`).
    case objects(kind: ResourceKind, typedKind: String?, prefix: String)
    case namespaces(prefix: String)
    /// Names of kubeconfig entries: `contexts`, `clusters` or `users`.
    case kubeconfig(section: String, prefix: String)
}

/// Decides completions from the typed words alone, so the protocol logic is tested without a cluster.
public enum Completer {
    /// Subcommands shown to users (the hidden `__complete` is not).
    public static let subcommands = [
        "enable", "disable", "list", "status", "leases", "lint", "install", "uninstall", "doctor", "version",
    ]

    static let connectionFlags = [
        "--namespace", "-n", "--kubeconfig", "--context", "--cluster", "--user", "--request-timeout",
        "--as", "--as-group", "--token", "--server", "-s", "--certificate-authority",
        "--insecure-skip-tls-verify", "-v",
    ]
    static let flagsBySubcommand: [String: [String]] = [
        "enable": [
            "--mode", "--enforcement", "--pdb", "--service", "--lease", "--dry-run", "--selector", "-l", "--output",
            "-o",
        ],
        "disable": ["--dry-run", "--selector", "-l"],
        "list": ["--all-namespaces", "-A", "--selector", "-l", "--no-headers", "--output", "-o"],
        "status": ["--selector", "-l", "--output", "-o"],
        "leases": ["--all-namespaces", "-A", "--all", "--no-headers", "--output", "-o"],
        "lint": ["--filename", "-f", "--kustomize", "-k", "--recursive", "-R", "--output", "-o"],
        "install": [
            "--image", "--cert-manager", "--self-signed", "--failure-policy-scale", "--dry-run", "--output", "-o",
        ],
        "uninstall": ["--dry-run"],
        "doctor": ["--output", "-o"],
        "version": ["--client", "--output", "-o"],
    ]
    /// What each command's `-o` accepts, from the commands themselves.
    static let outputsBySubcommand: [String: [String]] = [
        "enable": EnableCommand.outputs, "list": ListCommand.outputs, "status": StatusCommand.outputs,
        "leases": LeasesCommand.outputs, "lint": LintCommand.outputs, "install": InstallCommand.outputs,
        "doctor": DoctorCommand.outputs,
        "version": VersionCommand.outputs,
    ]
    /// Each kind's singular and short name (`deployment`, `deploy`, ..., `cronjob`, `cj`, `job`).
    static let kindSpellings = ResourceKind.allCases.map(\.singular) + ResourceKind.allCases.compactMap(\.shortName)
    /// Flags whose value is a file or a directory: the shell completes paths.
    static let fileFlags: Set<String> = ["-f", "--filename", "--kubeconfig", "--certificate-authority"]
    static let directoryFlags: Set<String> = ["-k", "--kustomize"]

    /// `words` are the arguments after `kubectl singleton`; the last is the word being
    /// completed (empty when the cursor follows a space).
    public static func need(_ words: [String]) -> CompletionNeed {
        let current = words.last ?? ""
        let typed = Array(words.dropLast())
        let none = CompletionResult.noFileCompletion
        // The subcommand is the first word that is neither a flag nor a flag's value
        // (global flags may come first: `-n shop enable ...`).
        let (positionals, sub) = split(typed)
        guard let sub else {
            if current.hasPrefix("-"), !current.contains("=") {
                return .fixed(
                    CompletionResult(candidates: connectionFlags.filter { $0.hasPrefix(current) }, directive: none))
            }
            if let flagValue = valueNeed(for: current, previous: typed.last, sub: nil) { return flagValue }
            return .fixed(CompletionResult(candidates: subcommands.filter { $0.hasPrefix(current) }, directive: none))
        }
        guard subcommands.contains(sub) else { return .fixed(CompletionResult(candidates: [], directive: none)) }
        if let flagValue = valueNeed(for: current, previous: typed.last, sub: sub) { return flagValue }
        if current.hasPrefix("-") {
            let flags = (flagsBySubcommand[sub] ?? []) + connectionFlags
            return .fixed(CompletionResult(candidates: flags.filter { $0.hasPrefix(current) }, directive: none))
        }
        guard ["enable", "disable", "status"].contains(sub) else {
            return .fixed(CompletionResult(candidates: [], directive: none))
        }
        let kindsWithSlash = CompletionResult(
            candidates: kindSpellings.map { $0 + "/" }.filter { $0.hasPrefix(current) },
            directive: none | CompletionResult.noSpace)
        // `deploy a b`: after a bare kind, names of that kind.
        if let first = positionals.first, !first.contains("/") {
            guard let kind = ResourceKind(spelling: first) else {
                return .fixed(CompletionResult(candidates: [], directive: none))
            }
            return .objects(kind: kind, typedKind: nil, prefix: current)
        }
        if let slash = current.firstIndex(of: "/") {
            let typedKind = String(current[..<slash])
            guard let kind = ResourceKind(spelling: typedKind) else {
                return .fixed(CompletionResult(candidates: [], directive: none))
            }
            return .objects(kind: kind, typedKind: typedKind, prefix: String(current[current.index(after: slash)...]))
        }
        // Another KIND/NAME (several targets are allowed).
        return .fixed(kindsWithSlash)
    }

    /// The completion of a flag's value: `--mode=` (the value after `=`, as Cobra answers)
    /// or `--mode ` (the previous word is a flag that takes a value). Nil when not a value.
    static func valueNeed(for current: String, previous: String?, sub: String?) -> CompletionNeed? {
        let flag: String, prefix: String
        if current.hasPrefix("-"), let eq = current.firstIndex(of: "=") {
            flag = String(current[..<eq])
            prefix = String(current[current.index(after: eq)...])
        } else if let previous, previous.hasPrefix("-"), !previous.contains("="), takesValue(previous) {
            flag = previous
            prefix = current
        } else {
            return nil
        }
        let none = CompletionResult.noFileCompletion
        func fixed(_ values: [String]) -> CompletionNeed {
            .fixed(CompletionResult(candidates: values.filter { $0.hasPrefix(prefix) }, directive: none))
        }
        switch flag {
        case "-n", "--namespace": return .namespaces(prefix: prefix)
        case "--context": return .kubeconfig(section: "contexts", prefix: prefix)
        case "--cluster": return .kubeconfig(section: "clusters", prefix: prefix)
        case "--user": return .kubeconfig(section: "users", prefix: prefix)
        case "-o", "--output":
            let accepted = sub.flatMap { outputsBySubcommand[$0] } ?? []
            return fixed(accepted.map { $0 == "jsonpath" ? "jsonpath=" : $0 })
        case "--mode": return fixed(SingletonMode.allCases.map(\.rawValue))
        case "--enforcement": return fixed(Enforcement.allCases.map(\.rawValue))
        case "--dry-run": return fixed(["none", "client", "server"])
        case "--failure-policy-scale": return fixed(FailurePolicy.allCases.map(\.rawValue))
        case "-v", "--v": return fixed((0...9).map(String.init))
        default:
            if fileFlags.contains(flag) { return .fixed(CompletionResult(candidates: [], directive: 0)) }
            // Cobra's ShellCompDirectiveFilterDirs: the shell offers directories only.
            if directoryFlags.contains(flag) { return .fixed(CompletionResult(candidates: [], directive: 16)) }
            return fixed([])
        }
    }

    /// The positional words and the subcommand among `typed` (flags and their values skipped).
    static func split(_ typed: [String]) -> (positionals: [String], sub: String?) {
        var sub: String?
        var positionals: [String] = []
        var i = 0
        while i < typed.count {
            let word = typed[i]
            i += 1
            if word.hasPrefix("-") {
                if !word.contains("="), takesValue(word) { i += 1 }
                continue
            }
            if sub == nil { sub = word } else { positionals.append(word) }
        }
        return (positionals, sub)
    }

    /// Flags that take the next word as their value. `--dry-run` does not: bare, it means
    /// client (a value needs `=`), as in kubectl.
    static func takesValue(_ flag: String) -> Bool {
        (KubectlArguments.valueFlags.union(KubectlArguments.commandValueFlags)).contains(flag)
    }
    /// The connection flags present in the words, so names come from the cluster and
    /// namespace the user is typing about.
    public static func connectionOptions(_ words: [String]) -> KubeOptions {
        // Parsed, not assigned: a ParsableArguments value must come from parsing.
        var args: [String] = []
        var i = 0
        let words = KubectlArguments.normalize(Array(words.dropLast())) + [words.last ?? ""]
        let flags = [
            "-n", "--namespace", "--kubeconfig", "--context", "--cluster", "--user", "--as", "--as-group", "--token",
            "-s", "--server", "--certificate-authority",
        ]
        while i < words.count - 1 {
            if let eq = words[i].firstIndex(of: "="), flags.contains(String(words[i][..<eq])) {
                args.append(words[i])
                i += 1
            } else if words[i] == "--insecure-skip-tls-verify" {
                args.append(words[i])
                i += 1
            } else if flags.contains(words[i]) {
                args += [words[i], words[i + 1]]
                i += 2
            } else {
                i += 1
            }
        }
        return (try? KubeOptions.parse(args)) ?? KubeOptions.defaults
    }
}
