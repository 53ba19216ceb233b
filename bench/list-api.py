#!/usr/bin/env python3
"""A read-only Kubernetes API holding a large cluster, for `kubectl singleton list -A` against
`kubectl get ... -A` on the same data (bench/list-bench.sh).

usage: list-api.py PORT CERT KEY WORKLOADS

WORKLOADS workloads in 50 namespaces: nine Deployments in ten (each with its ReplicaSet),
one StatefulSet in ten; one Pod each; a Service each; a PodDisruptionBudget and a
HorizontalPodAutoscaler for one in five; a Lease for one in ten; one in five annotated
kube-singleton.dev/mode. Objects carry what a real API server sends (managedFields, status,
a pod spec), so both clients decode realistic bytes.

Like the API server: lists are paged by `limit`/`continue` (a token older than EXPIRE_AFTER
seconds, 300 by default, answers 410 Expired); `Accept: ...;as=Table;g=meta.k8s.io;v=v1`
gets a Table (rows with PartialObjectMetadata), otherwise a plain list; legacy discovery
(/api, /apis, /api/v1, /apis/GROUP/VERSION) for kubectl. Answers are built once per page
and kept, so the server's own cost stays small and equal for both clients.
"""
import apidouble, json, os, sys, time
from urllib.parse import urlparse, parse_qs

PORT, CERT, KEY, COUNT = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
EXPIRE_AFTER = float(os.environ.get("EXPIRE_AFTER", "300"))
RV = "48151623"
CREATED = "2026-11-02T08:00:00Z"
NAMESPACES = ["team-%02d" % i for i in range(50)]

# resource -> (group version, kind, namespaced, short names)
RESOURCES = {
    "deployments": ("apps/v1", "Deployment", ["deploy"]),
    "statefulsets": ("apps/v1", "StatefulSet", ["sts"]),
    "replicasets": ("apps/v1", "ReplicaSet", ["rs"]),
    "replicationcontrollers": ("v1", "ReplicationController", ["rc"]),
    "pods": ("v1", "Pod", ["po"]),
    "services": ("v1", "Service", ["svc"]),
    "poddisruptionbudgets": ("policy/v1", "PodDisruptionBudget", ["pdb"]),
    "horizontalpodautoscalers": ("autoscaling/v2", "HorizontalPodAutoscaler", ["hpa"]),
    "leases": ("coordination.k8s.io/v1", "Lease", []),
    "cronjobs": ("batch/v1", "CronJob", ["cj"]),  # none: asked for by the plugin only
    "jobs": ("batch/v1", "Job", []),
    "validatingwebhookconfigurations": ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", []),
}
CLUSTER_SCOPED = {"validatingwebhookconfigurations"}


def uid(n, salt):
    return "%08x-0000-4000-8000-%012d" % (salt, n)


def managed(manager, fields):
    return [{"manager": manager, "operation": "Update", "apiVersion": "apps/v1", "time": CREATED,
             "fieldsType": "FieldsV1", "fieldsV1": fields}]


def meta(ns, name, n, salt, labels=None, annotations=None, owner=None, manager="kubectl-client-side-apply"):
    m = {"name": name, "namespace": ns, "uid": uid(n, salt), "resourceVersion": str(1000 + n),
         "generation": 1, "creationTimestamp": CREATED, "labels": labels or {}}
    if annotations:
        m["annotations"] = annotations
    if owner:
        m["ownerReferences"] = [owner]
    m["managedFields"] = managed(manager, {"f:metadata": {"f:labels": {k: {} for k in (labels or {})}},
                                           "f:spec": {"f:replicas": {}, "f:template": {"f:spec": {"f:containers": {}}}}})
    return m


def pod_template(app):
    return {"metadata": {"labels": {"app": app, "tier": "backend"}},
            "spec": {"containers": [{"name": "app", "image": "registry.example/%s:1.4.2" % app,
                                     "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                                     "env": [{"name": "LOG_LEVEL", "value": "info"}],
                                     "resources": {"requests": {"cpu": "100m", "memory": "128Mi"},
                                                   "limits": {"memory": "256Mi"}},
                                     "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080},
                                                        "periodSeconds": 10},
                                     "terminationMessagePath": "/dev/termination-log",
                                     "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent"}],
                     "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
                     "securityContext": {}, "schedulerName": "default-scheduler"}}


