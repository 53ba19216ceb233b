import Foundation
import KubeAPIMachinery

/// A minimal stand-in for kube-controller-manager: workloads get Pods that are Running and
/// Ready at once, named as the real controllers name them (Deployment `web` -> ReplicaSet
/// `web-<template hash>` -> Pods `web-<hash>-<5 chars>`; StatefulSet `db-0..n-1`;
/// ReplicaSet/ReplicationController `name-<5 chars>`), and `status` follows. It runs
/// synchronously after each write, so a request's response already reflects it; its own
/// writes skip admission (documented deviation). Old ReplicaSets are scaled to 0.
public enum Controllers {
    /// Simulated Pods per workload are capped, so `replicas: 1000000` cannot exhaust memory.
    public static let maxPodsPerWorkload = 100

    /// Reconciles until nothing changes (bounded, so a bug cannot loop forever).
    public static func reconcile(_ store: inout ObjectStore) {
        for _ in 0..<8 {
            let before = store.revision
            reconcileDeployments(&store)
            for kind in ["replicasets", "replicationcontrollers"] {
                guard let t = ResourceCatalog.named(kind, group: kind == "replicasets" ? "apps" : "") else { continue }
                for owner in store.all(t, namespace: nil) {
                    reconcilePods(&store, owner: owner, type: t, ordinal: false)
                }
            }
            if let sts = ResourceCatalog.named("statefulsets", group: "apps") {
                for owner in store.all(sts, namespace: nil) {
                    reconcilePods(&store, owner: owner, type: sts, ordinal: true)
                }
            }
            if store.revision == before { return }
        }
    }

    static func ownerRef(_ o: JSONValue, _ t: ResourceType) -> JSONValue {
        [
            "apiVersion": .string(t.apiVersion), "kind": .string(t.kind), "name": .string(o.name),
            "uid": .string(o.uid), "controller": true, "blockOwnerDeletion": true,
        ]
    }

    /// The objects of `type` that `owner` controls, from the store's owner index.
    static func owned(_ store: ObjectStore, _ type: ResourceType, by owner: JSONValue) -> [JSONValue] {
        store.dependents(of: owner.uid).compactMap { key, c in
            guard key.storage == type.storageKey,
                (c[path: "metadata", "ownerReferences"]?.arrayValue ?? []).contains(where: {
                    $0["uid"]?.stringValue == owner.uid && $0["controller"]?.boolValue == true
                })
            else { return nil }
            return ObjectStore.presented(c, as: type)
        }
    }

    /// FNV-1a of the pod template, rendered in the safe alphabet (like `pod-template-hash`).
    static func templateHash(_ template: JSONValue) -> String {
        var h: UInt64 = 0xcbf29ce484222325
        for b in template.serialized() { h ^= UInt64(b); h = h &* 0x100000001b3 }
        let alphabet = ObjectPreparation.nameAlphabet
        var out = ""
        for _ in 0..<10 { out.append(alphabet[Int(h % UInt64(alphabet.count))]); h /= UInt64(alphabet.count) }
        return out
    }

