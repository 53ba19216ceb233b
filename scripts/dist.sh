#!/usr/bin/env bash
# Builds the krew release archive for this machine's platform and fills its sha256 into the
# krew manifest: dist/kubectl-singleton_<os>_<arch>.tar.gz (binary, LICENSE, completion
# script) and dist/singleton.yaml. Then checks both: archive contents and the recorded sum.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/.*static let current = "\(.*\)".*/\1/p' Sources/SingletonCore/Version.swift)
os=$(uname -s | tr '[:upper:]' '[:lower:]')
case $(uname -m) in x86_64|amd64) arch=amd64 ;; aarch64|arm64) arch=arm64 ;; *) echo "unsupported arch $(uname -m)" >&2; exit 2 ;; esac
config=${DIST_CONFIG:-release}

swift build -c "$config" --product kubectl-singleton
bin="$(swift build -c "$config" --show-bin-path)/kubectl-singleton"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
install -m 0755 "$bin" "$stage/kubectl-singleton"
[[ $config == release ]] && strip "$stage/kubectl-singleton"
install -m 0755 plugin/kubectl_complete-singleton "$stage/kubectl_complete-singleton"
install -m 0644 LICENSE "$stage/LICENSE"

mkdir -p dist
archive="dist/kubectl-singleton_${os}_${arch}.tar.gz"
tar -C "$stage" --owner=0 --group=0 --numeric-owner -czf "$archive" kubectl-singleton kubectl_complete-singleton LICENSE
sum=$(sha256sum "$archive" | cut -d' ' -f1)
sed -e "s/@VERSION@/$version/g" -e "s/@SHA256_${os}_${arch}@/$sum/" plugin/singleton.yaml > dist/singleton.yaml

# Checks: the archive holds exactly what the manifest extracts, the sum is recorded, and
# the packaged binary runs.
listing=$(tar -tzf "$archive" | sort | tr '\n' ' ')
[[ $listing == "LICENSE kubectl-singleton kubectl_complete-singleton " ]] || { echo "unexpected archive contents: $listing" >&2; exit 1; }
grep -q "sha256: \"$sum\"" dist/singleton.yaml || { echo "sha256 not in dist/singleton.yaml" >&2; exit 1; }
grep -q "version: v$version" dist/singleton.yaml || { echo "version not in dist/singleton.yaml" >&2; exit 1; }
check=$(mktemp -d); tar -C "$check" -xzf "$archive"; "$check/kubectl-singleton" version --client >/dev/null; rm -rf "$check"
echo "$archive  sha256 $sum"
echo "dist/singleton.yaml  version v$version"
