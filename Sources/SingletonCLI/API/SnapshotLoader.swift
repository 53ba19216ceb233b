import Foundation
import KubeAPIMachinery
import SingletonCore

/// Reads what `list` and `status` judge a singleton against. Lists the user may not be
/// allowed to read (HPAs, leases, webhook configurations) degrade to "unknown" with a
/// warning instead of failing the whole command.
struct SnapshotLoader {
    let api: any KubeAPI
    let env: CLIEnvironment

    /// Every singleton workload in `namespace` (nil: all namespaces) that `selector` matches,
    /// raw and decoded.
    func singletons(namespace: String?, selector: String? = nil) async throws -> [(JSONValue, Workload)] {
        var result: [(JSONValue, Workload)] = []
        let query = selector.map { "?labelSelector=" + JSONValue.escape($0) } ?? ""
        for kind in WorkloadKind.allCases {
            let list: JSONValue
            switch await fetch(kind.collectionPath(namespace: namespace) + query) {
            case .success(let value):
                list = value
            case .failure(let failure):
                guard failure.isNotFound || failure.isForbidden else { throw failure }
                // A custom resource whose CRD is not installed (Argo Rollouts) has nothing to list.
                if failure.isNotFound, kind.isCustomResource { continue }
                env.err.line("Warning: cannot list \(kind.resource): \(failure.description)")
                continue
            }
            for item in items(list) {
                guard let w = try? Workload.decode(item.serialized(), as: kind), w.metadata.contract.isPresent else {
                    continue
                }
                if kind == .replicaSet, w.isOwnedByDeployment { continue }  // annotations copied from its Deployment
                result.append((item, w))
            }
        }
        return result.sorted {
            ($0.1.metadata.namespace ?? "", $0.1.kind.rawValue, $0.1.metadata.name ?? "") < (
                $1.1.metadata.namespace ?? "", $1.1.kind.rawValue, $1.1.metadata.name ?? ""
            )
        }
    }

    func fetch(_ path: String) async -> Result<JSONValue, KubeAPIError> { await Self.fetch(api, path) }

    static func fetch(_ api: any KubeAPI, _ path: String) async -> Result<JSONValue, KubeAPIError> {
        do {
            return .success(try await api.get(path))
        } catch {
            return .failure(error)
        }
    }

    func snapshot(namespace: String?) async -> ClusterSnapshot {
        let pods = await optionalList(CompanionPaths.pods(namespace), "pods").map(PodSummary.init)
        let pdbs = await optionalList(
            namespace.map(CompanionPaths.pdbs) ?? "/apis/policy/v1/poddisruptionbudgets", "poddisruptionbudgets")
        let services = await optionalList(namespace.map(CompanionPaths.services) ?? "/api/v1/services", "services")
        let hpas = await optionalList(CompanionPaths.hpas(namespace), "horizontalpodautoscalers")
        let leases = await optionalList(CompanionPaths.leases(namespace), "leases")
        var webhook: Bool?
        if let configs = try? await api.get(CompanionPaths.webhookConfigurations) {
            webhook = SingletonAnalyzer.webhookInstalled(items(configs))
        }
        return ClusterSnapshot(
            pods: pods, podDisruptionBudgets: pdbs, services: services, autoscalers: hpas, leases: leases,
            webhookInstalled: webhook)
    }

    func optionalList(_ path: String, _ what: String) async -> [JSONValue] {
        do {
            return items(try await api.get(path))
        } catch {
            env.err.line("Warning: cannot list \(what), results may be incomplete: \(error.description)")
            return []
        }
    }
}
