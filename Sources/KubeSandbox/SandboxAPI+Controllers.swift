import Foundation
import KubeAPIMachinery

/// Applies the simulated controllers' writes like a real controller's API calls: planned on a
/// scratch copy of the store (`Controllers.reconcile`), then replayed one by one through
/// validating admission (user `system:serviceaccount:kube-system:<controller>`; status-only
/// changes as the `status` subresource), so webhooks see the ReplicaSets and Pods that
/// controllers create. A rejected or conflicting write is skipped (with the objects it
/// would have owned), as a failed sync would be; the next write retries it.
extension SandboxAPI {
    /// Storage keys of the workloads the controllers reconcile.
    static let workloadStorages: Set<String> = [
        "apps/deployments", "apps/replicasets", "apps/statefulsets", "/replicationcontrollers",
    ]

    /// Reconciles what changed since the last run, like controllers fed by informers: each
    /// changed object's workload (itself, or its owner) with its ReplicaSets and Pods is
    /// copied to a scratch store, reconciled there, and the planned writes are replayed.
    /// Workloads whose writes failed are retried on the next run.
    func runControllers() async {
        if controllerRunning { controllerPending = true; return }
        controllerRunning = true
        defer { controllerRunning = false }
        for _ in 0..<8 {
            controllerPending = false
            let roots = controllerRoots(since: controllerRevision).union(controllerRetry)
            controllerRevision = store.revision
            controllerRetry = []
            if roots.isEmpty {
                if controllerPending { continue }
                return
            }
            var scratch = store.subset(controllerScope(roots))
            let base = scratch.revision
            Controllers.reconcile(&scratch)
            let actions = Array(scratch.events(since: base))
            if actions.isEmpty && !controllerPending { return }
            if !(await replay(actions)) {
                controllerRetry = roots.filter { store.objects[$0] != nil }
                if !controllerPending { return }
            }
        }
    }

    /// The workloads that changes after `version` concern; all of them when the change log
    /// no longer reaches back that far.
    func controllerRoots(since version: Int64) -> Set<ObjectKey> {
        var roots = Set<ObjectKey>()
        if version < store.oldestResumable {
            for storage in Self.workloadStorages { roots.formUnion(store.keys(storage, namespace: nil)) }
            return roots
        }
        for event in store.events(since: version) {
            if Self.workloadStorages.contains(event.key.storage), event.kind != .deleted { roots.insert(event.key) }
            for uid in ObjectStore.ownerUIDs(event.object) {
                if let owner = store.key(uid: uid), Self.workloadStorages.contains(owner.storage) {
                    roots.insert(owner)
                }
            }
        }
        return roots
    }

    /// Roots with their dependents two levels down (Deployment -> ReplicaSets -> Pods).
    func controllerScope(_ roots: Set<ObjectKey>) -> Set<ObjectKey> {
        var scope = roots
        var frontier = Array(roots)
        for _ in 0..<2 {
            var next: [ObjectKey] = []
            for k in frontier {
                guard let uid = store.objects[k]?.uid, !uid.isEmpty else { continue }
                for (d, _) in store.dependents(of: uid) where scope.insert(d).inserted { next.append(d) }
            }
            frontier = next
        }
        return scope
    }

    static func controllerUser(for storage: String, object: JSONValue) -> UserInfo {
        let owner = object[path: "metadata", "ownerReferences"]?.arrayValue?.first?["kind"]?.stringValue ?? ""
        let name: String
        switch (storage, owner) {
        case ("apps/replicasets", _), ("apps/deployments", _): name = "deployment-controller"
        case ("apps/statefulsets", _), (_, "StatefulSet"): name = "statefulset-controller"
        case (_, "ReplicationController"), ("/replicationcontrollers", _): name = "replication-controller"
        default: name = "replicaset-controller"
        }
        return UserInfo(
            username: "system:serviceaccount:kube-system:\(name)",
            groups: ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"])
    }

    /// Replays planned events; false when one was rejected or raced with another write.
    func replay(_ actions: [StoreEvent]) async -> Bool {
        var ok = true
        for event in actions {
            let owners = (event.object[path: "metadata", "ownerReferences"]?.arrayValue ?? []).compactMap {
                $0["uid"]?.stringValue
            }
            if event.kind == .added, !owners.isEmpty, !owners.contains(where: store.contains(uid:)) {
                ok = false
                continue
            }
            guard let type = catalog.type(storage: event.key.storage) else { continue }
            let current = store.objects[event.key]
            let user = Self.controllerUser(for: event.key.storage, object: event.object)
            do {
                switch event.kind {
                case .added:
                    guard current == nil else { ok = false; continue }
                    var object = event.object
                    object.set(["metadata", "resourceVersion"], nil)
                    if admitControllerWrites {
                        _ = try await admit(
                            AdmissionAttributes(
                                operation: "CREATE", type: type, name: event.key.name, namespace: event.key.namespace,
                                object: object, oldObject: nil, dryRun: false, user: user))
                    }
                    _ = try store.commitCreate(type, object)
                case .modified:
                    guard let old = current else { ok = false; continue }
                    let statusOnly =
                        !ObjectPreparation.specChanged(old, event.object)
                        && old["metadata"] == ObjectStore.withVersion(event.object, old.resourceVersion)["metadata"]
                    if admitControllerWrites {
                        _ = try await admit(
                            AdmissionAttributes(
                                operation: "UPDATE", type: type, subresource: statusOnly ? "status" : "",
                                name: event.key.name, namespace: event.key.namespace,
                                object: event.object, oldObject: old, dryRun: false, user: user))
                    }
                    _ = try store.commitUpdate(type, event.object, expectedVersion: old.resourceVersion)
                case .deleted:
                    guard let old = current else { continue }
                    if admitControllerWrites {
                        _ = try await admit(
                            AdmissionAttributes(
                                operation: "DELETE", type: type, name: event.key.name, namespace: event.key.namespace,
                                object: nil, oldObject: old, dryRun: false, user: user))
                    }
                    _ = try store.commitDelete(type, namespace: event.key.namespace, name: event.key.name)
                }
            } catch {
                dispatcher.log(
                    "\(user.username): \(event.kind.rawValue.lowercased()) of \(type.groupResource) \(event.key.namespace)/\(event.key.name) failed: \(error.message)"
                )
                ok = false
            }
        }
        return ok
    }
}
