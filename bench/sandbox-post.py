"""Median latency of Deployment creates against two sandboxes, alternating A B A B.

usage: sandbox-post.py CREATES PORT_A TOKEN_A OBJECTS_A PORT_B TOKEN_B OBJECTS_B

Each sandbox gets one keep-alive HTTPS connection for POSTs and one open watch on Deployments
(read on a thread, so the server's watch fan-out is part of every create). The body is what
`kubectl create deployment NAME --image=nginx:1.27` sends, as JSON.
"""
import http.client
import json
import os
import ssl
import statistics
import sys
import threading
import time

creates = int(sys.argv[1])
targets = [(int(sys.argv[2]), sys.argv[3], sys.argv[4]), (int(sys.argv[5]), sys.argv[6], sys.argv[7])]
context = ssl._create_unverified_context()


def connect(port):
    return http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=60)


def body(name):
    labels = {"app": name}
    return json.dumps({
        "kind": "Deployment", "apiVersion": "apps/v1",
        "metadata": {"name": name, "creationTimestamp": None, "labels": labels},
        "spec": {
            "replicas": 1, "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"creationTimestamp": None, "labels": labels},
                "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27", "resources": {}}]},
            },
            "strategy": {},
        },
        "status": {},
    }).encode()


def watch(port, token, seen):
    conn = connect(port)
    conn.request("GET", "/apis/apps/v1/namespaces/bench/deployments?watch=true",
                 headers={"Authorization": "Bearer " + token})
    response = conn.getresponse()
    while True:
        line = response.readline()
        if not line:
            return
        seen[0] += 1


def fill_via_api(port, token, objects):
    """For builds without --prefill: the same Deployments, created through the API."""
    conn = connect(port)
    for i in range(int(objects) // 3):
        conn.request("POST", "/apis/apps/v1/namespaces/fill-%d/deployments" % (i // 100), body=body("fill-%d" % i),
                     headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        conn.getresponse().read()


clients = []
for port, token, objects in targets:
    if os.environ.get("FILL_API") == "1":
        fill_via_api(port, token, objects)
    seen = [0]
    threading.Thread(target=watch, args=(port, token, seen), daemon=True).start()
    clients.append({"conn": connect(port), "token": token, "objects": objects, "times": [], "seen": seen})

path = "/apis/apps/v1/namespaces/bench/deployments?fieldManager=kubectl-create&fieldValidation=Strict"
for i in range(creates):
    for c in clients:
        payload = body("bench-%d" % i)
        start = time.perf_counter()
        c["conn"].request("POST", path, body=payload, headers={
            "Authorization": "Bearer " + c["token"], "Content-Type": "application/json",
            "Accept": "application/json"})
        response = c["conn"].getresponse()
        response.read()
        elapsed = time.perf_counter() - start
        if response.status != 201:
            sys.exit("create answered %d" % response.status)
        if i >= 5:  # warm-up
            c["times"].append(elapsed)

def held(c):
    """Deployments, ReplicaSets and Pods the sandbox holds (before the creates)."""
    total = 0
    for path in ["/apis/apps/v1/deployments", "/apis/apps/v1/replicasets", "/api/v1/pods"]:
        c["conn"].request("GET", path, headers={"Authorization": "Bearer " + c["token"]})
        total += len(json.loads(c["conn"].getresponse().read())["items"])
    return total - 3 * creates


small, large = clients
for c in clients:
    print("sandbox holding %d objects (asked %s): create median %.2f ms, p90 %.2f ms (%d creates, %d watch lines)" % (
        held(c), c["objects"], statistics.median(c["times"]) * 1000,
        statistics.quantiles(c["times"], n=10)[-1] * 1000, len(c["times"]), c["seen"][0]))
ratio = statistics.median(large["times"]) / statistics.median(small["times"])
print("ratio sandbox create latency %s/%s objects: %.2f" % (large["objects"], small["objects"], ratio))
print("target sandbox create latency ratio <= 2: %s" % ("met" if ratio <= 2 else "NOT met"))
