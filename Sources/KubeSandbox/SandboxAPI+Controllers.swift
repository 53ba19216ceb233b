import Foundation
import KubeAPIMachinery

/// Applies the simulated controllers' writes like a real controller's API calls: planned on a
/// scratch copy of the store (`Controllers.reconcile`), then replayed one by one through
/// validating admission (user `system:serviceaccount:kube-system:<controller>`; status-only
/// changes as the `status` subresource), so webhooks see the ReplicaSets and Pods that
/// controllers create. A rejected or conflicting write is skipped (with the objects it
/// would have owned), as a failed sync would be; the next write retries it.
extension SandboxAPI {
    func runControllers() async {
        if controllerRunning { controllerPending = true; return }
        controllerRunning = true
        defer { controllerRunning = false }
        for _ in 0..<8 {
            controllerPending = false
            var scratch = store
            let base = scratch.revision
            Controllers.reconcile(&scratch)
            let actions = scratch.events.filter { $0.revision > base }
            if actions.isEmpty && !controllerPending { return }
            if !(await replay(actions)) && !controllerPending { return }
        }
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
            if event.kind == .added, !owners.isEmpty, !store.objects.values.contains(where: { owners.contains($0.uid) })
            {
                ok = false
                continue
            }
            guard let type = ResourceCatalog.all.first(where: { $0.storageKey == event.key.storage }) else { continue }
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
