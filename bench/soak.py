#!/usr/bin/env python3
"""Load and fault figures for singleton-webhook (`make soak`): many keep-alive TLS
connections, certificate rotation and SIGTERM under load, a hanging or absent API server,
a failing watch. Every scenario prints one line per figure; nothing here is a pass/fail
test (those live in `make test`). Traffic goes to 127.0.0.1 only, bounded in count and time.

Usage: bench/soak.py [scenario ...]   (default: all)
Environment: WEBHOOK_BIN (default .build/release/singleton-webhook, else the debug build),
CONNECTIONS (2000,10000).
"""
import asyncio, json, os, shutil, signal, socket, ssl, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("WEBHOOK_BIN") or next(
    (p for p in (f"{ROOT}/.build/release/singleton-webhook", f"{ROOT}/.build/debug/singleton-webhook") if os.path.exists(p)), None)
EXTRA_ENV = dict(v.split("=", 1) for v in os.environ.get("WEBHOOK_ENV", "").split() if "=" in v)
REVIEW = open(f"{ROOT}/examples/reviews/02-scale-out-denied.json", "rb").read()
SCALE = open(f"{ROOT}/examples/reviews/07-kubectl-scale-denied.json", "rb").read()


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port


def make_cert(work, name):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                    "-subj", f"/CN={name}", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", f"{work}/{name}.key",
                    "-out", f"{work}/{name}.crt"], check=True, capture_output=True)


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Webhook:
    def __init__(self, work, args=(), env=None):
        self.port = free_port()
        self.metrics = free_port()
        environment = dict(os.environ, SINGLETON_WEBHOOK_TLS_CERT_FILE=f"{work}/tls.crt", SINGLETON_WEBHOOK_TLS_KEY_FILE=f"{work}/tls.key",
                           SINGLETON_WEBHOOK_LOG_LEVEL="error")
        environment.update(env or {})
        self.log = open(f"{work}/webhook.log", "ab")
        self.proc = subprocess.Popen([BIN, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--metrics-port", str(self.metrics),
                                      "--metrics-host", "127.0.0.1", *args], env=environment, stderr=self.log, stdout=subprocess.DEVNULL)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close(); return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("webhook did not start")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try: self.proc.wait(20)
            except subprocess.TimeoutExpired: self.proc.kill()


def client_context():
    ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
    return ctx


async def open_conn(port, ctx):
    return await asyncio.open_connection("127.0.0.1", port, ssl=ctx)


async def request(reader, writer, body, path="/validate"):
    writer.write(b"POST " + path.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                 + str(len(body)).encode() + b"\r\n\r\n" + body)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    close = False
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length": length = int(v)
        if k.strip().lower() == b"connection" and v.strip().lower() == b"close": close = True
    payload = await reader.readexactly(length)
    return int(head.split(b" ")[1]), payload, close


def percentile(values, p):
    if not values: return float("nan")
    values = sorted(values); return values[min(len(values) - 1, int(len(values) * p))]


async def many_connections(port, count, rounds, ctx):
    """`count` connections, each sending one review as soon as it is open (as an API server
    does) and `rounds - 1` more once all are open together; latencies in ms."""
    latencies, errors, refused = [], 0, 0
    conns = []
    sem = asyncio.Semaphore(200)  # handshakes in flight at once

    async def one(conn):
        nonlocal errors
        t = time.perf_counter()
        try:
            status, _, _ = await asyncio.wait_for(request(*conn, REVIEW), 30)
            if status != 200: errors += 1
            latencies.append((time.perf_counter() - t) * 1000)
            return True
        except Exception:
            errors += 1
            return False

    async def connect():
        nonlocal refused
        async with sem:
            try:
                conn = await asyncio.wait_for(open_conn(port, ctx), 30)
            except Exception:
                refused += 1
                return
        if await one(conn): conns.append(conn)
    await asyncio.gather(*(connect() for _ in range(count)))

    async def drive(conn):
        for _ in range(rounds - 1):
            if not await one(conn): return
    await asyncio.gather(*(drive(c) for c in conns))
    return conns, latencies, errors, refused


