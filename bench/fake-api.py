#!/usr/bin/env python3
"""A minimal Kubernetes API for the benchmark: metadata-only list, watch and get of
workloads over HTTPS, so the webhook's parent cache can hold N objects without a cluster.

usage: fake-api.py PORT CERT KEY COUNT [SHAPE]
SHAPE deployments (the default): COUNT deployments named bench-00000.. in namespace "bench"
(one in ten annotated kube-singleton.dev/mode: at-most-one) plus shop/web (at-most-one, the uid
the example kubectl-scale review carries). Other kinds are empty.
SHAPE replicasets: a large cluster's history, COUNT workloads in 200 namespaces team-000..:
one Deployment in eleven, each with ten ReplicaSets it owns (revisionHistoryLimit), named
<deployment>-<pod-template-hash> with the labels, annotations and owner reference the
Deployment controller writes; one Deployment in 250 is an at-most-one singleton, and its
ReplicaSets carry the annotation as the controller copies it. Plus shop/web as above, and
its ReplicaSet shop/web-5d8f7c9b6d (uid ...0aa, 10 replicas asked of it in bench reviews).
Items are written from templates page by page, so 100,000 of them cost the server no memory.
GONE_ONCE=1 answers the first ReplicaSet watch with a 410 ERROR event (the client relists). Lists are paged by `limit` (the
continue token is the next offset); PAGED=0 answers every list in one page. Watches send one BOOKMARK and stay
open until the client leaves or timeoutSeconds passes.
"""
import apidouble, json, os, ssl, sys, time
from urllib.parse import urlparse, parse_qs

PORT, CERT, KEY, COUNT = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
# Lists honour `limit` and `continue` as the API server does, unless PAGED=0 (one page).
PAGED = os.environ.get("PAGED", "1") != "0"
RV = "1000"
WEB_UID = "6a3e1f0c-9d2b-4b7e-8c1a-2f4d5e6a7b8c"

def meta(ns, name, uid, singleton):
    m = {"name": name, "namespace": ns, "uid": uid, "resourceVersion": RV,
         "labels": {"app": name, "tier": "bench"},
         "annotations": {"deployment.kubernetes.io/revision": "1"}}
    if singleton:
        m["annotations"]["kube-singleton.dev/mode"] = "at-most-one"
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": m}

SHAPE = sys.argv[5] if len(sys.argv) > 5 else "deployments"
GONE_ONCE = [os.environ.get("GONE_ONCE", "0") == "1"]

def dump(obj):
    return json.dumps(obj, separators=(",", ":"))

class Collection:
    """COUNT items, item(i) -> JSON text; index(ns, name) -> i or None."""
    def __init__(self, count, item, index):
        self.count, self.item, self.index = count, item, index

def table(objects):
    keys = list(objects)
    where = {k: i for i, k in enumerate(keys)}
    return Collection(len(keys), lambda i: dump(objects[keys[i]]), lambda ns, name: where.get((ns, name)))

if SHAPE == "deployments":
    DEPLOYMENTS = {("bench", "bench-%05d" % i): meta("bench", "bench-%05d" % i, "00000000-0000-4000-8000-%012d" % i, i % 10 == 0)
                   for i in range(COUNT)}
    DEPLOYMENTS[("shop", "web")] = meta("shop", "web", WEB_UID, True)
    COLLECTIONS = {"/apis/apps/v1/deployments": table(DEPLOYMENTS), "/apis/apps/v1/statefulsets": table({}),
                   "/apis/apps/v1/replicasets": table({}), "/api/v1/replicationcontrollers": table({})}
