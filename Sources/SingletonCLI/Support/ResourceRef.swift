import ArgumentParser
import KubeAPIMachinery
import SingletonCore

/// A workload named on the command line: `deploy/web`, `statefulsets.apps/db`, or
/// `deployment web` as two words, in kubectl's spellings.
public struct ResourceRef: Sendable, Equatable, CustomStringConvertible {
    public var kind: ResourceKind
    public var name: String

    public init(kind: ResourceKind, name: String) {
        self.kind = kind
        self.name = name
    }

    /// Why a `KIND/NAME` argument was refused.
    public enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        case missingName(String)
        case unknownKind(String)
        case invalidName(String)
        /// The words do not form a target list kubectl would accept.
        case usage(String)

        public var description: String {
            switch self {
            case .missingName(let arg) where arg.isEmpty:
                return
                    "name at least one workload: KIND/NAME ... (deploy/web sts/db), KIND NAME ..., or KIND -l SELECTOR"
            case .missingName(let arg):
                return "\"\(arg)\" names no object: use KIND/NAME, for example deploy/web or statefulset/db"
            case .unknownKind(let kind):
                let known = ResourceKind.allCases.map { k in k.shortName.map { "\(k.singular) (\($0))" } ?? k.singular }
                return
                    "\"\(kind)\" is not a workload kind kube-singleton handles; use one of \(known.joined(separator: ", "))"
            case .invalidName(let name):
                return
                    "\"\(name)\" is not a valid object name (lower-case letters, digits, '-' and '.', at most 253 characters)"
            case .usage(let message):
                return message
            }
        }
    }

    /// Parses `KIND/NAME`, or `KIND` and `NAME` given as two arguments.
    public static func parse(_ arguments: [String]) throws(ParseError) -> ResourceRef {
        guard let first = arguments.first else { throw .missingName("") }
        let kindText: String
        let name: String
        if let slash = first.firstIndex(of: "/") {
            kindText = String(first[..<slash])
            name = String(first[first.index(after: slash)...])
        } else if arguments.count >= 2 {
            kindText = first
            name = arguments[1]
        } else {
            throw .missingName(first)
        }
        guard let kind = ResourceKind(spelling: kindText) else { throw .unknownKind(kindText) }
        guard isValidName(name) else {
            if name.isEmpty { throw .missingName(first) }
            throw .invalidName(name)
        }
        return ResourceRef(kind: kind, name: name)
    }

    /// DNS-1123 subdomain, as the API requires for workload names.
    static func isValidName(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= 253 else { return false }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-.")
        guard name.allSatisfy({ allowed.contains($0) }) else { return false }
        guard let first = name.first, let last = name.last else { return false }
        return (first.isLetter || first.isNumber) && (last.isLetter || last.isNumber)
    }

    /// `deployment.apps/web`, as kubectl prints it.
    public var description: String { "\(kind.qualifiedSingular)/\(name)" }
}

/// The workloads a command acts on, as kubectl reads them: `deploy/a sts/b`, `deploy a b`,
/// or a kind with `-l/--selector` (`deploy -l app=web`, `deploy,sts -l tier=db`).
public enum TargetSet: Sendable, Equatable {
    case refs([ResourceRef])
    case selector(kinds: [ResourceKind], selector: String)

    /// Parses the positional words and the `-l` value, with kubectl's rules and messages.
    public static func parse(_ arguments: [String], selector: String?) throws(ResourceRef.ParseError) -> TargetSet {
        guard let first = arguments.first else {
            throw selector == nil
                ? .missingName("") : .usage("-l/--selector needs a kind, for example: deploy -l app=web")
        }
        if first.contains("/") {
            if selector != nil {
                throw .usage("a name cannot be given with -l/--selector: use KIND -l SELECTOR, or KIND/NAME ...")
            }
            var refs: [ResourceRef] = []
            for word in arguments {
                guard word.contains("/") else {
                    throw .usage(
                        "\"\(word)\": give every workload as KIND/NAME when the first is (deploy/a deploy/b), or use KIND NAME NAME ..."
                    )
                }
                refs.append(try ResourceRef.parse([word]))
            }
            return .refs(refs)
        }
        var kinds: [ResourceKind] = []
        for spelling in first.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            guard let kind = ResourceKind(spelling: spelling) else { throw .unknownKind(spelling) }
            if !kinds.contains(kind) { kinds.append(kind) }
        }
        let names = arguments.dropFirst()
        if let selector {
            guard names.isEmpty else {
                throw .usage("a name cannot be given with -l/--selector: use KIND -l SELECTOR, or KIND NAME ...")
            }
            return .selector(kinds: kinds, selector: selector)
        }
        guard !names.isEmpty else { throw .missingName(first) }
        guard kinds.count == 1 else {
            throw .usage("\"\(first)\" names several kinds: give each workload as KIND/NAME, or use -l/--selector")
        }
        var refs: [ResourceRef] = []
        for name in names {
            if name.contains("/") {
                throw .usage(
                    "\"\(name)\": there is no need to name the kind twice; use \(first) NAME ... or KIND/NAME ...")
            }
            refs.append(try ResourceRef.parse([first, name]))
        }
        return .refs(refs)
    }

    /// The workloads themselves: the named ones, or those the selector matches in `namespace`
    /// (sorted by kind, then name, as `kubectl get` lists them).
    func resolve(_ api: any KubeAPI, namespace: String) async throws -> [ResourceRef] {
        switch self {
        case .refs(let refs):
            return refs
        case .selector(let kinds, let selector):
            var refs: [ResourceRef] = []
            for kind in kinds {
                let list = try await api.get(
                    kind.collectionPath(namespace: namespace) + "?labelSelector=" + JSONValue.escape(selector))
                let names = items(list).compactMap { $0[path: "metadata", "name"]?.stringValue }.sorted()
                refs += names.map { ResourceRef(kind: kind, name: $0) }
            }
            return refs
        }
    }
}

/// Positional targets plus `-l/--selector`, shared by the commands that act on workloads.
public struct TargetOptions: ParsableArguments, Sendable {
    @Argument(
        help: ArgumentHelp(
            "The workloads: KIND/NAME ... (deploy/web sts/db) or KIND NAME ...; with -l, KIND only.",
            valueName: "target"))
    public var target: [String] = []

    @Option(
        name: [.customShort("l"), .customLong("selector")],
        help: ArgumentHelp(
            "Act on every workload of KIND whose labels match (e.g. -l app=web,tier!=db).", valueName: "selector"))
    public var selector: String?

    public init() {}

    public func validate() throws {
        _ = try parsed()
    }

    /// The parsed targets; a usage error reads as kubectl's.
    public func parsed() throws -> TargetSet {
        do { return try TargetSet.parse(target, selector: selector) } catch { throw ValidationError(error.description) }
    }
}

/// An object's name as kubectl prints it: `deployment.apps/web`, `namespace/shop`,
/// `validatingwebhookconfiguration.admissionregistration.k8s.io/kube-singleton`.
func kubectlName(_ object: JSONValue) -> String {
    let kind = (object["kind"]?.stringValue ?? "").lowercased()
    let group = groupOf(apiVersion: object["apiVersion"]?.stringValue ?? "")
    return "\(group.isEmpty ? kind : "\(kind).\(group)")/\(object.name)"
}