def scenario_connections(work):
    for count in [int(c) for c in os.environ.get("CONNECTIONS", "2000,10000").split(",")]:
        # Idle timeout 5 m: the connections opened first wait for the last (about 100 s for
        # 10,000 TLS handshakes from one Python process) and must not be closed as idle meanwhile.
        hook = Webhook(work, ["--parent-lookup", "none", "--max-connections", str(count + 100), "--idle-timeout", "5m"],
                       env=EXTRA_ENV)
        pid = hook.proc.pid
        base = rss_mib(pid)
        peak = [base]
        stop = threading.Event()
        def sample():
            while not stop.is_set():
                peak[0] = max(peak[0], rss_mib(pid)); time.sleep(0.05)
        threading.Thread(target=sample, daemon=True).start()
        started = time.time()
        conns, lat, errors, refused = asyncio.run(_hold(hook.port, count))
        took = time.time() - started
        held = rss_mib(pid)
        time.sleep(3)
        idle = rss_mib(pid)
        if os.environ.get("SOAK_TRIM_PROBE"):  # what malloc_trim would give back (gdb)
            subprocess.run(["gdb", "-p", str(pid), "-batch", "-ex", "call (int)malloc_trim(0)"], capture_output=True)
            print(f"soak rss {count} after a malloc_trim(0) from gdb: {rss_mib(pid):.1f} MiB")
        stop.set()
        print(f"soak connections {count}: opened {count - refused}, refused {refused}, requests {len(lat)}, errors {errors}, "
              f"p50 {percentile(lat, 0.5):.2f} ms, p99 {percentile(lat, 0.99):.2f} ms, {took:.1f} s")
        print(f"soak rss {count} connections: start {base:.1f} MiB, peak {peak[0]:.1f} MiB, all open {held:.1f} MiB, "
              f"3 s after all closed {idle:.1f} MiB")
        hook.stop()
    # The cap at the edge: more connections than --max-connections.
    hook = Webhook(work, ["--parent-lookup", "none", "--max-connections", "500", "--log-level", "warning"], env=EXTRA_ENV)
    conns, lat, errors, refused = asyncio.run(_hold(hook.port, 800))
    lines = sum(1 for l in open(f"{work}/webhook.log", errors="replace") if "connections refused" in l)
    print(f"soak max-connections 500 with 800 clients: served {len(lat)}, failed {errors + refused}, refusal log lines {lines}")
    hook.stop()


async def _hold(port, count):
    ctx = client_context()
    conns, lat, errors, refused = await many_connections(port, count, 3, ctx)
    for _, writer in conns:
        writer.close()
    await asyncio.sleep(0.5)
    return conns, lat, errors, refused


async def keep_sending(port, ctx, deadline, body=REVIEW):
    """Back-to-back requests; reconnects after Connection: close. (answered, lost, refused)."""
    answered = lost = refused = 0
    conn = None
    while time.time() < deadline:
        if conn is None:
            try:
                conn = await asyncio.wait_for(open_conn(port, ctx), 5)
            except Exception:
                refused += 1
                await asyncio.sleep(0.05)
                continue
        try:
            status, _, close = await asyncio.wait_for(request(*conn, body), 10)
            answered += 1
            if status != 200: lost += 1
            if close:
                conn[1].close(); conn = None
        except Exception:
            lost += 1
            conn[1].close(); conn = None
    if conn: conn[1].close()
    return answered, lost, refused


def scenario_rotation(work):
    hook = Webhook(work, ["--parent-lookup", "none", "--cert-reload-interval", "200ms"])
    ctx = client_context()
    async def run():
        deadline = time.time() + 8
        tasks = [asyncio.create_task(keep_sending(hook.port, ctx, deadline)) for _ in range(8)]
        for i in range(3):
            await asyncio.sleep(2)
            make_cert(work, f"rot{i}")
            shutil.copy(f"{work}/rot{i}.key", f"{work}/tls.key.new"); shutil.copy(f"{work}/rot{i}.crt", f"{work}/tls.crt.new")
            os.replace(f"{work}/tls.crt.new", f"{work}/tls.crt"); os.replace(f"{work}/tls.key.new", f"{work}/tls.key")
        return await asyncio.gather(*tasks)
    results = asyncio.run(run())
    print(f"soak rotation under load (3 rotations, 8 clients, 8 s): answered {sum(r[0] for r in results)}, "
          f"failed {sum(r[1] for r in results)}")
    hook.stop()


