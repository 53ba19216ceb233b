# Sourced by bench/run.sh and bench/cache-load.sh: a work directory removed on exit together
# with the processes in PIDS, free ports, a throwaway certificate, and bench/fake-api.py with a
# kubeconfig for it.
WORK=$(mktemp -d /tmp/singleton-bench.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

throwaway_certificate() {  # -> $WORK/tls.crt, $WORK/tls.key
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=localhost \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout "$WORK/tls.key" -out "$WORK/tls.crt" 2>/dev/null
}

start_fake_api() {  # workloads [cpu] [shape] -> APORT, $WORK/kubeconfig
  APORT=$(free_port)
  ${2:+taskset -c "$2"} python3 bench/fake-api.py "$APORT" "$WORK/tls.crt" "$WORK/tls.key" "$1" ${3:+"$3"} &
  PIDS+=("$!")
  write_kubeconfig "$APORT" "$WORK/kubeconfig"
}

write_kubeconfig() {  # port file: a kubeconfig for https://127.0.0.1:port, trusting $WORK/tls.crt
  cat >"$2" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters: [{name: bench, cluster: {server: "https://127.0.0.1:$1", certificate-authority: "$WORK/tls.crt"}}]
users: [{name: bench, user: {token: bench}}]
contexts: [{name: bench, context: {cluster: bench, user: bench}}]
current-context: bench
KUBECONFIG
}
