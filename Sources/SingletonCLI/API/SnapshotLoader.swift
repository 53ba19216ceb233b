import Foundation
import KubeAPIMachinery
import SingletonCore

/// Reads what `list` and `status` judge a singleton against, every kind at once. Lists the
/// user may not be allowed to read (HPAs, leases, webhook configurations) degrade to
/// "unknown" with a warning instead of failing the whole command; each failing kind is named
/// on its own, so one kind's 403 does not hide another's.
struct SnapshotLoader {
    let api: any KubeAPI
    let env: CLIEnvironment

    /// The singletons `list` shows and what surrounds them, fetched concurrently. The
    /// companions' warnings are printed only when there is a singleton they would matter to.
    func listing(
        namespace: String?, selector: String?
    ) async throws -> (workloads: [Workload], snapshot: ClusterSnapshot) {
        async let companions = Self.companions(api, namespace: namespace)
        let workloads = try await singletons(namespace: namespace, selector: selector)
        let (snapshot, warnings) = await companions
        guard !workloads.isEmpty else { return ([], ClusterSnapshot()) }
        for warning in warnings { env.err.line(warning) }
        return (workloads, snapshot)
    }

    /// Every singleton workload in `namespace` (nil: all namespaces) that `selector` matches,
    /// ordered by namespace, kind and name.
    func singletons(namespace: String?, selector: String? = nil) async throws -> [Workload] {
        let api = self.api
        let lists = await withTaskGroup(of: (Int, Result<[Lenient<Workload.ListItem>], KubeAPIError>).self) { group in
            for (index, kind) in WorkloadKind.allCases.enumerated() {
                group.addTask {
                    (
                        index,
                        await Self.fetchList(
                            api, kind.collectionPath(namespace: namespace), selector, Lenient<Workload.ListItem>.self)
                    )
                }
            }
            var results = [Result<[Lenient<Workload.ListItem>], KubeAPIError>?](
                repeating: nil, count: WorkloadKind.allCases.count)
            for await (index, result) in group { results[index] = result }
            return results.compactMap { $0 }
        }
        var result: [Workload] = []
        var failure: KubeAPIError?
        for (kind, list) in zip(WorkloadKind.allCases, lists) {
            let items: [Lenient<Workload.ListItem>]
            switch list {
            case .success(let value):
                items = value
            case .failure(let error):
                // A custom resource whose CRD is not installed (Argo Rollouts) has nothing to list.
                if error.isNotFound, kind.isCustomResource { continue }
                if error.isNotFound || error.isForbidden {
                    env.err.line("Warning: cannot list \(kind.resource): \(error.description)")
                } else if failure == nil {
                    failure = error
                }
                continue
            }
            for case let item? in items.map(\.value) {
                let w = item.workload(as: kind)
                guard w.metadata.contract.isPresent else { continue }
                if kind == .replicaSet, w.isOwnedByDeployment { continue }  // annotations copied from its Deployment
                result.append(w)
            }
        }
        if let failure { throw failure }
        return result.sorted {
            ($0.metadata.namespace ?? "", $0.kind.rawValue, $0.metadata.name ?? "") < (
                $1.metadata.namespace ?? "", $1.kind.rawValue, $1.metadata.name ?? ""
            )
        }
    }

