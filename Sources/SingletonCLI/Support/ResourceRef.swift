import SingletonCore

/// A workload named on the command line: `deploy/web`, `statefulsets.apps/db`, or
/// `deployment web` as two words, in kubectl's spellings.
public struct ResourceRef: Sendable, Equatable, CustomStringConvertible {
    public var kind: WorkloadKind
    public var name: String

    public init(kind: WorkloadKind, name: String) {
        self.kind = kind
        self.name = name
    }

    /// Why a `KIND/NAME` argument was refused.
    public enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        case missingName(String)
        case unknownKind(String)
        case invalidName(String)

        public var description: String {
            switch self {
            case .missingName(let arg):
                return "\"\(arg)\" names no object: use KIND/NAME, for example deploy/web or statefulset/db"
            case .unknownKind(let kind):
                return "\"\(kind)\" is not a workload kind kube-singleton handles; use one of deployment (deploy), statefulset (sts), replicaset (rs), replicationcontroller (rc)"
            case .invalidName(let name):
                return "\"\(name)\" is not a valid object name (lower-case letters, digits, '-' and '.', at most 253 characters)"
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
        guard let kind = WorkloadKind(spelling: kindText) else { throw .unknownKind(kindText) }
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
