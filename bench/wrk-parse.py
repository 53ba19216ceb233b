#!/usr/bin/env python3
"""Reads wrk --latency output on stdin; prints "req/s p50_ms p99_ms errors"."""
import re, sys

text = sys.stdin.read()
def ms(value):
    m = re.match(r"([\d.]+)(us|ms|s)", value)
    if not m:
        return float("nan")
    n, unit = float(m.group(1)), m.group(2)
    return n / 1000 if unit == "us" else n * 1000 if unit == "s" else n
rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
p50 = re.search(r"^\s+50%\s+(\S+)", text, re.M)
p99 = re.search(r"^\s+99%\s+(\S+)", text, re.M)
errors = 0
for pattern in (r"Non-2xx or 3xx responses:\s+(\d+)", r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"):
    m = re.search(pattern, text)
    if m:
        errors += sum(int(g) for g in m.groups())
if not (rps and p50 and p99):
    sys.stderr.write(text)
    sys.exit("could not parse wrk output")
print("%.0f %.3f %.3f %d" % (float(rps.group(1)), ms(p50.group(1)), ms(p99.group(1)), errors))
