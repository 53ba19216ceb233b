"""Compiles every matchCondition of deploy/base/webhook.yaml with cel-python (an independent
CEL implementation, not the sandbox's subset) and evaluates it on the requests whose outcome
the README documents: none may end in an error, which would hand the request to the
webhook's failurePolicy. Run by scripts/validate-manifests.sh in its virtualenv."""
import sys

import celpy
import yaml

config = yaml.safe_load(open(sys.argv[1]))
hooks = {h["name"]: h for h in config["webhooks"]}
env = celpy.Environment()
programs = {name: [env.program(env.compile(c["expression"])) for c in h.get("matchConditions", [])]
            for name, h in hooks.items()}


def reaches(hook, obj, old, op="UPDATE", user="jane"):
    """True/False as the API server decides (any false skips; errors with no false fail)."""
    activation = {"object": celpy.json_to_cel(obj), "oldObject": celpy.json_to_cel(old),
                  "request": celpy.json_to_cel({"operation": op, "userInfo": {"username": user}})}
    results = []
    for program in programs[hook]:
        try:
            value = program.evaluate(activation)
        except Exception as error:  # noqa: BLE001 - any evaluation failure is an error
            value = error
        results.append(value)
    if any(r is False or (isinstance(r, celpy.celtypes.BoolType) and not r) for r in results):
        return False
    errors = [r for r in results if not isinstance(r, celpy.celtypes.BoolType)]
    if errors:
        raise SystemExit(f"{hook}: a matchCondition errs: {errors}")
    return True


MODE = "kube-singleton.dev/mode"


def deploy(replicas=1, annotations={MODE: "at-most-one"}, image="app:1", restarted=None):
    meta = {"name": "web"}
    if annotations is not None:
        meta["annotations"] = dict(annotations)
    template = {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": restarted} if restarted else {}},
                "spec": {"containers": [{"name": "app", "image": image}]}}
    spec = {"strategy": {"type": "Recreate"}, "template": template}
    if replicas is not None:
        spec["replicas"] = replicas
    return {"metadata": meta, "spec": spec}


def cronjob(policy="Forbid", parallelism=None, annotations={MODE: "at-most-one"}, image="report:1"):
    meta = {"name": "report"}
    if annotations is not None:
        meta["annotations"] = dict(annotations)
    job = {"template": {"spec": {"containers": [{"name": "report", "image": image}]}}}
    if parallelism is not None:
        job["parallelism"] = parallelism
    spec = {"schedule": "0 * * * *", "jobTemplate": {"spec": job}}
    if policy is not None:
        spec["concurrencyPolicy"] = policy
    return {"metadata": meta, "spec": spec}


def job(parallelism=1, annotations={MODE: "at-most-one"}):
    meta = {"name": "migrate"}
    if annotations is not None:
        meta["annotations"] = dict(annotations)
    return {"metadata": meta, "spec": {"parallelism": parallelism, "template": {"spec": {"containers": []}}}}


def scaled(maximum=None, target="web"):
    spec = {"scaleTargetRef": {"name": target}}
    if maximum is not None:
        spec["maxReplicaCount"] = maximum
    return {"spec": spec}


W, S, H = "workloads.kube-singleton.dev", "scale.kube-singleton.dev", "hpa.kube-singleton.dev"
B, K = "batch.kube-singleton.dev", "scaledobjects.kube-singleton.dev"
rollout = lambda strategy: {"metadata": {"name": "web", "annotations": {MODE: "at-most-one"}},  # noqa: E731
                            "spec": {"replicas": 1, "strategy": strategy}}
scale = lambda r: {"spec": {} if r is None else {"replicas": r}}  # noqa: E731
hpa = lambda m: {"spec": {"maxReplicas": m, "scaleTargetRef": {"kind": "Deployment", "name": "web"}}}  # noqa: E731
cases = [
    ("create a singleton", reaches(W, deploy(), None, "CREATE"), True),
    ("raise replicas", reaches(W, deploy(2), deploy(1)), True),
    ("add the annotation", reaches(W, deploy(1), deploy(1, None)), True),
    ("scale down", reaches(W, deploy(0), deploy(1)), False),
    ("rollout restart", reaches(W, deploy(restarted="now"), deploy()), False),
    ("image change", reaches(W, deploy(image="app:2"), deploy()), False),
    ("opt-out", reaches(W, deploy(3, None), deploy(1)), False),
    ("deployment controller", reaches(W, deploy(3), deploy(1), user="system:serviceaccount:kube-system:deployment-controller"), False),
    ("scale to 3", reaches(S, scale(3), scale(1)), True),
    ("scale to 0", reaches(S, scale(None), scale(1)), False),
    ("HPA max 5", reaches(H, hpa(5), None, "CREATE"), True),
    ("HPA lowered", reaches(H, hpa(2), hpa(5)), False),
    ("rollout to blueGreen", reaches(W, rollout({"blueGreen": {}}), rollout({"canary": {"maxSurge": 0}})), True),
    ("create an annotated CronJob", reaches(B, cronjob(None), None, "CREATE"), True),
    ("CronJob policy changed", reaches(B, cronjob("Allow"), cronjob("Forbid")), True),
    ("CronJob parallelism raised", reaches(B, cronjob(parallelism=2), cronjob()), True),
    ("CronJob image change", reaches(B, cronjob(image="report:2"), cronjob()), False),
    ("CronJob opt-out", reaches(B, cronjob("Allow", annotations=None), cronjob()), False),
    ("Job parallelism raised", reaches(B, job(3), job(1)), True),
    ("Job parallelism lowered", reaches(B, job(2), job(3)), False),
    ("unannotated Job", reaches(B, job(5, None), None, "CREATE"), False),
    ("ScaledObject default max", reaches(K, scaled(), None, "CREATE"), True),
    ("ScaledObject max 1", reaches(K, scaled(1), None, "CREATE"), False),
    ("ScaledObject max raised", reaches(K, scaled(10), scaled(5)), True),
    ("ScaledObject max unset", reaches(K, scaled(), scaled(5)), True),
    ("ScaledObject lowered", reaches(K, scaled(5), scaled()), False),
    ("ScaledObject new target", reaches(K, scaled(5, "db"), scaled(5)), True),
]
wrong = [name for name, got, want in cases if got != want]
if wrong:
    raise SystemExit(f"matchConditions decide against the README for: {', '.join(wrong)}")
print(f"matchConditions: {sum(map(len, programs.values()))} expressions compile with cel-python; {len(cases)} documented paths decided as the README says")
