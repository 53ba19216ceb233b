#!/usr/bin/env python3
"""A minimal Kubernetes API for the benchmark: metadata-only list, watch and get of
workloads over HTTPS, so the webhook's parent cache can hold N objects without a cluster.

usage: fake-api.py PORT CERT KEY COUNT
Serves COUNT deployments named bench-00000.. in namespace "bench" (one in ten annotated
kube-singleton.dev/mode: at-most-one) plus shop/web (at-most-one, the uid the example
kubectl-scale review carries). Other kinds are empty. Lists are paged by `limit` (the
continue token is the next offset); PAGED=0 answers every list in one page. Watches send one BOOKMARK and stay
open until the client leaves or timeoutSeconds passes.
"""
import json, os, ssl, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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

DEPLOYMENTS = {("bench", "bench-%05d" % i): meta("bench", "bench-%05d" % i, "00000000-0000-4000-8000-%012d" % i, i % 10 == 0)
               for i in range(COUNT)}
DEPLOYMENTS[("shop", "web")] = meta("shop", "web", WEB_UID, True)
COLLECTIONS = {"/apis/apps/v1/deployments": DEPLOYMENTS, "/apis/apps/v1/statefulsets": {},
               "/apis/apps/v1/replicasets": {}, "/api/v1/replicationcontrollers": {}}

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_json(self, code, obj):
        body = json.dumps(obj).encode()
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
                return self.watch(int(q.get("timeoutSeconds", ["300"])[0]))
            values = list(items.values())
            start = int(q.get("continue", ["0"])[0])
            limit = int(q.get("limit", ["0"])[0]) if PAGED else 0
            end = start + limit if limit > 0 else len(values)
            metadata = {"resourceVersion": RV}
            if end < len(values):
                metadata["continue"] = str(end)
                metadata["remainingItemCount"] = len(values) - end
            return self.send_json(200, {"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1",
                                        "metadata": metadata, "items": values[start:end]})
        parts = url.path.strip("/").split("/")
        if len(parts) >= 6 and parts[-4] == "namespaces":
            base = "/" + "/".join(parts[:-4]) + "/" + parts[-2]
            obj = COLLECTIONS.get(base, {}).get((parts[-3], parts[-1]))
            if obj:
                return self.send_json(200, obj)
        self.send_json(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404,
                             "message": "not found"})

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

server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
server.daemon_threads = True
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(CERT, KEY)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
server.serve_forever()
