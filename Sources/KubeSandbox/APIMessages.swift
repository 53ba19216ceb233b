import Foundation
import KubeAPIMachinery

/// A request as the sandbox's API layer sees it, independent of the HTTP server.
public struct APIRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [String: String]
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: Data
    /// Set by authentication; nil means anonymous (rejected with 401).
    public var user: UserInfo?

    public init(
        method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:],
        body: Data = Data(), user: UserInfo?
    ) {
        self.method = method.uppercased()
        self.path = path
        self.query = query
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { _, b in b })
        self.body = body
        self.user = user
    }

    var isDryRun: Bool { query["dryRun"] == "All" }
}

/// A response: complete JSON, or a stream of newline-delimited watch events.
public struct APIResponse: Sendable {
    public enum Body: Sendable {
        case data(Data)
        case stream(AsyncStream<Data>)
    }
    public var status: Int
    public var headers: [(String, String)]
    public var body: Body

    public init(status: Int, headers: [(String, String)] = [], body: Body) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    static func json(_ value: JSONValue, status: Int = 200, warnings: [String] = []) -> APIResponse {
        var headers = [("Content-Type", "application/json")]
        for w in warnings { headers.append(("Warning", warningHeader(w))) }
        return APIResponse(status: status, headers: headers, body: .data(value.serialized()))
    }

    static func error(_ e: KubeAPIError, warnings: [String] = []) -> APIResponse {
        json(e.statusObject, status: e.code, warnings: warnings)
    }

    /// RFC 7234 warning value as the apiserver sends it: `299 - "text"`.
    static func warningHeader(_ text: String) -> String {
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: " ")
        return "299 - \"\(escaped)\""
    }

    /// The body as bytes (nil for streams); convenient in tests.
    public var data: Data? {
        if case .data(let d) = body { return d }
        return nil
    }
}

/// Where a resource URL points: type, namespace (nil = all), name, subresource.
struct RequestTarget {
    var type: ResourceType
    var namespace: String?
    var name: String?
    var subresource: String
    var watchPath: Bool

    /// Parses `/api/v1/...` and `/apis/G/V/...`; nil when the path is not a resource URL.
    static func parse(
        _ segments: [String], _ catalog: Catalog = ResourceCatalog.builtins
    ) throws(KubeAPIError) -> RequestTarget? {
        var rest: [String]
        let group: String, version: String
        if segments.count >= 3, segments[0] == "api" {
            (group, version) = ("", segments[1]); rest = Array(segments[2...])
        } else if segments.count >= 4, segments[0] == "apis" {
            (group, version) = (segments[1], segments[2]); rest = Array(segments[3...])
        } else {
            return nil
        }
        var watch = false
        if rest.first == "watch" { watch = true; rest.removeFirst() }
        guard !rest.isEmpty else { return nil }
        func find(_ r: String) throws(KubeAPIError) -> ResourceType {
            guard let t = catalog.find(group: group, version: version, resource: r) else {
                throw KubeAPIError.notFoundPath("")
            }
            return t
        }
        if rest[0] == "namespaces", rest.count >= 3,
            let t = catalog.find(group: group, version: version, resource: rest[2]), t.namespaced
        {
            return RequestTarget(
                type: t, namespace: rest[1], name: rest.count > 3 ? rest[3] : nil,
                subresource: rest.count > 4 ? rest[4] : "", watchPath: watch)
        }
        let t = try find(rest[0])
        return RequestTarget(
            type: t, namespace: nil, name: rest.count > 1 ? rest[1] : nil,
            subresource: rest.count > 2 ? rest[2] : "", watchPath: watch)
    }
}
