#!/usr/bin/env python3
"""The benchmark's request body: examples/reviews/03-scale-down-allowed.json as the API server
would send it, compact JSON (no indentation) with what a real Deployment UPDATE also carries,
its managedFields entry and status, so the body is about 2.8 KB like the issue asks.

usage: review-body.py EXAMPLE > body.json
"""
import copy, json, sys

review = json.load(open(sys.argv[1]))
req = review["request"]

def enrich(obj, replicas, generation):
    meta = obj["metadata"]
    meta["generation"] = generation
    meta["creationTimestamp"] = "2026-11-20T09:12:44Z"
    meta["managedFields"] = [
        {"manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": "apps/v1",
         "time": "2026-11-20T09:12:44Z", "fieldsType": "FieldsV1",
         "fieldsV1": {"f:metadata": {"f:annotations": {".": {}, "f:kube-singleton.dev/lease": {}, "f:kube-singleton.dev/mode": {}},
                                     "f:labels": {".": {}, "f:app": {}}},
                      "f:spec": {"f:replicas": {}, "f:selector": {}, "f:template": {"f:metadata": {"f:labels": {".": {}, "f:app": {}}}}}}},
    ]
    obj["status"] = {"observedGeneration": generation - 1, "replicas": replicas, "readyReplicas": replicas,
                     "availableReplicas": replicas, "updatedReplicas": replicas}

enrich(req["object"], 2, 4)
enrich(req["oldObject"], 3, 3)
sys.stdout.write(json.dumps(review, separators=(",", ":")))
