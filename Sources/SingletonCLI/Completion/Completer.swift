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
/// object names when the answer is `.objects` or `.namespaces`.
public enum CompletionNeed: Sendable, Equatable {
    case fixed(CompletionResult)
    /// Names of workloads of `kind`, printed with the spelling the user typed (`deploy/`).
    case objects(kind: WorkloadKind, typedKind: String, prefix: String)
    case namespaces(prefix: String)
}

/// Decides completions from the typed words alone, so the protocol logic is tested without a cluster.
public enum Completer {
    /// Subcommands shown to users (the hidden `__complete` is not).
    public static let subcommands = ["enable", "disable", "list", "status", "leases", "lint", "install", "uninstall", "doctor", "version"]

    static let connectionFlags = ["--namespace", "-n", "--kubeconfig", "--context", "--cluster", "--user", "--request-timeout"]
    static let flagsBySubcommand: [String: [String]] = [
        "enable": ["--mode", "--pdb", "--service", "--lease", "--dry-run", "--output", "-o"],
        "disable": ["--dry-run", "--output", "-o"],
        "list": ["--all-namespaces", "-A", "--output", "-o"],
        "status": ["--output", "-o"],
        "leases": ["--all-namespaces", "-A", "--all", "--output", "-o"],
        "lint": ["--filename", "-f", "--output", "-o"],
        "install": ["--image", "--cert-manager", "--self-signed", "--failure-policy-scale", "--dry-run", "--output", "-o"],
        "uninstall": ["--dry-run"],
        "doctor": ["--output", "-o"],
        "version": ["--output", "-o"],
    ]
    static let outputsBySubcommand: [String: [String]] = [
        "enable": ["json", "yaml"], "disable": ["json", "yaml"], "list": ["wide", "json", "yaml"], "status": ["json", "yaml"],
        "leases": ["wide", "json", "yaml"], "lint": ["text", "json"], "install": ["yaml", "json"], "doctor": ["json", "yaml"],
        "version": ["json", "yaml"],
    ]
    static let kindSpellings = ["deployment", "statefulset", "replicaset", "replicationcontroller", "deploy", "sts", "rs", "rc"]

    /// `words` are the arguments after `kubectl singleton`; the last is the word being
    /// completed (empty when the cursor follows a space).
    public static func need(_ words: [String]) -> CompletionNeed {
        let current = words.last ?? ""
        let previous = words.count >= 2 ? words[words.count - 2] : nil
        let none = CompletionResult.noFileCompletion
        guard words.count > 1, let sub = words.first else {
            return .fixed(CompletionResult(candidates: subcommands.filter { $0.hasPrefix(current) }, directive: none))
        }
        guard subcommands.contains(sub) else { return .fixed(CompletionResult(candidates: [], directive: none)) }

        if let previous, previous.hasPrefix("-"), !previous.contains("=") {
            switch previous {
            case "-n", "--namespace": return .namespaces(prefix: current)
            case "-o", "--output":
                return .fixed(CompletionResult(candidates: (outputsBySubcommand[sub] ?? []).filter { $0.hasPrefix(current) }, directive: none))
            case "--mode":
                return .fixed(CompletionResult(candidates: SingletonMode.allCases.map(\.rawValue).filter { $0.hasPrefix(current) }, directive: none))
            case "--failure-policy-scale":
                return .fixed(CompletionResult(candidates: ["Ignore", "Fail"].filter { $0.hasPrefix(current) }, directive: none))
            case "-f", "--filename", "--kubeconfig":
                return .fixed(CompletionResult(candidates: [], directive: 0))
            case "--context", "--cluster", "--user", "--image", "--lease", "--request-timeout":
                return .fixed(CompletionResult(candidates: [], directive: none))
            default: break
            }
        }
        if current.hasPrefix("--dry-run=") {
            return .fixed(CompletionResult(candidates: ["none", "client", "server"].map { "--dry-run=" + $0 }.filter { $0.hasPrefix(current) }, directive: none))
        }
        if current.hasPrefix("-") {
            let flags = (flagsBySubcommand[sub] ?? []) + connectionFlags
            return .fixed(CompletionResult(candidates: flags.filter { $0.hasPrefix(current) }, directive: none))
        }
        guard ["enable", "disable", "status"].contains(sub) else {
            return .fixed(CompletionResult(candidates: [], directive: none))
        }
        let positional = words.dropFirst().dropLast().enumerated().filter { index, word in
            guard !word.hasPrefix("-") else { return false }
            let before = index == 0 ? sub : words[index]
            return !(before.hasPrefix("-") && !before.contains("=") && takesValue(before))
        }
        guard positional.isEmpty else { return .fixed(CompletionResult(candidates: [], directive: none)) }
        if let slash = current.firstIndex(of: "/") {
            let typed = String(current[..<slash])
            guard let kind = WorkloadKind(spelling: typed) else { return .fixed(CompletionResult(candidates: [], directive: none)) }
            return .objects(kind: kind, typedKind: typed, prefix: String(current[current.index(after: slash)...]))
        }
        return .fixed(CompletionResult(candidates: kindSpellings.map { $0 + "/" }.filter { $0.hasPrefix(current) },
                                       directive: none | CompletionResult.noSpace))
    }

    static func takesValue(_ flag: String) -> Bool {
        ["-n", "--namespace", "-o", "--output", "--mode", "--lease", "--dry-run", "--kubeconfig", "--context", "--cluster",
         "--user", "--request-timeout", "-f", "--filename", "--image", "--failure-policy-scale"].contains(flag)
    }

    /// The connection flags present in the words, so names come from the cluster and
    /// namespace the user is typing about.
    public static func connectionOptions(_ words: [String]) -> KubeOptions {
        // Parsed, not assigned: a ParsableArguments value must come from parsing.
        var args: [String] = []
        var i = 0
        let flags = ["-n", "--namespace", "--kubeconfig", "--context", "--cluster", "--user"]
        while i < words.count - 1 {
            if let eq = words[i].firstIndex(of: "="), flags.contains(String(words[i][..<eq])) {
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
