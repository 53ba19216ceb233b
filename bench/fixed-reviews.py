#!/usr/bin/env python3
"""fixed-reviews.py PORT BODY TOTAL CONNS: POST BODY TOTAL times over CONNS keep-alive TLS
connections (certificate not checked) and exit 1 if any answer is not a 200 allow. A fixed
count, unlike wrk, so that two cachegrind runs can be subtracted (docs/performance.md)."""
import socket, ssl, sys, threading
port, body, total, conns = int(sys.argv[1]), open(sys.argv[2], 'rb').read(), int(sys.argv[3]), int(sys.argv[4])
req = (b"POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)) + body
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
errors = []
def run(n):
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)))
    f = s.makefile('rb')
    for _ in range(n):
        s.sendall(req)
        status = f.readline()
        length = 0
        while True:
            line = f.readline()
            if line in (b"\r\n", b""): break
            k, _, v = line.partition(b":")
            if k.strip().lower() == b"content-length": length = int(v)
        data = f.read(length)
        if b" 200 " not in status or b'"allowed":true' not in data: errors.append(status)
    s.close()
ts = [threading.Thread(target=run, args=(total // conns,)) for _ in range(conns)]
[t.start() for t in ts]; [t.join() for t in ts]
print("errors", len(errors))
sys.exit(1 if errors else 0)
