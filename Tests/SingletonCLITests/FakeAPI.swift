import Foundation
import KubeAPIMachinery
import SingletonCLI
import SingletonCore
import Synchronization

/// A minimal in-memory API, ONLY for unit-testing command logic (which requests a command
/// sends, how it reports partial failures). It is not a Kubernetes: no admission, no
/// defaulting, no discovery. The end-to-end tests run against KubeSandbox with real kubectl.
final class FakeAPI: KubeAPI, KubeConnector {
    struct Request: Equatable {
        var verb: String
        var path: String
        var body: JSONValue?
        var dryRun: DryRunMode
    }

    private struct State {
        var objects: [String: JSONValue] = [:]
        var requests: [Request] = []
        /// "VERB path" -> the failure to answer with (every time).
        var failures: [String: KubeAPIError] = [:]
        /// "VERB path" -> conflicts still to answer before succeeding.
        var conflicts: [String: Int] = [:]
        var nextUID = 1
        var accessDecider: (@Sendable (JSONValue) -> Bool)?
    }

    private let state = Mutex(State())
    let defaultNamespace: String

    init(namespace: String = "default") { defaultNamespace = namespace }

    func connect(_ options: KubeOptions) throws -> any KubeAPI { self }

    var requests: [Request] { state.withLock { $0.requests } }
    var writes: [Request] { requests.filter { $0.verb != "GET" } }
    /// Writes that store or change objects (SelfSubjectAccessReviews store nothing).
    var objectWrites: [Request] { writes.filter { !$0.path.hasSuffix("/selfsubjectaccessreviews") } }
    /// Answers SelfSubjectAccessReviews with `decide(resourceAttributes)`; unanswered (404) until set.
    func accessReviews(_ decide: @escaping @Sendable (JSONValue) -> Bool) {
        state.withLock { $0.accessDecider = decide }
    }
    func object(_ path: String) -> JSONValue? { state.withLock { $0.objects[path] } }
    func fail(_ verb: String, _ path: String, with failure: KubeAPIError) {
        state.withLock { $0.failures["\(verb) \(path)"] = failure }
    }
    func clearFailures() { state.withLock { $0.failures = [:] } }
    func conflict(_ verb: String, _ path: String, times: Int) {
        state.withLock { $0.conflicts["\(verb) \(path)"] = times }
    }

    /// Stores an object at its path (collection + name), giving it a uid.
    @discardableResult
    func seed(_ collection: String, _ object: JSONValue) -> JSONValue {
        state.withLock { s in
            var o = object
            if o[path: "metadata", "uid"] == nil {
                o = o.applyingMergePatch(["metadata": ["uid": .string("uid-\(s.nextUID)")]])
                s.nextUID += 1
            }
            s.objects["\(collection)/\(o[path: "metadata", "name"]?.stringValue ?? "")"] = o
            return o
        }
    }

    private func check(_ s: inout State, _ verb: String, _ path: String) throws(KubeAPIError) {
        if let f = s.failures["\(verb) \(path)"] { throw f }
        if let n = s.conflicts["\(verb) \(path)"], n > 0 {
            s.conflicts["\(verb) \(path)"] = n - 1
            throw KubeAPIError(
                code: 409, reason: "Conflict",
                message: "the object has been modified; please apply your changes to the latest version and try again")
        }
    }

    func get(_ path: String) async throws(KubeAPIError) -> JSONValue {
        try state.withLock { (s: inout State) throws(KubeAPIError) -> JSONValue in
            s.requests.append(Request(verb: "GET", path: path, body: nil, dryRun: .none))
            try check(&s, "GET", path)
            if let o = s.objects[path] { return o }
            let items = s.objects.keys.sorted().filter { key in
                guard key.hasPrefix(path + "/") else { return Self.clusterWide(path, matches: key) }
                return !key.dropFirst(path.count + 1).contains("/")
            }.compactMap { s.objects[$0] }
            guard Self.isCollection(path) else {
                throw KubeAPIError(code: 404, reason: "NotFound", message: "\(path) not found")
            }
            return ["kind": "List", "items": .array(items)]
        }
    }

    /// `/apis/apps/v1/deployments` lists `/apis/apps/v1/namespaces/*/deployments/*`.
    static func clusterWide(_ path: String, matches key: String) -> Bool {
        let p = path.split(separator: "/")
        let k = key.split(separator: "/")
        guard let resource = p.last, k.count == p.count + 3, k[p.count - 1] == "namespaces" else { return false }
        return Array(k.prefix(p.count - 1)) == Array(p.dropLast()) && k[k.count - 2] == resource
    }

    /// Collection paths end in a plural resource right after a namespace or the group version.
    static func isCollection(_ path: String) -> Bool {
        let parts = path.split(separator: "/")
        let rest = parts.dropFirst(parts.first == "api" ? 2 : 3)
        if rest.first == "namespaces", rest.count >= 3 { return rest.count == 3 }
        return rest.count == 1
    }

    func create(_ path: String, _ body: JSONValue, dryRun: DryRunMode) async throws(KubeAPIError) -> JSONValue {
        try state.withLock { (s: inout State) throws(KubeAPIError) -> JSONValue in
            s.requests.append(Request(verb: "POST", path: path, body: body, dryRun: dryRun))
            try check(&s, "POST", path)
            if path.hasSuffix("/selfsubjectaccessreviews") {
                guard let decide = s.accessDecider else {
                    throw KubeAPIError(
                        code: 404, reason: "NotFound", message: "the server could not find the requested resource")
                }
                return body.applyingMergePatch([
                    "status": ["allowed": .bool(decide(body[path: "spec", "resourceAttributes"] ?? .null))]
                ])
            }
            let key = "\(path)/\(body[path: "metadata", "name"]?.stringValue ?? "")"
            guard s.objects[key] == nil else {
                throw KubeAPIError(code: 409, reason: "AlreadyExists", message: "\(key) already exists")
            }
            let stored = body.applyingMergePatch(["metadata": ["uid": .string("uid-\(s.nextUID)")]])
            s.nextUID += 1
            if dryRun == .none { s.objects[key] = stored }
            return stored
        }
    }

    func patch(
        _ path: String, _ body: JSONValue, type: PatchType, dryRun: DryRunMode
    ) async throws(KubeAPIError) -> JSONValue {
        try state.withLock { (s: inout State) throws(KubeAPIError) -> JSONValue in
            s.requests.append(Request(verb: "PATCH", path: path, body: body, dryRun: dryRun))
            try check(&s, "PATCH", path)
            guard let existing = s.objects[path] else {
                throw KubeAPIError(code: 404, reason: "NotFound", message: "\(path) not found")
            }
            let updated = existing.applyingMergePatch(body)
            if dryRun == .none { s.objects[path] = updated }
            return updated
        }
    }

    func delete(_ path: String, dryRun: DryRunMode) async throws(KubeAPIError) {
        try state.withLock { (s: inout State) throws(KubeAPIError) in
            s.requests.append(Request(verb: "DELETE", path: path, body: nil, dryRun: dryRun))
            try check(&s, "DELETE", path)
            guard s.objects[path] != nil else {
                throw KubeAPIError(code: 404, reason: "NotFound", message: "\(path) not found")
            }
            if dryRun == .none { s.objects[path] = nil }
        }
    }
}