def scenario_sigterm(work):
    hook = Webhook(work, ["--parent-lookup", "none", "--shutdown-grace", "10s"])
    ctx = client_context()
    async def run():
        deadline = time.time() + 6
        tasks = [asyncio.create_task(keep_sending(hook.port, ctx, deadline)) for _ in range(16)]
        await asyncio.sleep(2)
        t = time.time()
        hook.proc.send_signal(signal.SIGTERM)
        while hook.proc.poll() is None: await asyncio.sleep(0.01)
        return time.time() - t, await asyncio.gather(*tasks)
    took, results = asyncio.run(run())
    print(f"soak sigterm under load (16 clients): answered {sum(r[0] for r in results)}, lost {sum(r[1] for r in results)}, "
          f"exit {hook.proc.returncode} after {took * 1000:.0f} ms (grace 10 s)")


class FakeAPI:
    """An API server double on 127.0.0.1: 'hang' accepts and never answers; 'fail' answers 500."""
    def __init__(self, mode):
        self.port = free_port(); self.mode = mode
        self.sock = socket.socket(); self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", self.port)); self.sock.listen(1024)
        self.held = []; self.requests = 0
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try: conn, _ = self.sock.accept()
            except OSError: return
            self.requests += 1
            if self.mode == "hang":
                self.held.append(conn)
            else:
                threading.Thread(target=self.fail, args=(conn,), daemon=True).start()

    def fail(self, conn):
        try:
            conn.recv(65536)
            body = b'{"kind":"Status","apiVersion":"v1","status":"Failure","message":"etcd unavailable","code":500}'
            conn.sendall(b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: "
                         + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
        finally:
            conn.close()


def kubeconfig(work, port):
    path = f"{work}/kubeconfig-{port}"
    with open(path, "w") as f:
        f.write(f"""apiVersion: v1
kind: Config
clusters: [{{name: c, cluster: {{server: "http://127.0.0.1:{port}"}}}}]
users: [{{name: u, user: {{token: t}}}}]
contexts: [{{name: c, context: {{cluster: c, user: u}}}}]
current-context: c
""")
    return path


def scenario_api_outage(work):
    for mode in ["hang", "down"]:
        for policy in ["allow", "deny"]:
            api_port = FakeAPI("hang").port if mode == "hang" else free_port()
            hook = Webhook(work, ["--kubeconfig", kubeconfig(work, api_port), "--on-lookup-failure", policy])
            ctx = client_context()
            async def run():
                reader, writer = await open_conn(hook.port, ctx)
                lat, verdicts = [], set()
                for _ in range(20):
                    t = time.perf_counter()
                    status, payload, _ = await request(reader, writer, SCALE)
                    lat.append((time.perf_counter() - t) * 1000)
                    verdicts.add(json.loads(payload)["response"]["allowed"])
                writer.close()
                return lat, verdicts
            before = rss_mib(hook.proc.pid)
            lat, verdicts = asyncio.run(run())
            after = rss_mib(hook.proc.pid)
            threads = len(os.listdir(f"/proc/{hook.proc.pid}/task"))
            print(f"soak api {mode}, --on-lookup-failure {policy}: allowed {sorted(verdicts)}, p50 {percentile(lat, 0.5):.0f} ms, "
                  f"max {max(lat):.0f} ms, rss {before:.1f} -> {after:.1f} MiB, threads {threads}")
            hook.stop()


def scenario_failing_watch(work):
    api = FakeAPI("fail")
    hook = Webhook(work, ["--kubeconfig", kubeconfig(work, api.port)])
    samples = []
    for _ in range(4):
        time.sleep(5)
        ready = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", f"http://127.0.0.1:{hook.metrics}/readyz"],
                               capture_output=True, text=True).stdout
        samples.append((ready, round(rss_mib(hook.proc.pid), 1)))
    print(f"soak failing API (500 on every list) for 20 s: readyz/rss every 5 s {samples}, API calls {api.requests}")
    hook.stop()


SCENARIOS = {"connections": scenario_connections, "rotation": scenario_rotation, "sigterm": scenario_sigterm,
             "api-outage": scenario_api_outage, "failing-watch": scenario_failing_watch}

if __name__ == "__main__":
    if BIN is None: raise SystemExit("no singleton-webhook build: run swift build (or make bench) first")
    print(f"soak binary: {os.path.relpath(BIN, ROOT)}")
    chosen = sys.argv[1:] or list(SCENARIOS)
    work = tempfile.mkdtemp(prefix="singleton-soak.")
    try:
        make_cert(work, "tls")
        for name in chosen:
            SCENARIOS[name](work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
