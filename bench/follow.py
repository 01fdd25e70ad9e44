#!/usr/bin/env python3
"""Tail-follow macro benchmark: how fast `logq -f` prints what a writer commits.

    python3 bench/follow.py --bin .build-static/release                # 1,000 and 20,000 events/s
    python3 bench/follow.py --bin .build-static/release --store DIR    # + first history line over DIR
    python3 bench/follow.py --bin .build/debug --tiny                  # a smoke run (CI)

For each rate, a real writer (`logq ingest --follow FILE`, committing every 100 ms) reads
Kubernetes audit lines that this script appends to FILE at that rate, and a real follower
(`logq -f -n 0 --stats -o raw 'verb=delete'`) prints them. The follower's --stats line gives the
latency from each commit's journal record (written just before the commit's last fsync, so the
figure slightly overstates commit-return → printed) to the moment its write(2) of the event
returned: p50, p99 and max over every event. Then the idle follower's CPU over --idle-seconds
(utime + stime from /proc), and, with --store, the time from starting `logq -f -n 10` to its
first history line on stdout (median of 5).
"""
import argparse
import json
import os
import re
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

LINE = ('{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"%s","stage":"ResponseComplete",'
        '"requestURI":"/api/v1/namespaces/bench/pods/p%d","verb":"delete","user":{"username":"user%d","groups":["system:authenticated"]},'
        '"sourceIPs":["10.0.%d.%d"],"userAgent":"kubectl/v1.31.0","objectRef":{"resource":"pods","namespace":"bench","name":"p%d","apiVersion":"v1"},'
        '"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"%s","stageTimestamp":"%s"}\n')


