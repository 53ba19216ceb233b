#!/usr/bin/env bash
# Runs a command inside a root filesystem the way a container runtime would, without one: in
# its own mount namespace (so nothing it mounts outlives it), chrooted, with a fresh /proc and
# a minimal /dev, as a given UID:GID with no_new_privs and an environment of only what is
# named. The process keeps this script's PID (every step execs), so a caller can signal it
# and wait for its exit status.
#
#   scripts/in-root.sh [--read-only] [--bind-ro SRC:DST]... [--env K=V]... ROOT UID:GID CMD...
#   --read-only     the root is mounted read-only (readOnlyRootFilesystem)
#   --bind-ro S:D   host directory S at D inside, read-only (a volume; D must exist in ROOT)
# The network is the host's (the tests serve on 127.0.0.1). Needs root.
set -euo pipefail

if [ "${1:-}" != --inside ]; then
  exec unshare --mount --propagation private "$0" --inside "$@"
fi
shift

read_only=false
binds=()
envs=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
while [ $# -gt 0 ]; do
  case $1 in
    --read-only) read_only=true; shift ;;
    --bind-ro) binds+=("$2"); shift 2 ;;
    --env) envs+=("$2"); shift 2 ;;
    *) break ;;
  esac
done
root=${1:?usage: in-root.sh [options] ROOT UID:GID CMD...}
user=${2:?usage: in-root.sh [options] ROOT UID:GID CMD...}
shift 2

mount --bind "$root" "$root"   # a mount of its own, so it can be made read-only
for bind in ${binds[@]+"${binds[@]}"}; do
  src=${bind%%:*} dst="$root${bind#*:}"
  [ -d "$dst" ] || { echo "in-root: mount point ${bind#*:} does not exist in $root" >&2; exit 1; }
  mount --bind "$src" "$dst"
  mount -o remount,bind,ro "$dst"
done
mount -t proc proc "$root/proc"
mount -t tmpfs -o mode=0755,size=1m tmpfs "$root/dev"
for dev in null zero full random urandom tty; do
  touch "$root/dev/$dev"
  mount --bind "/dev/$dev" "$root/dev/$dev"
done
ln -s /proc/self/fd "$root/dev/fd"
if $read_only; then mount -o remount,bind,ro "$root"; fi

exec setpriv --no-new-privs chroot --userspec="$user" "$root" /usr/bin/env -i "${envs[@]}" "$@"
