import KubeAPIMachinery
import SingletonCore

/// Reads a workload by reference: the raw object (for output and field preservation) and
/// its decoded view.
func fetchWorkload(_ api: any KubeAPI, _ ref: ResourceRef, namespace: String) async throws -> (JSONValue, Workload) {
    guard let kind = ref.kind.workload else { throw CLIError("\(ref) is not a workload with replicas") }
    let raw = try await api.get(ref.kind.objectPath(namespace: namespace, name: ref.name))
    do {
        return (raw, try Workload.decode(raw.serialized(), as: kind))
    } catch {
        throw CLIError("the API returned \(ref) in a shape kube-singleton cannot read: \(error)")
    }
}

/// The items of a List response.
func items(_ list: JSONValue) -> [JSONValue] { list["items"]?.arrayValue ?? [] }

/// `PATCH` path helpers for companions.
enum CompanionPaths {
    static func pdbs(_ ns: String) -> String { "/apis/policy/v1/namespaces/\(ns)/poddisruptionbudgets" }
    static func services(_ ns: String) -> String { "/api/v1/namespaces/\(ns)/services" }
    static func pods(_ ns: String?) -> String { ns.map { "/api/v1/namespaces/\($0)/pods" } ?? "/api/v1/pods" }
    static func hpas(_ ns: String?) -> String {
        ns.map { "/apis/autoscaling/v2/namespaces/\($0)/horizontalpodautoscalers" }
            ?? "/apis/autoscaling/v2/horizontalpodautoscalers"
    }
    static func leases(_ ns: String?) -> String {
        ns.map { "/apis/coordination.k8s.io/v1/namespaces/\($0)/leases" } ?? "/apis/coordination.k8s.io/v1/leases"
    }
    static let webhookConfigurations = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations"
}

/// GET that answers nil for 404 Not Found: "does it exist?" without a do/catch per caller.
func getIfExists(_ api: any KubeAPI, _ path: String) async throws -> JSONValue? {
    switch await SnapshotLoader.fetch(api, path) {
    case .success(let value): return value
    case .failure(let failure) where failure.isNotFound: return nil
    case .failure(let failure): throw failure
    }
}
