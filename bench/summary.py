#!/usr/bin/env python3
"""Averages the A/B runs and prints the ratio lines.
usage: summary.py RESULTS WEBHOOK_RSS_KIB NGINX_RSS_KIB [FLOOR_RSS_KIB]"""
import sys
from collections import defaultdict

runs = defaultdict(list)
for line in open(sys.argv[1]):
    server, conns, rps, p50, p99, errors = line.split()
    runs[(server, int(conns))].append((float(rps), float(p50), float(p99), int(errors)))

def mean(server, conns, i):
    values = [r[i] for r in runs[(server, conns)]]
    return sum(values) / len(values)

for conns in (8, 1):
    for server in ("webhook", "floor", "nginx"):
        if not runs[(server, conns)]:
            continue
        print("mean %-7s %d conn: %.0f req/s, p50 %.3f ms, p99 %.3f ms" % (
            server, conns, mean(server, conns, 0), mean(server, conns, 1), mean(server, conns, 2)))
throughput = mean("webhook", 8, 0) / mean("nginx", 8, 0)
p99 = mean("webhook", 1, 2) / mean("nginx", 1, 2)
print("ratio throughput webhook/nginx: %.2f" % throughput)
print("ratio p99 webhook/nginx: %.2f" % p99)
print("ratio throughput webhook/nginx (1 connection): %.2f" % (mean("webhook", 1, 0) / mean("nginx", 1, 0)))
print("ratio p99 webhook/nginx (8 connections): %.2f" % (mean("webhook", 8, 2) / mean("nginx", 8, 2)))
if runs[("floor", 8)]:
    # The same network stack answering fixed bytes: what the webhook could reach if deciding cost nothing.
    print("ratio throughput floor/nginx: %.2f (the stack alone: SwiftNIO + NIOSSL + NIOHTTP1, no decision)"
          % (mean("floor", 8, 0) / mean("nginx", 8, 0)))
    print("ratio throughput webhook/floor: %.2f" % (mean("webhook", 8, 0) / mean("floor", 8, 0)))
errors = sum(r[3] for rs in runs.values() for r in rs)
rss = int(sys.argv[2])
print("target throughput ratio >= 0.5: %s" % ("met" if throughput >= 0.5 else "NOT met"))
print("target p99 at 1 connection < 1 ms: %s (%.3f ms)" % ("met" if mean("webhook", 1, 2) < 1 else "NOT met", mean("webhook", 1, 2)))
print("target RSS after load <= 26 MiB: %s (%.1f MiB)" % ("met" if rss <= 26 * 1024 else "NOT met", rss / 1024))
if len(sys.argv) > 4:
    print("RSS floor after load: %.1f MiB" % (int(sys.argv[4]) / 1024))
print("errors (non-2xx, socket): %d" % errors)
