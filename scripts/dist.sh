#!/usr/bin/env bash
# Builds the krew release archive for this machine's platform and fills its sha256 into the
# krew manifest: dist/kubectl-singleton_<os>_<arch>.tar.gz (binary, LICENSE, completion
# script) and dist/singleton.yaml. Then checks both: archive contents, the recorded sum, and
# what the binary loads: only glibc and the C libraries the design names (libcurl, OpenSSL),
# nothing from the Swift toolchain, and not glibc's packed relocations (2.36: Ubuntu 22.04 has
# 2.35). scripts/dist-chroot.sh runs the archive on a Debian root where no Swift is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/.*static let current = "\(.*\)".*/\1/p' Sources/SingletonCore/Version.swift)
os=$(uname -s | tr '[:upper:]' '[:lower:]')
case $(uname -m) in x86_64|amd64) arch=amd64 ;; aarch64|arm64) arch=arm64 ;; *) echo "unsupported arch $(uname -m)" >&2; exit 2 ;; esac

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
scripts/release-build.sh kubectl-singleton "$stage/kubectl-singleton" >/dev/null
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
# Direct dependencies: glibc's libraries, libcurl and OpenSSL (what libcurl pulls in is the
# distribution's). Anything else, the Swift runtime or libstdc++ above all, is a missing
# `--static-*` flag.
needed=$(readelf -d "$stage/kubectl-singleton" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | tr '\n' ' ')
for lib in $needed; do
  case $lib in
    libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|libutil.so.*|ld-linux*|libgcc_s.so.*) ;;
    libcurl.so.4|libssl.so.3|libcrypto.so.3) ;;
    *) echo "kubectl-singleton links $lib: only glibc, libcurl and OpenSSL may be loaded dynamically (needed: $needed)" >&2; exit 1 ;;
  esac
done
# The newest glibc symbol version it needs: with packed relocations (DT_RELR) it would need 2.36.
versions=$(readelf -V "$stage/kubectl-singleton")
glibc=$(grep -o 'GLIBC_[0-9][0-9.]*' <<<"$versions" | sort -uV | tail -1)
if grep -q GLIBC_ABI_DT_RELR <<<"$versions"; then
  echo "kubectl-singleton needs glibc's DT_RELR support (2.36); build it without pack-relative-relocs" >&2; exit 1
fi
ldd "$stage/kubectl-singleton"
check=$(mktemp -d); tar -C "$check" -xzf "$archive"; "$check/kubectl-singleton" version --client >/dev/null; rm -rf "$check"

# singleton-run: the same recipe and checks, as its own archive (binary and LICENSE).
scripts/release-build.sh singleton-run "$stage/singleton-run" >/dev/null
run_archive="dist/singleton-run_${os}_${arch}.tar.gz"
tar -C "$stage" --owner=0 --group=0 --numeric-owner -czf "$run_archive" singleton-run LICENSE
for lib in $(readelf -d "$stage/singleton-run" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
  case $lib in
    libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|libutil.so.*|ld-linux*|libgcc_s.so.*) ;;
    libcurl.so.4|libssl.so.3|libcrypto.so.3) ;;
    *) echo "singleton-run links $lib: only glibc, libcurl and OpenSSL may be loaded dynamically" >&2; exit 1 ;;
  esac
done
if readelf -V "$stage/singleton-run" | grep -q GLIBC_ABI_DT_RELR; then
  echo "singleton-run needs glibc's DT_RELR support (2.36); build it without pack-relative-relocs" >&2; exit 1
fi
check=$(mktemp -d); tar -C "$check" -xzf "$run_archive"; "$check/singleton-run" --help >/dev/null; rm -rf "$check"
echo "$run_archive  sha256 $(sha256sum "$run_archive" | cut -d' ' -f1)  $(stat -c %s "$run_archive") bytes"
echo "$archive  sha256 $sum  $(stat -c %s "$archive") bytes"
echo "kubectl-singleton  $(stat -c %s "$stage/kubectl-singleton") bytes, stripped; needs: $needed(newest symbol $glibc)"
echo "dist/singleton.yaml  version v$version"
