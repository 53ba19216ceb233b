#!/usr/bin/env python3
"""Sends AdmissionReviews to a webhook continuously, as the API server does, and counts what
went wrong: the test client of scripts/image-rootfs-test.sh.

    review-client.py HOST:PORT CA_FILE REVIEW.json... [--connections N] [--split-every K] [--report FILE]
                     [--drain-ack FILE]

Each connection is HTTPS/1.1 keep-alive, checks the server's certificate against CA_FILE (IP
SAN), and sends the reviews round-robin; every 25th request opens a new connection (fresh
handshake: a rotated certificate shows), and every K-th (10; 0: none) is written in two parts
0.3 s apart (in flight across a signal). The verdict of each answer must be the one the file name promises
(-allowed / -denied) and echo the request's uid.

Accounting, as the API server sees it:
- lost: a request written, in whole or in part, and never answered (closed connection, reset,
  timeout, malformed or non-200 answer);
- wrong: an answer with the wrong verdict or uid;
- refused: a new connection refused. Counted as lost until SIGUSR1 says the server was told to
  stop (the handler runs on the main thread, so the sender waits for --drain-ack FILE to appear
  before it stops the server: a worker must never see the stop before the flag); after it, a refusal ends that connection's loop (a refused request was never sent). So
  does, after SIGUSR1, a connection reset before its handshake ended: the kernel resets the
  connections still queued on a listening socket when it closes, before the server saw them,
  and nothing of a request had been written (the API server meets the same reset or refusal
  and applies the webhook's failurePolicy).
A connection the server closed while idle is noticed before reuse (as Go's client does) and
replaced; that loses nothing. SIGINT stops all loops. The report (JSON, stdout or --report)
also lists the SHA-256 fingerprints of the certificates seen, in order of first sight.
"""
import hashlib
import json
import os
import select
import signal
import socket
import ssl
import sys
import threading
import time

args = sys.argv[1:]
connections = 4
report_path = None
drain_ack = None
split_every = 10
if "--split-every" in args:
    i = args.index("--split-every"); split_every = int(args[i + 1]); del args[i:i + 2]
if "--connections" in args:
    i = args.index("--connections"); connections = int(args[i + 1]); del args[i:i + 2]
if "--report" in args:
    i = args.index("--report"); report_path = args[i + 1]; del args[i:i + 2]
if "--drain-ack" in args:
    i = args.index("--drain-ack"); drain_ack = args[i + 1]; del args[i:i + 2]
target, ca_file, files = args[0], args[1], args[2:]
host, port = target.rsplit(":", 1)
port = int(port)

reviews = []
for f in files:
    doc = json.load(open(f))
    body = json.dumps(doc, separators=(",", ":")).encode()
    reviews.append((os.path.basename(f), body, doc["request"]["uid"], not f.endswith("-denied.json")))

context = ssl.create_default_context(cafile=ca_file)
stop = threading.Event()
draining = threading.Event()
lock = threading.Lock()
counts = {"sent": 0, "answered": 0, "lost": 0, "wrong": 0, "refused": 0, "reconnects": 0}
errors = []
fingerprints = []


def note(kind, detail=None):
    with lock:
        counts[kind] += 1
        if detail and len(errors) < 20:
            errors.append(f"{kind}: {detail}")


def connect():
    raw = socket.create_connection((host, port), timeout=10)
    conn = context.wrap_socket(raw, server_hostname=host)
    fp = hashlib.sha256(conn.getpeercert(binary_form=True)).hexdigest()
    with lock:
        if fp not in fingerprints:
            fingerprints.append(fp)
    return conn


def closed_while_idle(conn):
    """True when the server closed this idle connection (EOF or close_notify waiting)."""
    readable, _, _ = select.select([conn], [], [], 0)
    if not readable and not conn.pending():
        return False
    conn.setblocking(False)
    try:
        data = conn.recv(1)
    except ssl.SSLWantReadError:
        return False
    except (ssl.SSLZeroReturnError, ssl.SSLEOFError, ConnectionResetError, OSError):
        return True
    finally:
        conn.setblocking(True)
        conn.settimeout(10)
    if data == b"":
        return True
    raise RuntimeError("unsolicited bytes from the server on an idle connection")


def read_response(conn):
    """Returns (status, headers, body) or raises on EOF before a whole response."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = conn.recv(65536)
        if not chunk:
            raise EOFError(f"connection closed after {len(buf)} bytes of the answer")
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    length = int(headers.get("content-length", "-1"))
    if length < 0:
        raise ValueError("answer without Content-Length")
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            raise EOFError("connection closed inside the answer body")
        rest += chunk
    return status, headers, rest[:length]


def worker(index):
    conn = None
    n = index
    while not stop.is_set():
        name, body, uid, want_allowed = reviews[n % len(reviews)]
        n += 1
        if conn is not None and (n % 25 == 0 or closed_while_idle(conn)):
            conn.close(); conn = None
            note("reconnects")
        if conn is None:
            try:
                conn = connect()
            except ConnectionRefusedError:
                note("refused")
                if draining.is_set():
                    return
                note("lost", f"{name}: connection refused before the server was told to stop")
                time.sleep(0.2)
                continue
            except (ConnectionResetError, BrokenPipeError, ssl.SSLEOFError) as e:
                if draining.is_set():  # queued on the closed listener: never sent
                    note("refused", f"{name}: reset while connecting after the stop: {e!r}")
                    return
                note("lost", f"{name}: connect: {e!r}")
                time.sleep(0.2)
                continue
            except (OSError, ssl.SSLError) as e:
                note("lost", f"{name}: connect: {e!r}")
                time.sleep(0.2)
                continue
        head = (f"POST /validate HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
                f"Accept: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        request = head + body
        try:
            if split_every and n % split_every == 0:
                conn.sendall(request[: len(head) + len(body) // 2])
                note("sent")
                time.sleep(0.3)
                conn.sendall(request[len(head) + len(body) // 2:])
            else:
                conn.sendall(request)
                note("sent")
            status, headers, answer = read_response(conn)
        except Exception as e:  # written (at least in part) and not answered
            note("lost", f"{name}: {e!r}")
            conn.close(); conn = None
            continue
        note("answered")
        try:
            response = json.loads(answer)["response"]
            if status != 200 or response["uid"] != uid or response["allowed"] != want_allowed:
                note("wrong", f"{name}: status {status}, uid {response.get('uid')}, allowed {response.get('allowed')}")
        except Exception as e:
            note("wrong", f"{name}: status {status}, unreadable answer {answer[:200]!r} ({e!r})")
        if headers.get("connection", "").lower() == "close":
            conn.close(); conn = None
    if conn is not None:
        conn.close()


signal.signal(signal.SIGINT, lambda *_: stop.set())
signal.signal(signal.SIGTERM, lambda *_: stop.set())


def on_drain(*_):
    draining.set()
    if drain_ack:
        with open(drain_ack, "w") as f:
            f.write("draining\n")


signal.signal(signal.SIGUSR1, on_drain)
threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(connections)]
for t in threads:
    t.start()
while any(t.is_alive() for t in threads):
    time.sleep(0.05)
report = dict(counts, errors=errors, fingerprints=fingerprints)
text = json.dumps(report, indent=1)
if report_path:
    with open(report_path, "w") as f:
        f.write(text + "\n")
else:
    print(text)
sys.exit(0 if counts["lost"] == 0 and counts["wrong"] == 0 else 1)