def build():
    objects = {r: [] for r in RESOURCES}
    for n in range(COUNT):
        ns = NAMESPACES[n % len(NAMESPACES)]
        name = "svc-%05d" % n
        app = name
        singleton = n % 5 == 0
        annotations = {"deployment.kubernetes.io/revision": "3"}
        if singleton:
            annotations["kube-singleton.dev/mode"] = "at-most-one" if n % 10 == 0 else "at-least-one"
            if n % 10 == 0:
                annotations["kube-singleton.dev/lease"] = name + "-leader"
        labels = {"app": app, "team": ns}
        replicas = 1 if singleton else 2
        status = {"observedGeneration": 1, "replicas": replicas, "readyReplicas": replicas,
                  "availableReplicas": replicas, "updatedReplicas": replicas,
                  "conditions": [{"type": "Available", "status": "True", "lastUpdateTime": CREATED,
                                  "lastTransitionTime": CREATED, "reason": "MinimumReplicasAvailable",
                                  "message": "Deployment has minimum availability."}]}
        selector = {"matchLabels": {"app": app}}
        if n % 10 == 9:
            objects["statefulsets"].append({
                "metadata": meta(ns, name, n, 1, labels, annotations),
                "spec": {"replicas": replicas, "selector": selector, "serviceName": name,
                         "template": pod_template(app), "podManagementPolicy": "OrderedReady",
                         "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}},
                "status": status})
            owner = {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": name, "uid": uid(n, 1),
                     "controller": True, "blockOwnerDeletion": True}
            pod_name = name + "-0"
            pod_labels = {"app": app, "tier": "backend", "statefulset.kubernetes.io/pod-name": pod_name}
        else:
            strategy = ({"type": "Recreate"} if singleton else
                        {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}})
            objects["deployments"].append({
                "metadata": meta(ns, name, n, 1, labels, annotations),
                "spec": {"replicas": replicas, "selector": selector, "template": pod_template(app),
                         "strategy": strategy, "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600},
                "status": status})
            rs = "%s-7d9f8b6c5" % name
            objects["replicasets"].append({
                "metadata": meta(ns, rs, n, 2, dict(labels, **{"pod-template-hash": "7d9f8b6c5"}), annotations,
                                 {"apiVersion": "apps/v1", "kind": "Deployment", "name": name, "uid": uid(n, 1),
                                  "controller": True, "blockOwnerDeletion": True}, "kube-controller-manager"),
                "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": app, "pod-template-hash": "7d9f8b6c5"}},
                         "template": pod_template(app)},
                "status": {"replicas": replicas, "readyReplicas": replicas, "availableReplicas": replicas,
                           "fullyLabeledReplicas": replicas, "observedGeneration": 1}})
            owner = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs, "uid": uid(n, 2),
                     "controller": True, "blockOwnerDeletion": True}
            pod_name = rs + "-x%04d" % (n % 10000)
            pod_labels = {"app": app, "tier": "backend", "pod-template-hash": "7d9f8b6c5"}
        spec = pod_template(app)["spec"]
        spec["nodeName"] = "node-%03d" % (n % 200)
        spec["serviceAccountName"] = "default"
        objects["pods"].append({
            "metadata": meta(ns, pod_name, n, 3, pod_labels, None, owner, "kubelet"),
            "spec": spec,
            "status": {"phase": "Running", "podIP": "10.%d.%d.%d" % (n // 65536 % 256, n // 256 % 256, n % 256),
                       "hostIP": "192.168.0.%d" % (n % 200), "startTime": CREATED, "qosClass": "Burstable",
                       "conditions": [{"type": t, "status": "True", "lastProbeTime": None,
                                       "lastTransitionTime": CREATED}
                                      for t in ("PodReadyToStartContainers", "Initialized", "Ready",
                                                "ContainersReady", "PodScheduled")],
                       "containerStatuses": [{"name": "app", "ready": True, "restartCount": 0, "started": True,
                                              "image": "registry.example/%s:1.4.2" % app,
                                              "imageID": "registry.example/%s@sha256:%064x" % (app, n),
                                              "containerID": "containerd://%064x" % (n * 7919),
                                              "state": {"running": {"startedAt": CREATED}}, "lastState": {}}]}})
        objects["services"].append({
            "metadata": meta(ns, name, n, 4, labels),
            "spec": {"selector": {"app": app}, "type": "ClusterIP",
                     "clusterIP": "None" if n % 10 == 9 else "10.96.%d.%d" % (n // 256 % 256, n % 256),
                     "ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}],
                     "sessionAffinity": "None", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack"},
            "status": {"loadBalancer": {}}})
        if n % 5 == 0:
            objects["poddisruptionbudgets"].append({
                "metadata": meta(ns, name + "-singleton", n, 5, labels),
                "spec": {"maxUnavailable": 0, "selector": {"matchLabels": {"app": app}}},
                "status": {"currentHealthy": 1, "desiredHealthy": 1, "disruptionsAllowed": 0, "expectedPods": 1,
                           "observedGeneration": 1}})
        if n % 5 == 2 or n % 25 == 0:
            kind = "StatefulSet" if n % 10 == 9 else "Deployment"
            objects["horizontalpodautoscalers"].append({
                "metadata": meta(ns, name, n, 6, labels),
                "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": kind, "name": name},
                         "minReplicas": 1, "maxReplicas": 1 if n % 5 == 0 else 4,
                         "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                             "type": "Utilization", "averageUtilization": 80}}}]},
                "status": {"currentReplicas": replicas, "desiredReplicas": replicas}})
        if n % 10 == 0:
            objects["leases"].append({
                "metadata": meta(ns, name + "-leader", n, 7, labels),
                "spec": {"holderIdentity": pod_name + "_" + uid(n, 8), "leaseDurationSeconds": 15,
                         "acquireTime": CREATED, "renewTime": "2026-12-06T10:00:00.000000Z",
                         "leaseTransitions": 2}})
    objects["validatingwebhookconfigurations"].append({
        "metadata": {"name": "kube-singleton", "uid": uid(0, 9), "resourceVersion": "7",
                     "creationTimestamp": CREATED, "labels": {"app.kubernetes.io/name": "kube-singleton"}},
        "webhooks": [{"name": "workloads.kube-singleton.dev", "admissionReviewVersions": ["v1"],
                      "sideEffects": "None", "failurePolicy": "Ignore",
                      "clientConfig": {"service": {"namespace": "kube-singleton", "name": "kube-singleton"}}}]})
    for r, items in objects.items():
        gv, kind, _ = RESOURCES[r]
        for o in items:
            o["apiVersion"], o["kind"] = gv, kind
    return objects


OBJECTS = build()


def cells(kind, o):
    s, st = o.get("spec", {}), o.get("status", {})
    name, age = o["metadata"]["name"], "34d"
    if kind == "Deployment":
        return [name, "%d/%d" % (st["readyReplicas"], s["replicas"]), st["updatedReplicas"], st["availableReplicas"], age]
    if kind == "StatefulSet":
        return [name, "%d/%d" % (st["readyReplicas"], s["replicas"]), age]
    if kind in ("ReplicaSet", "ReplicationController"):
        return [name, s["replicas"], st["replicas"], st["readyReplicas"], age]
    if kind == "Pod":
        return [name, "1/1", st["phase"], "0", age, st["podIP"], s["nodeName"], "<none>", "<none>"]
    if kind == "Service":
        return [name, s["type"], s["clusterIP"], "<none>", "80/TCP", age, "app=" + s["selector"]["app"]]
    if kind == "PodDisruptionBudget":
        return [name, "N/A", "0", 0, age]
    if kind == "HorizontalPodAutoscaler":
        return [name, "Deployment/" + s["scaleTargetRef"]["name"], "cpu: 12%/80%", 1, s["maxReplicas"], 1, age]
    if kind == "Lease":
        return [name, s["holderIdentity"], age]
    return [name, age]


COLUMNS = {
    "Deployment": ["Name", "Ready", "Up-to-date", "Available", "Age"],
    "StatefulSet": ["Name", "Ready", "Age"],
    "ReplicaSet": ["Name", "Desired", "Current", "Ready", "Age"],
    "ReplicationController": ["Name", "Desired", "Current", "Ready", "Age"],
    "Pod": ["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"],
    "Service": ["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"],
    "PodDisruptionBudget": ["Name", "Min Available", "Max Unavailable", "Allowed Disruptions", "Age"],
    "HorizontalPodAutoscaler": ["Name", "Reference", "Targets", "MinPods", "MaxPods", "Replicas", "Age"],
    "Lease": ["Name", "Holder", "Age"],
}


def column_defs(kind):
    defs = []
    for i, c in enumerate(COLUMNS.get(kind, ["Name", "Age"])):
        defs.append({"name": c, "type": "string", "format": "name" if c == "Name" else "",
                     "description": c, "priority": 1 if c in ("IP", "Node", "Nominated Node", "Readiness Gates",
                                                              "Selector") else 0})
    return defs


ISSUED = {}  # continue token -> time issued
PAGES = {}   # (resource, namespace, table, start, limit) -> bytes


def page(resource, namespace, table, start, limit):
    key = (resource, namespace, table, start, limit)
    if key in PAGES:
        return PAGES[key]
    gv, kind, _ = RESOURCES[resource]
    items = [o for o in OBJECTS[resource] if namespace is None or o["metadata"].get("namespace") == namespace]
    end = start + limit if limit > 0 else len(items)
    chunk = items[start:end]
    md = {"resourceVersion": RV}
    if end < len(items):
        md["continue"] = "%s.%d" % (resource, end)
        md["remainingItemCount"] = len(items) - end
    if table:
        body = {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": md, "columnDefinitions": column_defs(kind),
                "rows": [{"cells": cells(kind, o), "object": {
                    "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": o["metadata"]}}
                    for o in chunk]}
    else:
        body = {"kind": kind + "List", "apiVersion": gv, "metadata": md, "items": chunk}
    PAGES[key] = (json.dumps(body, separators=(",", ":")).encode(), md.get("continue"))
    return PAGES[key]


def discovery():
    groups = {}
    for r, (gv, kind, short) in RESOURCES.items():
        groups.setdefault(gv, []).append({
            "name": r, "singularName": kind.lower(), "namespaced": r not in CLUSTER_SCOPED, "kind": kind,
            "verbs": ["get", "list", "watch"], "shortNames": short or None,
            "categories": ["all"] if r in ("pods", "services", "deployments", "statefulsets", "replicasets",
                                           "replicationcontrollers", "horizontalpodautoscalers") else None})
    docs = {}
    for gv, resources in groups.items():
        docs["/api/v1" if gv == "v1" else "/apis/" + gv] = {
            "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv,
            "resources": [{k: v for k, v in r.items() if v is not None} for r in resources]}
    docs["/api"] = {"kind": "APIVersions", "versions": ["v1"],
                    "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:%d" % PORT}]}
    docs["/apis"] = {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
        {"name": gv.split("/")[0], "versions": [{"groupVersion": gv, "version": gv.split("/")[1]}],
         "preferredVersion": {"groupVersion": gv, "version": gv.split("/")[1]}}
        for gv in groups if gv != "v1"]}
    docs["/version"] = {"major": "1", "minor": "32", "gitVersion": "v1.32.4", "platform": "linux/amd64"}
    return {k: json.dumps(v).encode() for k, v in docs.items()}


