import Foundation
@testable import SingletonCore

/// Builds AdmissionReview JSON the way the apiserver sends it, so tests exercise the real
/// decoder instead of constructing decoded values by hand.
struct ReviewBuilder {
    var uid = "7f0b2c3e-5b1c-4c55-9d0e-1a2b3c4d5e6f"
    var group = "apps"
    var version = "v1"
    var resource = "deployments"
    var kind = "Deployment"
    var subResource: String? = nil
    var name = "web"
    var namespace = "default"
    var operation = "UPDATE"
    var object: [String: Any]? = nil
    var oldObject: [String: Any]? = nil
    var username = "alice"

    func json() -> Data {
        var request: [String: Any] = [
            "uid": uid,
            "kind": ["group": group, "version": version, "kind": kind],
            "resource": ["group": group, "version": version, "resource": resource],
            "requestKind": ["group": group, "version": version, "kind": kind],
            "requestResource": ["group": group, "version": version, "resource": resource],
            "name": name, "namespace": namespace, "operation": operation,
            "userInfo": ["username": username, "groups": ["system:authenticated"]],
            "dryRun": false,
        ]
        if let subResource {
            request["subResource"] = subResource
            request["requestSubResource"] = subResource
        }
        if let object { request["object"] = object }
        if let oldObject { request["oldObject"] = oldObject }
        let review: [String: Any] = [
            "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request,
        ]
        return try! JSONSerialization.data(withJSONObject: review)
    }

    func request() throws -> AdmissionRequest {
        try AdmissionReview.decodeRequest(json()).get()
    }
}

/// A Deployment (or other workload) as JSON.
func workload(
    kind: String = "Deployment", apiVersion: String = "apps/v1", name: String = "web",
    replicas: Int? = 1, mode: String? = nil, annotations: [String: String] = [:],
    strategy: [String: Any]? = nil, ownerKind: String? = nil, uid: String = "uid-web"
) -> [String: Any] {
    var ann = annotations
    if let mode { ann[SingletonAnnotation.mode] = mode }
    var meta: [String: Any] = ["name": name, "namespace": "default", "uid": uid, "annotations": ann]
    if let ownerKind {
        meta["ownerReferences"] = [
            ["apiVersion": "apps/v1", "kind": ownerKind, "name": "owner", "uid": "uid-owner", "controller": true]
        ]
    }
    var spec: [String: Any] = [
        "selector": ["matchLabels": ["app": name]],
        "template": [
            "metadata": ["labels": ["app": name]], "spec": ["containers": [["name": "c", "image": "nginx"]]],
        ],
    ]
    if let replicas { spec["replicas"] = replicas }
    if let strategy { spec["strategy"] = strategy }
    return ["apiVersion": apiVersion, "kind": kind, "metadata": meta, "spec": spec]
}

func scaleObject(replicas: Int?, uid: String = "uid-web", name: String = "web") -> [String: Any] {
    var spec: [String: Any] = [:]
    if let replicas { spec["replicas"] = replicas }
    return [
        "apiVersion": "autoscaling/v1", "kind": "Scale",
        "metadata": [
            "name": name, "namespace": "default", "uid": uid, "resourceVersion": "42",
            "creationTimestamp": "2026-01-01T00:00:00Z",
        ],
        "spec": spec, "status": ["replicas": 1, "selector": "app=web"],
    ]
}

func hpaObject(
    maxReplicas: Int, targetKind: String = "Deployment", targetAPIVersion: String = "apps/v1",
    target: String = "web", v2: Bool = true
) -> [String: Any] {
    [
        "apiVersion": v2 ? "autoscaling/v2" : "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
        "metadata": ["name": "web-hpa", "namespace": "default"],
        "spec": [
            "scaleTargetRef": ["apiVersion": targetAPIVersion, "kind": targetKind, "name": target],
            "minReplicas": 1, "maxReplicas": maxReplicas,
        ],
    ]
}

func parentMeta(mode: String?, uid: String = "uid-web", ownerKind: String? = nil) -> ObjectMeta {
    var ann: [String: String] = [:]
    if let mode { ann[SingletonAnnotation.mode] = mode }
    let owners = ownerKind.map {
        [OwnerReference(apiVersion: "apps/v1", kind: $0, name: "o", uid: "u", controller: true)]
    }
    return ObjectMeta(name: "web", namespace: "default", uid: uid, annotations: ann, ownerReferences: owners)
}