    static func reconcileDeployments(_ store: inout ObjectStore) {
        guard let dt = ResourceCatalog.named("deployments", group: "apps"),
            let rst = ResourceCatalog.named("replicasets", group: "apps")
        else { return }
        for d in store.all(dt, namespace: nil) {
            let template = d[path: "spec", "template"] ?? .object([:])
            let hash = templateHash(template)
            let replicas = d[path: "spec", "replicas"]?.intValue ?? 1
            let rsName = "\(d.name)-\(hash)"
            let mine = owned(store, rst, by: d)
            var annotations = d[path: "metadata", "annotations"]?.objectValue ?? [:]
            annotations["kubectl.kubernetes.io/last-applied-configuration"] = nil
            annotations["deployment.kubernetes.io/desired-replicas"] = .string(String(replicas))
            for rs in mine where rs.name != rsName && (rs[path: "spec", "replicas"]?.intValue ?? 0) != 0 {
                var scaled = rs
                scaled.set(["spec", "replicas"], 0)
                _ = try? store.commitUpdate(rst, scaled, expectedVersion: rs.resourceVersion)
            }
            if let current = mine.first(where: { $0.name == rsName }) {
                var updated = current
                updated.set(["spec", "replicas"], .int(Int64(replicas)))
                updated.set(["metadata", "annotations"], .object(annotations))
                if updated != current {
                    _ = try? store.commitUpdate(rst, updated, expectedVersion: current.resourceVersion)
                }
            } else {
                var labels = template[path: "metadata", "labels"]?.objectValue ?? [:]
                labels["pod-template-hash"] = .string(hash)
                var tpl = template
                tpl.set(["metadata", "labels"], .object(labels))
                var selector = d[path: "spec", "selector"] ?? .object([:])
                var matchLabels = selector["matchLabels"]?.objectValue ?? [:]
                matchLabels["pod-template-hash"] = .string(hash)
                selector["matchLabels"] = .object(matchLabels)
                let rs: JSONValue = [
                    "apiVersion": "apps/v1", "kind": "ReplicaSet",
                    "metadata": [
                        "name": .string(rsName), "namespace": .string(d.namespace), "labels": .object(labels),
                        "annotations": .object(annotations), "ownerReferences": [ownerRef(d, dt)],
                    ],
                    "spec": ["replicas": .int(Int64(replicas)), "selector": selector, "template": tpl],
                ]
                if let p = try? ObjectPreparation.prepareCreate(rst, namespace: d.namespace, object: rs, now: store.now)
                {
                    _ = try? store.commitCreate(rst, p)
                }
            }
            let all = owned(store, rst, by: d)
            let total = all.reduce(0) { $0 + ($1[path: "status", "replicas"]?.intValue ?? 0) }
            let ready = all.reduce(0) { $0 + ($1[path: "status", "readyReplicas"]?.intValue ?? 0) }
            let updatedCount = all.first { $0.name == rsName }?[path: "status", "replicas"]?.intValue ?? 0
            let available = ready >= replicas
            let since = d[path: "metadata", "creationTimestamp"] ?? .null
            let conditions: JSONValue = [
                [
                    "type": "Available", "status": available ? "True" : "False",
                    "reason": available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                    "message": available
                        ? "Deployment has minimum availability." : "Deployment does not have minimum availability.",
                    "lastUpdateTime": since, "lastTransitionTime": since,
                ],
                [
                    "type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
                    "message": .string("ReplicaSet \"\(rsName)\" has successfully progressed."),
                    "lastUpdateTime": since, "lastTransitionTime": since,
                ],
            ]
            setStatus(
                &store, dt, d,
                [
                    "conditions": conditions, "observedGeneration": d[path: "metadata", "generation"] ?? 1,
                    "replicas": .int(Int64(total)),
                    "updatedReplicas": .int(Int64(updatedCount)), "readyReplicas": .int(Int64(ready)),
                    "availableReplicas": .int(Int64(ready)),
                    "unavailableReplicas": .int(Int64(max(0, replicas - ready))),
                ])
        }
    }