DISCOVERY = discovery()


def route(path):
    """-> (resource, namespace) for a collection path, else None."""
    parts = path.strip("/").split("/")
    rest = parts[2:] if parts[0] == "api" else parts[3:]
    if len(rest) == 3 and rest[0] == "namespaces":
        return rest[2], rest[1]
    if len(rest) == 1:
        return rest[0], None
    return None


class Handler(apidouble.Handler):
    def send(self, code, body):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def status(self, code, reason, message):
        self.send(code, json.dumps({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                    "message": message, "reason": reason, "code": code}).encode())

    def do_GET(self):
        url = urlparse(self.path)
        q = parse_qs(url.query)
        if url.path in DISCOVERY:
            return self.send(200, DISCOVERY[url.path])
        target = route(url.path)
        if not target or target[0] not in RESOURCES:
            return self.status(404, "NotFound", "the server could not find the requested resource")
        resource, namespace = target
        start = 0
        token = q.get("continue", [""])[0]
        if token:
            issued = ISSUED.get(token)
            if issued is None or time.time() - issued > EXPIRE_AFTER or not token.startswith(resource + "."):
                return self.status(410, "Expired", "The provided continue parameter is too old to display a "
                                   "consistent list result. You can start a new list without the continue parameter.")
            start = int(token.rsplit(".", 1)[1])
        limit = int(q.get("limit", ["0"])[0])
        table = "as=Table" in self.headers.get("Accept", "")
        body, next_token = page(resource, namespace, table, start, limit)
        if next_token:
            ISSUED[next_token] = time.time()
        self.send(200, body)


apidouble.serve(PORT, CERT, KEY, Handler, ready="ready")
