#!/usr/bin/env bash
# The one recipe for the binaries we ship: webhook/Dockerfile, `make dist` (scripts/dist.sh),
# `make image-rootfs` and bench/run.sh all build through it, so what is benchmarked and tested
# is what is shipped.
#
#   scripts/release-build.sh PRODUCT [OUT]   release build of PRODUCT; with OUT, also install it
#                                            there stripped. Prints the binary's path.
#   scripts/release-build.sh --flags PRODUCT print the `swift build` flags only
#   PACKAGE_PATH=DIR (default: the repository): build another package (bench/floor) the same way.
#
# The flags:
# - a static Swift runtime and Foundation (`--static-swift-stdlib`): nothing from a Swift
#   toolchain is needed where the binary runs;
# - libstdc++ linked statically (the Swift runtime is C++): only the parts used are mapped,
#   and minimal images need not carry it. A directory holding only libstdc++.a makes the
#   driver's `-lstdc++` pick the archive;
# - full link-time optimisation: SwiftNIO's, NIOSSL's and our modules are optimised as one
#   program: 10 to 15% less CPU per admission request, measured alternating both builds;
# - exclusivity enforced at compile time only (`-enforce-exclusivity=unchecked`): the runtime
#   check of each class-property and global access stays in the debug builds that `make test`
#   runs, and costs about 9% of the CPU per request;
# - lld; for the servers, which run on the bookworm image, also packed relative relocations
#   (DT_RELR): the loader reads kilobytes of relocation records instead of megabytes, about
#   2 MiB less resident memory. It needs glibc >= 2.36, so the plugin and singleton-run, which
#   run on the user's machines and images, go without.
set -euo pipefail
cd "$(dirname "$0")/.."

print_flags=false
if [ "${1:-}" = --flags ]; then print_flags=true; shift; fi
product=${1:?usage: scripts/release-build.sh [--flags] PRODUCT [OUT]}
out=${2:-}
package=${PACKAGE_PATH:-.}

static_cxx="$(cd "$package" && pwd)/.build/static-cxx"
flags=(-c release --product "$product" --static-swift-stdlib --experimental-lto-mode=full
       -Xswiftc -enforce-exclusivity=unchecked -Xswiftc -use-ld=lld -Xlinker "-L$static_cxx")
case $product in
  kubectl-singleton|singleton-run) ;;  # run on the user's machines and images
  *) flags+=(-Xlinker -z -Xlinker pack-relative-relocs) ;;
esac
if $print_flags; then echo "${flags[*]}"; exit 0; fi

mkdir -p "$static_cxx"
cxx_archive=$(clang -print-file-name=libstdc++.a 2>/dev/null || true)
if [ -f "$cxx_archive" ]; then
  ln -sfn "$cxx_archive" "$static_cxx/libstdc++.a"
else
  echo "release-build: no libstdc++.a (install libstdc++-12-dev); libstdc++ stays shared" >&2
fi

swift build --package-path "$package" "${flags[@]}" >&2
bin="$(swift build --package-path "$package" -c release --show-bin-path)/$product"
if [ -n "$out" ]; then
  install -D -m 0755 "$bin" "$out"
  strip "$out"
  bin=$out
fi
echo "$bin"