    static func reconcilePods(_ store: inout ObjectStore, owner: JSONValue, type: ResourceType, ordinal: Bool) {
        let pt = ResourceCatalog.pods
        let replicas = min(owner[path: "spec", "replicas"]?.intValue ?? 1, maxPodsPerWorkload)
        let template = owner[path: "spec", "template"] ?? .object([:])
        var pods = owned(store, pt, by: owner)
        if ordinal {
            for i in 0..<max(0, replicas) where !pods.contains(where: { $0.name == "\(owner.name)-\(i)" }) {
                createPod(
                    &store, owner: owner, type: type, template: template, name: "\(owner.name)-\(i)", extraLabel: true)
            }
            for p in pods where (Int(p.name.split(separator: "-").last ?? "") ?? 0) >= replicas {
                _ = try? store.commitDelete(pt, namespace: p.namespace, name: p.name)
            }
        } else {
            while pods.count < replicas {
                createPod(
                    &store, owner: owner, type: type, template: template,
                    name: "\(owner.name)-\(ObjectPreparation.randomSuffix())", extraLabel: false)
                pods = owned(store, pt, by: owner)
            }
            let extra = pods.sorted {
                ($0[path: "metadata", "creationTimestamp"]?.stringValue ?? "", $0.name) > (
                    $1[path: "metadata", "creationTimestamp"]?.stringValue ?? "", $1.name
                )
            }
            for p in extra.prefix(max(0, pods.count - replicas)) {
                _ = try? store.commitDelete(pt, namespace: p.namespace, name: p.name)
            }
        }
        let count = owned(store, pt, by: owner).count
        var status: [String: JSONValue] = [
            "observedGeneration": owner[path: "metadata", "generation"] ?? 1, "replicas": .int(Int64(count)),
            "readyReplicas": .int(Int64(count)), "availableReplicas": .int(Int64(count)),
        ]
        if ordinal {
            status["currentReplicas"] = .int(Int64(count)); status["updatedReplicas"] = .int(Int64(count))
        } else {
            status["fullyLabeledReplicas"] = .int(Int64(count))
        }
        guard let fresh = try? store.get(type, namespace: owner.namespace, name: owner.name) else { return }
        setStatus(&store, type, fresh, status)
    }

    static func createPod(
        _ store: inout ObjectStore, owner: JSONValue, type: ResourceType, template: JSONValue, name: String,
        extraLabel: Bool
    ) {
        var labels = template[path: "metadata", "labels"]?.objectValue ?? [:]
        if extraLabel { labels["statefulset.kubernetes.io/pod-name"] = .string(name) }
        let containers = template[path: "spec", "containers"]?.arrayValue ?? []
        let statuses: [JSONValue] = containers.map {
            [
                "name": $0["name"] ?? "main", "image": $0["image"] ?? "", "ready": true, "started": true,
                "restartCount": 0,
                "state": ["running": ["startedAt": .string(store.now)]],
            ]
        }
        var spec = template["spec"] ?? .object([:])
        spec["nodeName"] = "sandbox-node"
        let pod: JSONValue = [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": [
                "name": .string(name), "namespace": .string(owner.namespace), "labels": .object(labels),
                "annotations": template[path: "metadata", "annotations"] ?? .object([:]),
                "ownerReferences": [ownerRef(owner, type)],
            ],
            "spec": spec,
            "status": [
                "phase": "Running", "podIP": .string("10.0.0.\(Int.random(in: 2...254))"), "hostIP": "127.0.0.1",
                "startTime": .string(store.now),
                "conditions": [
                    ["type": "Ready", "status": "True"], ["type": "ContainersReady", "status": "True"],
                    ["type": "PodScheduled", "status": "True"], ["type": "Initialized", "status": "True"],
                ],
                "containerStatuses": .array(statuses),
            ],
        ]
        if let p = try? ObjectPreparation.prepareCreate(
            ResourceCatalog.pods, namespace: owner.namespace, object: pod, now: store.now)
        {
            _ = try? store.commitCreate(ResourceCatalog.pods, p)
        }
    }

    static func setStatus(
        _ store: inout ObjectStore, _ type: ResourceType, _ object: JSONValue, _ status: [String: JSONValue]
    ) {
        var merged = object["status"]?.objectValue ?? [:]
        for (k, v) in status { merged[k] = v }
        guard JSONValue.object(merged) != object["status"] else { return }
        var o = object
        o["status"] = .object(merged)
        _ = try? store.commitUpdate(type, o, expectedVersion: object.resourceVersion)
    }
}
