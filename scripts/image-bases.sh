#!/usr/bin/env bash
# The two base images of webhook/Dockerfile, made locally for a machine that reaches no
# registry, in podman's image store; prints the `--build-arg`s that name them:
#   RUNTIME_IMAGE  localhost/debian:bookworm-slim  the bookworm minbase root of scripts/rootfs.sh
#                  (what debian:bookworm-slim is made of), made slim as it is (below)
#   SWIFT_IMAGE    localhost/swift:X.Y-bookworm    a bookworm root with what the toolchain and
#                  the build need, plus the Swift toolchain that builds here (the one on PATH),
#                  at the same path. Its git reads every github.com address from this machine's
#                  package mirror (the same url.insteadOf as the host's git config), which the
#                  build mounts read-only: see scripts/image.sh.
# An image is made again only when what it is made of changes (its label records the root and
# the toolchain). Needs root, mmdebstrap and podman.
set -euo pipefail
cd "$(dirname "$0")/.."

# What the toolchain's programs load besides glibc and themselves (ldd: swift-build and
# swift-package load libcurl, libxml2, libsqlite3 and ncurses; lld libxml2), what SwiftPM runs
# (git), what links (libstdc++-12-dev brings libc6-dev and libgcc-12-dev; strip is binutils'),
# and the -dev packages of the project's C shims. Swift's longer list for Debian (libedit,
# libpython3, zlib1g-dev, gcc, ...) serves the REPL, lldb and other packages: not needed here.
SWIFT_PACKAGES=(git binutils libstdc++-12-dev libcurl4-openssl-dev libssl-dev pkg-config
                libxml2 libsqlite3-0 libncurses6)
MIRROR=${SWIFT_PACKAGES_MIRROR:-/opt/swift-packages}

label=dev.kube-singleton.base
# IMAGE SOURCE: true when IMAGE exists and was made from SOURCE.
current() { [ "$(podman image inspect --format "{{index .Labels \"$label\"}}" "$1" 2>/dev/null)" = "$2" ]; }

runtime_image=localhost/debian:bookworm-slim
slim=$(scripts/rootfs.sh)
if ! current "$runtime_image" "$(basename "$slim")+slim"; then
  echo "image-bases: $runtime_image from $slim" >&2
  # What makes the public image "slim", on a copy of the root: dpkg installs no documentation
  # (the copyright files excepted), manuals or translations, and apt keeps neither its binary
  # caches nor the packages it downloaded, so that an image's `apt-get install` layer holds
  # only what was installed.
  stage=$(mktemp -d /tmp/image-bases.XXXXXX); trap 'rm -rf "$stage"' EXIT
  chmod 0755 "$stage"; cp -a "$slim/." "$stage/"
  cat >"$stage/etc/dpkg/dpkg.cfg.d/slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
CFG
  cat >"$stage/etc/apt/apt.conf.d/slim" <<'CFG'
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb || true"; };
CFG
  find "$stage/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
  find "$stage/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$stage"/usr/share/man/* "$stage"/usr/share/info/* "$stage"/usr/share/locale/*
  tar -C "$stage" -c . | podman import --change "LABEL $label=$(basename "$slim")+slim" \
    --change 'CMD ["bash"]' - "$runtime_image" >/dev/null
  rm -rf "$stage"; trap - EXIT
fi

bindir=$(cd "$(dirname "$(command -v swift)")" && pwd -P)
toolchain=${bindir%/usr/bin}      # /opt/swift on this machine
[ -x "$toolchain/usr/bin/swift" ] || { echo "image-bases: $bindir is not a toolchain's usr/bin" >&2; exit 1; }
version=$(swift --version 2>/dev/null | sed -n 's/.*Swift version \([0-9]*\.[0-9]*\).*/\1/p' | head -1)
swift_image=localhost/swift:$version-bookworm
root=$(scripts/rootfs.sh "${SWIFT_PACKAGES[@]}")
source="$(basename "$root")+$(swift --version 2>/dev/null | sed -n 's/.*(\(swift-[^)]*\)).*/\1/p' | head -1)"
if ! current "$swift_image" "$source"; then
  echo "image-bases: $swift_image from $root and $toolchain (a few minutes: the toolchain is $(du -sh "$toolchain" | cut -f1))" >&2
  extra=$(mktemp -d /tmp/image-bases.XXXXXX)
  trap 'rm -rf "$extra"' EXIT
  mkdir -p "$extra/etc"
  # The host's url.insteadOf rules that point into the mirror, nothing else of its git config.
  git config --get-regexp '^url\..*\.insteadof$' | while read -r key value; do
    base=${key#url.}; base=${base%.insteadof}
    case $base in "$MIRROR"*) git config --file "$extra/etc/gitconfig" --add "url.$base.insteadOf" "$value" ;; esac
  done
  [ -s "$extra/etc/gitconfig" ] || { echo "image-bases: git here has no url.insteadOf into $MIRROR" >&2; exit 1; }
  tar -c -C "$root" --exclude=./etc/gitconfig . -C "$extra" etc/gitconfig -C / "${toolchain#/}" |
    podman import --change "LABEL $label=$source" \
      --change "ENV PATH=$toolchain/usr/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
      --change 'CMD ["bash"]' - "$swift_image" >/dev/null
fi
echo "--build-arg SWIFT_IMAGE=$swift_image --build-arg RUNTIME_IMAGE=$runtime_image"
