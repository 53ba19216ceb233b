import Foundation
import Synchronization
import KubeAPIMachinery
import Testing
@testable import KubeSandbox

/// A transport for unit tests of admission logic: answers from a closure and records calls.
final class RecordingTransport: WebhookTransport, Sendable {
    private let recorded = Mutex<[WebhookCall]>([])
    let answer: @Sendable (WebhookCall, JSONValue) throws -> JSONValue

    init(answer: @escaping @Sendable (WebhookCall, JSONValue) throws -> JSONValue) { self.answer = answer }

    var calls: [WebhookCall] { recorded.withLock { $0 } }

    func post(_ call: WebhookCall) async throws -> Data {
        recorded.withLock { $0.append(call) }
        let review = try JSONValue.parse(call.body)
        return try answer(call, review).serialized()
    }

    /// Builds an AdmissionReview response for `review`.
    static func response(
        _ review: JSONValue, allowed: Bool, message: String? = nil, code: Int? = nil,
        warnings: [String] = []
    ) -> JSONValue {
        var r: [String: JSONValue] = ["uid": review[path: "request", "uid"] ?? "", "allowed": .bool(allowed)]
        var status: [String: JSONValue] = [:]
        if let message { status["message"] = .string(message) }
        if let code { status["code"] = .int(Int64(code)) }
        if !status.isEmpty { r["status"] = .object(status) }
        if !warnings.isEmpty { r["warnings"] = .array(warnings.map { .string($0) }) }
        return ["apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": .object(r)]
    }
}

let admin = UserInfo(username: "sandbox-admin", groups: ["system:masters", "system:authenticated"])

func makeAPI(
    controllers: Bool = false, transport: (any WebhookTransport)? = nil, eventCapacity: Int = 1000
) -> SandboxAPI {
    let t = transport ?? RecordingTransport { _, review in RecordingTransport.response(review, allowed: true) }
    return SandboxAPI(
        dispatcher: AdmissionDispatcher(transport: t), controllersEnabled: controllers, eventCapacity: eventCapacity)
}

struct Reply {
    var status: Int
    var body: JSONValue
    var headers: [(String, String)]
    var warnings: [String] { headers.filter { $0.0 == "Warning" }.map(\.1) }
    var message: String { body["message"]?.stringValue ?? "" }
}

func call(
    _ api: SandboxAPI, _ method: String, _ path: String, _ body: JSONValue? = nil, query: [String: String] = [:],
    contentType: String = "application/json", accept: String = "application/json", user: UserInfo? = admin
) async throws -> Reply {
    let req = APIRequest(
        method: method, path: path, query: query,
        headers: ["Content-Type": contentType, "Accept": accept],
        body: body?.serialized() ?? Data(), user: user)
    let r = await api.handle(req)
    let data = try #require(r.data, "expected a complete body")
    return Reply(status: r.status, body: try JSONValue.parse(data), headers: r.headers)
}

func deployment(
    _ name: String, replicas: Int = 1, annotations: [String: String] = [:], namespace: String = "default"
) -> JSONValue {
    var meta: [String: JSONValue] = [
        "name": .string(name), "namespace": .string(namespace), "labels": ["app": .string(name)],
    ]
    if !annotations.isEmpty { meta["annotations"] = .object(annotations.mapValues { .string($0) }) }
    return [
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": .object(meta),
        "spec": [
            "replicas": .int(Int64(replicas)), "selector": ["matchLabels": ["app": .string(name)]],
            "template": [
                "metadata": ["labels": ["app": .string(name)]],
                "spec": ["containers": [["name": "app", "image": "nginx:1.27", "ports": [["containerPort": 80]]]]],
            ],
        ],
    ]
}

let deploymentsPath = "/apis/apps/v1/namespaces/default/deployments"