else:
    NS, HISTORY, SINGLETON_EVERY = 200, 10, 250
    DEPS = COUNT // (HISTORY + 1)
    RSS = COUNT - DEPS
    WEB_RS_UID = "00000000-0000-4000-8000-0000000000aa"
    ALPHABET = "bcdfghjklmnpqrstvwxz2456789"

    def template_hash(i):
        out = ""
        for _ in range(10):
            i, r = divmod(i * 7919 + 104729, len(ALPHABET))
            out += ALPHABET[r]
        return out

    def dep_name(d):
        return "svc-%05d" % d

    def dep_ns(d):
        return "team-%03d" % (d % NS)

    def dep_uid(d):
        return "10000000-0000-4000-8000-%012d" % d

    def annotations(d, extra):
        a = dict(extra)
        if d % SINGLETON_EVERY == 0:
            a["kube-singleton.dev/mode"] = "at-most-one"
        return a

    def deployment(d):
        return dump({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": {
            "name": dep_name(d), "namespace": dep_ns(d), "uid": dep_uid(d), "resourceVersion": RV, "generation": 10,
            "creationTimestamp": "2026-11-01T09:00:00Z", "labels": {"app": dep_name(d)},
            "annotations": annotations(d, {"deployment.kubernetes.io/revision": "10"})}})

    def replicaset(r):
        d, rev = r // HISTORY, r % HISTORY + 1
        if d >= DEPS:  # the remainder of COUNT: extra history of the last Deployment
            d, rev = DEPS - 1, HISTORY + 1 + r - DEPS * HISTORY
        h = template_hash(r)
        return dump({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": {
            "name": "%s-%s" % (dep_name(d), h), "namespace": dep_ns(d), "uid": "20000000-0000-4000-8000-%012d" % r,
            "resourceVersion": RV, "generation": 2, "creationTimestamp": "2026-11-01T09:00:00Z",
            "labels": {"app": dep_name(d), "pod-template-hash": h},
            "annotations": annotations(d, {"deployment.kubernetes.io/desired-replicas": "1",
                                           "deployment.kubernetes.io/max-replicas": "2",
                                           "deployment.kubernetes.io/revision": str(rev)}),
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": dep_name(d), "uid": dep_uid(d),
                                 "controller": True, "blockOwnerDeletion": True}]}})

    WEB = dump(meta("shop", "web", WEB_UID, True))
    web_rs = meta("shop", "web-5d8f7c9b6d", WEB_RS_UID, True)
    web_rs["metadata"]["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
                                              "uid": WEB_UID, "controller": True, "blockOwnerDeletion": True}]
    WEB_RS = dump(web_rs)

    def dep_index(ns, name):
        if (ns, name) == ("shop", "web"):
            return DEPS
        try:
            d = int(name[4:9])
        except ValueError:
            return None
        return d if 0 <= d < DEPS and name == dep_name(d) and ns == dep_ns(d) else None

    RS_NAMES = {}
    def rs_index(ns, name):
        if (ns, name) == ("shop", "web-5d8f7c9b6d"):
            return RSS
        if not RS_NAMES:
            for r in range(RSS):
                RS_NAMES[json.loads(replicaset(r))["metadata"]["name"]] = r
        return RS_NAMES.get(name)

    COLLECTIONS = {
        "/apis/apps/v1/deployments": Collection(DEPS + 1, lambda i: deployment(i) if i < DEPS else WEB, dep_index),
        "/apis/apps/v1/replicasets": Collection(RSS + 1, lambda i: replicaset(i) if i < RSS else WEB_RS, rs_index),
        "/apis/apps/v1/statefulsets": table({}), "/api/v1/replicationcontrollers": table({})}

class Handler(apidouble.Handler):
    def send_json(self, code, obj):
        self.send_body(code, json.dumps(obj).encode())

    def send_body(self, code, body):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urlparse(self.path)
        q = parse_qs(url.query)
        if url.path in COLLECTIONS:
            items = COLLECTIONS[url.path]
            if q.get("watch") == ["true"]:
                if url.path == "/apis/apps/v1/replicasets" and GONE_ONCE[0]:
                    GONE_ONCE[0] = False
                    return self.gone()
                return self.watch(int(q.get("timeoutSeconds", ["300"])[0]))
            start = int(q.get("continue", ["0"])[0])
            limit = int(q.get("limit", ["0"])[0]) if PAGED else 0
            end = min(start + limit, items.count) if limit > 0 else items.count
            metadata = {"resourceVersion": RV}
            if end < items.count:
                metadata["continue"] = str(end)
                metadata["remainingItemCount"] = items.count - end
            body = ('{"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1","metadata":%s,"items":[%s]}'
                    % (dump(metadata), ",".join(items.item(i) for i in range(start, end)))).encode()
            return self.send_body(200, body)
        parts = url.path.strip("/").split("/")
        if len(parts) >= 6 and parts[-4] == "namespaces":
            base = "/" + "/".join(parts[:-4]) + "/" + parts[-2]
            collection = COLLECTIONS.get(base)
            i = collection.index(parts[-3], parts[-1]) if collection else None
            if i is not None:
                return self.send_body(200, collection.item(i).encode())
        self.send_json(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404,
                             "message": "not found"})

    def gone(self):
        line = dump({"type": "ERROR", "object": {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                                 "reason": "Expired", "code": 410,
                                                 "message": "too old resource version"}}).encode() + b"\n"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(line), line))

    def watch(self, timeout):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        line = json.dumps({"type": "BOOKMARK", "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                                                          "metadata": {"resourceVersion": RV}}}).encode() + b"\n"
        try:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
            self.wfile.flush()
            deadline = time.time() + timeout
            while time.time() < deadline:
                time.sleep(1)
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass

apidouble.serve(PORT, CERT, KEY, Handler)
