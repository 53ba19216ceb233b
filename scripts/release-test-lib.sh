# Shared by the release tests (scripts/dist-chroot.sh, scripts/image-rootfs-test.sh); sourced.
#   release_test_setup NAME   a work directory ($work) and an EXIT trap that stops every pid in
#                             $pids and removes the directory
#   start_sandbox             singleton-sandbox from $BIN on 127.0.0.1; exports KUBECONFIG
#   step TEXT, free_port
release_test_setup() {
  work=$(mktemp -d "/tmp/$1.XXXXXX")
  pids=()
  trap release_test_cleanup EXIT
}
release_test_cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
step() { printf '\n== %s\n' "$*"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start_sandbox() {
  "$BIN/singleton-sandbox" --kubeconfig-out "$work/kubeconfig" >"$work/sandbox.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 150); do
    [ -s "$work/kubeconfig" ] && kubectl --kubeconfig "$work/kubeconfig" get --raw /version >/dev/null 2>&1 && break
    sleep 0.2
  done
  export KUBECONFIG=$work/kubeconfig
  kubectl get --raw /version >/dev/null || fail "the sandbox did not start"
}
