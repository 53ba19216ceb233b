#!/usr/bin/env python3
"""Runs commands alternately, RUNS times each, output discarded; prints one line per command:
NAME median_wall_s median_cpu_s (user + system of the command and its children, from wait4).

usage: alternate.py RUNS NAME=COMMAND [NAME=COMMAND ...]   (COMMAND split on spaces)
"""
import os, subprocess, sys, time, statistics

runs = int(sys.argv[1])
tools = [(a.split("=", 1)[0], a.split("=", 1)[1].split()) for a in sys.argv[2:]]
times = {name: ([], []) for name, _ in tools}
with open(os.devnull, "wb") as null:
    for _ in range(runs):
        for name, cmd in tools:
            start = time.perf_counter()
            proc = subprocess.Popen(cmd, stdout=null, stderr=null)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
            if os.waitstatus_to_exitcode(status) != 0:
                sys.exit("%s exited with %d" % (" ".join(cmd), os.waitstatus_to_exitcode(status)))
            times[name][0].append(wall)
            times[name][1].append(usage.ru_utime + usage.ru_stime)
for name, _ in tools:
    wall, cpu = times[name]
    print(name, "%.4f" % statistics.median(wall), "%.4f" % statistics.median(cpu))
