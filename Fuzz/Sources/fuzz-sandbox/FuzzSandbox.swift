import Foundation
@testable import KubeSandbox
import KubeAPIMachinery

/// The sandbox's readers of client bytes, as a request hands them over. The first byte picks
/// the reader; the rest is its input. A patch applies to the JSON before its first NUL byte,
/// or (with no NUL) to a Deployment. Errors are answers (a `KubeAPIError` the client sees);
/// a crash or a hang (libFuzzer's -timeout) fails.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSandbox(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let bytes, count > 0 else { return 0 }
    let input = Data(bytes: bytes + 1, count: count - 1)
    switch bytes[0] % 8 {
    case 0: _ = try? JSONValue.parse(input)  // POST/PUT bodies, JSON
    case 1: _ = try? ProtobufDecoding.decode(input)  // POST bodies, protobuf
    case 2: patch(input) { patch, doc throws(KubeAPIError) in try JSONPatch.apply(patch, to: doc) }
    case 3: patch(input) { patch, doc throws(KubeAPIError) in try StrategicMerge.apply(patch, to: doc) }
    case 4: patch(input) { patch, doc in doc.applyingMergePatch(patch) }
    case 5:  // ?labelSelector=
        if let query = try? LabelQuery.parse(String(decoding: input, as: UTF8.self)) {
            _ = query.matches(["app": "web", "tier": "front"])
        }
    case 6:  // ?fieldSelector=
        if let query = try? FieldQuery.parse(String(decoding: input, as: UTF8.self)) {
            _ = query.matches(SandboxFuzzInput.deployment)
        }
    default:  // a webhook's matchConditions
        if let expression = try? CELExpression(String(decoding: input, as: UTF8.self)) {
            _ = try? expression.evaluate([
                "object": SandboxFuzzInput.deployment, "oldObject": .null,
                "request": ["operation": "CREATE", "name": "web"],
            ])
        }
    }
    return 0
}

private func patch(_ input: Data, _ apply: (JSONValue, JSONValue) throws(KubeAPIError) -> JSONValue) {
    var document = SandboxFuzzInput.deployment
    var patchBytes = input
    if let nul = input.firstIndex(of: 0) {
        guard let parsed = try? JSONValue.parse(input[input.startIndex..<nul]) else { return }
        document = parsed
        patchBytes = input[(nul + 1)...]
    }
    guard let patch = try? JSONValue.parse(Data(patchBytes)) else { return }
    _ = try? apply(patch, document)
}

enum SandboxFuzzInput {
    static let deployment: JSONValue = [
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": [
            "name": "web", "namespace": "default", "labels": ["app": "web"],
            "annotations": ["kube-singleton.dev/mode": "at-most-one"], "finalizers": ["a", "b"],
        ],
        "spec": [
            "replicas": 1, "selector": ["matchLabels": ["app": "web"]],
            "template": [
                "metadata": ["labels": ["app": "web"]],
                "spec": [
                    "containers": [
                        [
                            "name": "app", "image": "nginx", "ports": [["containerPort": 80]],
                            "env": [["name": "A", "value": "1"]],
                        ]
                    ]
                ],
            ],
        ],
    ]
}
