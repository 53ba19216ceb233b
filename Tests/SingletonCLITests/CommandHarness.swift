import Foundation
import KubeAPIMachinery
@testable import SingletonCLI
import SingletonCore

/// Runs the plugin in-process like `main.swift` does, with captured streams.
struct Run {
    var code: Int32
    var out: String
    var err: String
}

struct NoCluster: KubeConnector {
    func connect(_ options: KubeOptions) throws -> any KubeAPI { throw CLIError("no cluster in this test") }
}

/// 2024-06-11T04:19:40Z: three seconds after the koordinator lease fixture's renewTime.
let fixedNow = Date(timeIntervalSince1970: 1_718_079_580)

func runPlugin(
    _ args: [String], connector: any KubeConnector = NoCluster(), stdin: Data = Data(), now: Date = fixedNow
) async -> Run {
    let out = BufferSink()
    let err = BufferSink()
    let env = CLIEnvironment(
        out: out, err: err, readStandardInput: { stdin }, now: { now }, variables: ["COLUMNS": "100"],
        connector: connector)
    let code = await PluginMain.run(args, env: env)
    return Run(code: code, out: out.text, err: err.text)
}

enum Seeds {
    static let deployments = "/apis/apps/v1/namespaces/shop/deployments"
    static let statefulsets = "/apis/apps/v1/namespaces/shop/statefulsets"
    static let pdbs = "/apis/policy/v1/namespaces/shop/poddisruptionbudgets"
    static let services = "/api/v1/namespaces/shop/services"
    static let pods = "/api/v1/namespaces/shop/pods"

    /// A Deployment carrying fields kube-singleton does not model, which must survive.
    static let web: JSONValue = [
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": [
            "name": "web", "namespace": "shop", "uid": "uid-web", "labels": ["team": "checkout"],
            "annotations": ["deployment.kubernetes.io/revision": "4"],
        ],
        "spec": [
            "replicas": 3, "revisionHistoryLimit": 5, "progressDeadlineSeconds": 120,
            "selector": ["matchLabels": ["app": "web"]],
            "strategy": ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": "25%", "maxUnavailable": "25%"]],
            "template": [
                "metadata": ["labels": ["app": "web"]],
                "spec": [
                    "containers": [
                        [
                            "name": "web", "image": "nginx:1.27", "env": [["name": "MODE", "value": "prod"]],
                            "ports": [["name": "http", "containerPort": 8080]],
                        ]
                    ]
                ],
            ],
        ],
        "status": ["replicas": 3, "readyReplicas": 3],
    ]
}
