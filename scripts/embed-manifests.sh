#!/usr/bin/env bash
# Writes Sources/SingletonCLI/Install/DeployManifests.swift from deploy/**/*.yaml (`make embed`):
# `kubectl singleton install` carries those manifests compiled in. EmbeddedManifestsTests fails
# while the two differ. --check: exit 1, changing nothing, when the file is not up to date.
set -euo pipefail
cd "$(dirname "$0")/.."
out=Sources/SingletonCLI/Install/DeployManifests.swift
delimiter='"""####'

render() {
    cat <<'EOF'
// Generated from deploy/**/*.yaml by scripts/embed-manifests.sh: do not edit.
// Regenerate with `make embed`; EmbeddedManifestsTests fails while this file and deploy/ differ.
// swift-format-ignore-file

/// The webhook's manifests, compiled into the plugin so `install` needs no checkout.
enum DeployManifests {
    static let files: [(path: String, content: String)] = [
EOF
    local path
    while IFS= read -r path; do
        if grep -qF "$delimiter" "$path"; then
            echo "embed-manifests: $path contains $delimiter, which ends the raw string" >&2
            exit 1
        fi
        # A multi-line string literal drops the newline before its closing delimiter, so the
        # blank line keeps the file's own last newline.
        printf '        ("%s", ####"""\n' "$path"
        cat "$path"
        printf '\n"""####),\n'
    done < <(find deploy -name '*.yaml' -type f | LC_ALL=C sort)
    printf '    ]\n}\n'
}

new=$(mktemp)
trap 'rm -f "$new"' EXIT
render > "$new"
if [[ ${1:-} == --check ]]; then
    cmp -s "$new" "$out" || { echo "$out is not generated from deploy/: run \`make embed\`" >&2; exit 1; }
    exit 0
fi
if cmp -s "$new" "$out"; then
    echo "$out is up to date"
else
    cp "$new" "$out"
    echo "wrote $out from $(find deploy -name '*.yaml' -type f | wc -l) files of deploy/"
fi
