#!/usr/bin/env python3
"""Summarise a perf-results/datapath/run.sh output directory: medians over runs, and the ratios the data-path issue
asks for. Reads each run's summary.json (bots) and server.log (server per-datagram CPU/alloc figures)."""
import json
import os
import re
import statistics
import sys

out = sys.argv[1]


def runs(name):
    base = os.path.join(out, name)
    result = []
    for run in sorted(os.listdir(base)) if os.path.isdir(base) else []:
        path = os.path.join(base, run)
        try:
            with open(os.path.join(path, "summary.json")) as f:
                summary = json.load(f)
        except (OSError, ValueError):
            continue
        server = {}
        try:
            with open(os.path.join(path, "server.log")) as f:
                for line in f:
                    m = re.match(r"\s+(alloc_io_bytes|alloc_worker_bytes|cpu_io_ns|cpu_worker_ns) ([\d.]+)", line)
                    if m:
                        server[m.group(1)] = float(m.group(2))
        except OSError:
            pass
        result.append((summary, server))
    return result


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else float("nan")


def rtt(name, key):
    return med([s["rttUs"][key] for s, _ in runs(name)])


def thr(name):
    return med([s["throughputPerSec"] for s, _ in runs(name)])


def srv(name, key):
    return med([v.get(key) for _, v in runs(name)])


print("# Data-path baseline\n")
with open(os.path.join(out, "machine.txt")) as f:
    print("```\n" + f.read().strip() + "\n```\n")
print("Medians over %d runs per configuration; runs interleaved.\n" % len(runs("pingpong-echo")))

print("## Ping-pong RTT (µs, one datagram in flight, 64 B payload)\n")
print("| config | p50 | p90 | p99 | p99.9 | max | round trips/s |")
print("|---|---|---|---|---|---|---|")
for name in ("pingpong-raw-echo", "pingpong-echo", "pingpong-echo-spin1000"):
    print("| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.0f |" % (
        name, rtt(name, "p50"), rtt(name, "p90"), rtt(name, "p99"), rtt(name, "p999"), rtt(name, "max"), thr(name)))
for name in ("pingpong-echo", "pingpong-echo-spin1000"):
    print("\n%s / raw-echo: p50 **%.2f×**, p99 **%.2f×** (target ≤ 1.3×)" % (
        name, rtt(name, "p50") / rtt("pingpong-raw-echo", "p50"), rtt(name, "p99") / rtt("pingpong-raw-echo", "p99")))
print()

print("## Flood (echoes/s sustained, RTT µs)\n")
print("| config | echoes/s | p50 | p99 | server CPU/datagram io | workers | alloc/datagram io | workers |")
print("|---|---|---|---|---|---|---|---|")
for name in ("flood-raw-echo", "flood-echo-b1", "flood-echo-b16", "flood-echo-b64", "flood-light-raw-echo",
             "flood-light-echo"):
    print("| %s | %.0f | %.1f | %.1f | %.0f ns | %.0f ns | %.1f B | %.1f B |" % (
        name, thr(name), rtt(name, "p50"), rtt(name, "p99"), srv(name, "cpu_io_ns"), srv(name, "cpu_worker_ns"),
        srv(name, "alloc_io_bytes"), srv(name, "alloc_worker_bytes")))
print("\necho / raw-echo throughput, saturated (batch 16): **%.2f×** (target ≥ 0.8×); light load: **%.2f×**\n" % (
    thr("flood-echo-b16") / thr("flood-raw-echo"), thr("flood-light-echo") / thr("flood-light-raw-echo")))
print("batch 16 / batch 1 throughput: **%.2f×**; batch 64 / batch 1: **%.2f×**" % (
    thr("flood-echo-b16") / thr("flood-echo-b1"), thr("flood-echo-b64") / thr("flood-echo-b1")))
print("\nbatch 1 / batch 16 I/O-thread CPU per datagram: **%.2f×**; batch 1 / batch 64: **%.2f×**" % (
    srv("flood-echo-b1", "cpu_io_ns") / srv("flood-echo-b16", "cpu_io_ns"),
    srv("flood-echo-b1", "cpu_io_ns") / srv("flood-echo-b64", "cpu_io_ns")))