def stamp(ns):
    t = time.gmtime(ns // 1_000_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", t) + ".%06dZ" % ((ns // 1000) % 1_000_000)


def run_rate(logq, work, rate, seconds):
    data = os.path.join(work, "data-%d" % rate)
    source = os.path.join(work, "audit-%d.log" % rate)
    open(source, "w").close()
    # The store exists before the follower starts (one event, not a delete).
    seed = os.path.join(work, "seed.jsonl")
    with open(seed, "w") as f:
        f.write((LINE % ("seed", 0, 0, 0, 0, 0, stamp(time.time_ns()), stamp(time.time_ns()))).replace('"delete"', '"get"'))
    subprocess.run([logq, "ingest", "--data", data, seed], check=True, capture_output=True)
    writer = subprocess.Popen([logq, "ingest", "--data", data, "--follow", "--interval", "0.1", source],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    follower = subprocess.Popen([logq, "--data", data, "-f", "-n", "0", "--stats", "-o", "raw", "verb=delete"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    printed = [0]

    def reader():
        for _ in follower.stdout:
            printed[0] += 1

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    time.sleep(0.5)
    written = 0
    start = time.monotonic()
    tick = 0.01
    with open(source, "a") as f:
        while time.monotonic() - start < seconds:
            due = int((time.monotonic() - start) * rate)
            now = time.time_ns()
            chunk = []
            while written < due:
                n = written
                chunk.append(LINE % ("r%d-%d" % (rate, n), n, n % 13, (n >> 8) & 255, n & 255, n, stamp(now), stamp(now)))
                written += 1
            f.write("".join(chunk))
            f.flush()
            time.sleep(tick)
    elapsed = time.monotonic() - start
    deadline = time.monotonic() + 60
    while printed[0] < written and time.monotonic() < deadline:
        time.sleep(0.05)
    follower.send_signal(signal.SIGINT)
    _, err = follower.communicate(timeout=30)
    writer.send_signal(signal.SIGINT)
    try:
        writer.wait(timeout=10)
    except subprocess.TimeoutExpired:
        writer.kill()
    stats = [l for l in err.decode().splitlines() if "latency" in l or "followed" in l]
    line = stats[-1] if stats else err.decode()
    m = re.search(r"p50 ([\d.]+) ms, p99 ([\d.]+) ms, max ([\d.]+) ms", line)
    return {
        "rate": rate, "written": written, "printed": printed[0], "seconds": round(elapsed, 1),
        "p50_ms": float(m.group(1)) if m else None, "p99_ms": float(m.group(2)) if m else None,
        "max_ms": float(m.group(3)) if m else None, "stats": line.strip(),
    }


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def idle_cpu(logq, work, seconds):
    data = os.path.join(work, "data-%d" % 1000)
    follower = subprocess.Popen([logq, "--data", data, "-f", "-n", "0", "verb=delete"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    before = cpu_seconds(follower.pid)
    time.sleep(seconds)
    after = cpu_seconds(follower.pid)
    follower.send_signal(signal.SIGINT)
    follower.wait(timeout=10)
    return {"seconds": seconds, "cpu_s": round(after - before, 3), "percent_of_core": round(100 * (after - before) / seconds, 3)}


def first_line(logq, store, query, runs=5):
    times = []
    for _ in range(runs):
        start = time.monotonic()
        p = subprocess.Popen([logq, "--data", store, "-f", "-n", "10", "-o", "ndjson", query],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        # A query with no stored match prints nothing until something new arrives: give up after 10 s.
        ready, _, _ = select.select([p.stdout], [], [], 10)
        if ready:
            p.stdout.readline()
            times.append(time.monotonic() - start)
        p.send_signal(signal.SIGINT)
        p.communicate(timeout=30)
    if not times:
        return {"query": query, "median_ms": None, "min_ms": None, "max_ms": None}
    return {"query": query, "median_ms": round(1000 * statistics.median(times), 1),
            "min_ms": round(1000 * min(times), 1), "max_ms": round(1000 * max(times), 1)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True, help="folder holding the logq binary (a release build for figures)")
    ap.add_argument("--work", default=None, help="scratch folder (default: a temporary one)")
    ap.add_argument("--rates", default="1000,20000", help="events per second, comma-separated")
    ap.add_argument("--seconds", type=float, default=20, help="seconds of load per rate")
    ap.add_argument("--idle-seconds", type=float, default=60, help="seconds the idle follower is watched")
    ap.add_argument("--store", help="a store (e.g. the macro benchmark's) for the first-history-line figure")
    ap.add_argument("--tiny", action="store_true", help="a smoke run: 200 events/s for 2 s, 2 s idle")
    ap.add_argument("--json", help="write the results here as JSON too")
    args = ap.parse_args()
    logq = os.path.join(args.bin, "logq")
    work = args.work or tempfile.mkdtemp(prefix="logq-follow-")
    os.makedirs(work, exist_ok=True)
    rates = [200] if args.tiny else [int(r) for r in args.rates.split(",")]
    seconds = 2 if args.tiny else args.seconds
    results = {"rates": [], "idle": None, "first_line": []}
    for rate in rates:
        r = run_rate(logq, work, rate, seconds)
        results["rates"].append(r)
        print("rate %6d ev/s: %d written, %d printed in %.1f s; commit → printed p50 %s ms, p99 %s ms, max %s ms"
              % (rate, r["written"], r["printed"], r["seconds"], r["p50_ms"], r["p99_ms"], r["max_ms"]), flush=True)
        if r["printed"] != r["written"]:
            print("follow.py: the follower printed %d of %d events: %s" % (r["printed"], r["written"], r["stats"]), file=sys.stderr)
            sys.exit(1)
    idle = idle_cpu(logq, work, 2 if args.tiny else args.idle_seconds)
    results["idle"] = idle
    print("idle follower: %.3f CPU s over %d s (%.3f%% of a core)" % (idle["cpu_s"], idle["seconds"], idle["percent_of_core"]), flush=True)
    if args.store:
        for query in ["", "verb=delete", "user=eve.contractor@example.com"]:
            r = first_line(logq, args.store, query)
            results["first_line"].append(r)
            print("first history line, -f -n 10 %r over %s: median %s ms (%s–%s)"
                  % (query, args.store, r["median_ms"], r["min_ms"], r["max_ms"]), flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
