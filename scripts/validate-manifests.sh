#!/usr/bin/env bash
# Validates every manifest we ship against the Kubernetes 1.30 JSON schemas in strict mode
# (unknown fields are errors), with the PyPI package kubernetes-validate in a virtualenv under
# .build/; and the webhook's matchConditions with cel-python (scripts/check-match-conditions.py).
# Arguments: extra YAML files to validate (e.g. `kubectl singleton install` output).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.build/kubernetes-validate
if [[ ! -x $venv/bin/kubernetes-validate ]] || ! "$venv/bin/python" -c 'import celpy' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check kubernetes-validate==1.37.0 cel-python==0.5.0
fi
# The matchConditions, compiled and evaluated by an independent CEL implementation.
"$venv/bin/python" scripts/check-match-conditions.py deploy/base/webhook.yaml
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
kubectl kustomize deploy > "$out/deploy.yaml"
kubectl kustomize deploy/cert-manager > "$out/deploy-cert-manager.yaml"
# What `kubectl singleton install` would create, in both certificate modes.
plugin="$(swift build --show-bin-path)/kubectl-singleton"
"$plugin" install --self-signed --dry-run=client -o yaml > "$out/install-self-signed.yaml"
"$plugin" install --cert-manager --dry-run=client -o yaml > "$out/install-cert-manager.yaml"
files=("$out"/*.yaml "$@")
status=0
for f in "${files[@]}"; do
    # cert-manager's kinds have no upstream schema: those are reported as WARN, not errors.
    if ! "$venv/bin/kubernetes-validate" -k 1.30.0 --strict --quiet "$f"; then
        echo "schema validation failed: $f" >&2
        status=1
    fi
done
[[ $status -eq 0 ]] && echo "manifests valid against Kubernetes 1.30 (strict): ${#files[@]} file(s)"
exit $status