/// A CronJob as the API server hands it to admission (defaults applied, as after
/// `kubectl create cronjob report --image=busybox --schedule="0 * * * *"`).
func cronJobObject(
    name: String = "report", mode: String? = "at-most-one", concurrencyPolicy: String? = "Allow",
    parallelism: Int? = nil, startingDeadlineSeconds: Int? = nil
) -> [String: Any] {
    var meta: [String: Any] = [
        "name": name, "namespace": "default", "uid": "uid-\(name)", "resourceVersion": "1",
        "creationTimestamp": "2026-01-01T00:00:00Z",
    ]
    if let mode { meta["annotations"] = [SingletonAnnotation.mode: mode] }
    var jobSpec: [String: Any] = [
        "template": [
            "metadata": ["creationTimestamp": NSNull()],
            "spec": [
                "containers": [
                    [
                        "name": name, "image": "busybox", "resources": [:],
                        "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
                        "imagePullPolicy": "Always",
                    ]
                ],
                "restartPolicy": "OnFailure", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
                "securityContext": [:], "schedulerName": "default-scheduler",
            ],
        ]
    ]
    if let parallelism { jobSpec["parallelism"] = parallelism }
    var spec: [String: Any] = [
        "schedule": "0 * * * *", "suspend": false, "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1,
        "jobTemplate": ["metadata": ["creationTimestamp": NSNull()], "spec": jobSpec],
    ]
    if let concurrencyPolicy { spec["concurrencyPolicy"] = concurrencyPolicy }
    if let startingDeadlineSeconds { spec["startingDeadlineSeconds"] = startingDeadlineSeconds }
    return ["apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta, "spec": spec, "status": [:]]
}

/// A Job as admission sees it (`kubectl create job migrate --image=busybox`, defaults applied).
func jobObject(name: String = "migrate", mode: String? = "at-most-one", parallelism: Int? = 1) -> [String: Any] {
    var meta: [String: Any] = ["name": name, "namespace": "default", "uid": "uid-\(name)"]
    if let mode { meta["annotations"] = [SingletonAnnotation.mode: mode] }
    var spec: [String: Any] = [
        "completions": 1, "backoffLimit": 6, "completionMode": "NonIndexed", "suspend": false,
        "manualSelector": false, "podReplacementPolicy": "TerminatingOrFailed",
        "selector": ["matchLabels": ["batch.kubernetes.io/controller-uid": "uid-\(name)"]],
        "template": [
            "metadata": ["labels": ["batch.kubernetes.io/job-name": name, "job-name": name]],
            "spec": ["containers": [["name": name, "image": "busybox"]], "restartPolicy": "Never"],
        ],
    ]
    if let parallelism { spec["parallelism"] = parallelism }
    return ["apiVersion": "batch/v1", "kind": "Job", "metadata": meta, "spec": spec, "status": [:]]
}

/// A KEDA ScaledObject (keda.sh/v1alpha1), with the shape of KEDA's documented examples.
func scaledObjectObject(
    name: String = "web-scaler", target: String = "web", targetKind: String? = nil, targetAPIVersion: String? = nil,
    maxReplicaCount: Int? = nil
) -> [String: Any] {
    var ref: [String: Any] = ["name": target]
    if let targetKind { ref["kind"] = targetKind }
    if let targetAPIVersion { ref["apiVersion"] = targetAPIVersion }
    var spec: [String: Any] = [
        "scaleTargetRef": ref, "pollingInterval": 30, "cooldownPeriod": 300, "minReplicaCount": 0,
        "triggers": [
            [
                "type": "cron",
                "metadata": [
                    "timezone": "Europe/Paris", "start": "0 8 * * *", "end": "0 18 * * *", "desiredReplicas": "3",
                ],
            ]
        ],
    ]
    if let maxReplicaCount { spec["maxReplicaCount"] = maxReplicaCount }
    return [
        "apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
        "metadata": ["name": name, "namespace": "default", "uid": "uid-\(name)"], "spec": spec,
    ]
}

/// An Argo Rollout with `strategy` (`["canary": [...]]` or `["blueGreen": [...]]`).
func rolloutObject(replicas: Int? = 1, mode: String? = "at-most-one", strategy: [String: Any]?) -> [String: Any] {
    workload(kind: "Rollout", apiVersion: "argoproj.io/v1alpha1", replicas: replicas, mode: mode, strategy: strategy)
}