    /// Every singleton CronJob and Job, sorted like `singletons`. A Job its CronJob made is the
    /// CronJob's run, shown through the CronJob's active Jobs, not as a row of its own.
    func batchSingletons(namespace: String?, selector: String? = nil) async throws -> [(ResourceKind, JSONValue)] {
        var result: [(ResourceKind, JSONValue)] = []
        let query = selector.map { "?labelSelector=" + JSONValue.escape($0) } ?? ""
        for kind in [ResourceKind.cronJob, .job] {
            let list: JSONValue
            switch await fetch(kind.collectionPath(namespace: namespace) + query) {
            case .success(let value):
                list = value
            case .failure(let failure):
                guard failure.isNotFound || failure.isForbidden else { throw failure }
                env.err.line("Warning: cannot list \(kind.resource): \(failure.description)")
                continue
            }
            for item in items(list) where item[path: "metadata", "annotations", SingletonAnnotation.mode] != nil {
                let owners = item[path: "metadata", "ownerReferences"]?.arrayValue ?? []
                if kind == .job, owners.contains(where: { $0["kind"]?.stringValue == "CronJob" }) { continue }
                result.append((kind, item))
            }
        }
        return result.sorted {
            ($0.1[path: "metadata", "namespace"]?.stringValue ?? "", $0.0.rawValue, $0.1.name) < (
                $1.1[path: "metadata", "namespace"]?.stringValue ?? "", $1.0.rawValue, $1.1.name
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

    static func fetchList<Item: Decodable & Sendable>(
        _ api: any KubeAPI, _ path: String, _ selector: String? = nil, _ item: Item.Type
    ) async -> Result<[Item], KubeAPIError> {
        do {
            return .success(try await api.list(path, labelSelector: selector, of: item))
        } catch {
            return .failure(error)
        }
    }

    /// The companions of the singletons in `namespace`, printing a warning for each kind that
    /// could not be read.
    func snapshot(namespace: String?) async -> ClusterSnapshot {
        let (snapshot, warnings) = await Self.companions(api, namespace: namespace)
        for warning in warnings { env.err.line(warning) }
        return snapshot
    }

    /// Pods, PDBs, Services, HPAs, Leases and webhook configurations, read concurrently and
    /// decoded down to what the report reads; the warnings in a fixed order.
    static func companions(_ api: any KubeAPI, namespace: String?) async -> (ClusterSnapshot, [String]) {
        async let pods = fetchList(api, CompanionPaths.pods(namespace), nil, Projected<CompanionFields.Pod>.self)
        async let pdbs = fetchList(
            api, namespace.map(CompanionPaths.pdbs) ?? "/apis/policy/v1/poddisruptionbudgets", nil,
            Projected<CompanionFields.PodDisruptionBudget>.self)
        async let services = fetchList(
            api, namespace.map(CompanionPaths.services) ?? "/api/v1/services", nil,
            Projected<CompanionFields.Service>.self)
        async let hpas = fetchList(api, CompanionPaths.hpas(namespace), nil, Projected<CompanionFields.Autoscaler>.self)
        async let leases = fetchList(api, CompanionPaths.leases(namespace), nil, Projected<CompanionFields.Lease>.self)
        async let configs = fetchList(
            api, CompanionPaths.webhookConfigurations, nil, Projected<CompanionFields.WebhookConfiguration>.self)
        var warnings: [String] = []
        func values<F>(_ result: Result<[Projected<F>], KubeAPIError>, _ what: String) -> [JSONValue] {
            switch result {
            case .success(let items): return items.map(\.value)
            case .failure(let error):
                warnings.append("Warning: cannot list \(what), results may be incomplete: \(error.description)")
                return []
            }
        }
        let snapshot = ClusterSnapshot(
            pods: values(await pods, "pods").map(PodSummary.init),
            podDisruptionBudgets: values(await pdbs, "poddisruptionbudgets"),
            services: values(await services, "services"),
            autoscalers: values(await hpas, "horizontalpodautoscalers"),
            leases: values(await leases, "leases"),
            webhookInstalled: (try? await configs.get()).map { SingletonAnalyzer.webhookInstalled($0.map(\.value)) })
        return (snapshot, warnings)
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

/// A list item that does not decode is skipped, not a failure of the whole list: one odd
/// object must not hide every other singleton.
struct Lenient<Item: Decodable & Sendable>: Decodable, Sendable {
    var value: Item?
    init(from decoder: any Decoder) throws { value = try? Item(from: decoder) }
}
