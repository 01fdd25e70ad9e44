#!/usr/bin/env python3
"""Durable webhook ingest into a release `logq serve`, as kube-apiserver sends it.

Generates k8s audit events with logq-gen, cuts them into audit.k8s.io/v1 EventLists of
--batch events, starts `logq serve` on a fresh store, and posts every batch from --clients
concurrent keep-alive connections (each waits for its answer before sending the next, as the
apiserver's webhook backend does). Every 200 means fsync'd. Prints events/s over the whole
run and the p50/p99 request latency; checks that every event was acknowledged as stored.

    swift build -c release
    python3 bench/webhook.py --events 400000 --clients 8 --batch 400

Python stdlib only.
"""
import argparse
import gzip
import http.client
import json
import os
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bin", default=".build/release", help="folder holding logq and logq-gen")
    p.add_argument("--work", default="bench/out/webhook", help="scratch folder (events, store)")
    p.add_argument("--events", type=int, default=400_000, help="events to send in all")
    p.add_argument("--batch", type=int, default=400, help="events per EventList (the apiserver's default maximum)")
    p.add_argument("--clients", type=int, default=8, help="concurrent posting connections")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--serve-args", default="", help="extra arguments for logq serve")
    return p.parse_args()


def generate(gen, work, events, seed):
    """The JSON lines of `events` generated k8s audit events (cached in `work`)."""
    out = os.path.join(work, f"gen-{events}-{seed}")
    if not os.path.exists(os.path.join(out, ".complete")):
        shutil.rmtree(out, ignore_errors=True)
        subprocess.run([gen, "--out", out, "--k8s", str(events), "--cloudtrail", "0", "--seed", str(seed),
                        "--start", "2026-11-24T00:00:00Z", "--hours", "24"], check=True)
        open(os.path.join(out, ".complete"), "w").close()
    lines = []
    folder = os.path.join(out, "k8s-audit")
    for name in sorted(os.listdir(folder)):
        opener = gzip.open if name.endswith(".gz") else open
        with opener(os.path.join(folder, name), "rb") as f:
            lines += [line.rstrip(b"\n") for line in f if line.strip()]
    return lines[:events]


def start_server(logq, data, extra):
    proc = subprocess.Popen([logq, "serve", "--data", data, "--port", "0"] + extra,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    line = proc.stderr.readline().decode()
    m = re.search(r"listening on http://[^:]+:(\d+)", line)
    if not m:
        proc.kill()
        sys.exit(f"logq serve did not start: {line}{proc.stderr.read().decode()}")
    # Keep draining stderr so the server never blocks on a full pipe.
    threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
    return proc, int(m.group(1))


def main():
    a = parse_args()
    work = os.path.abspath(a.work)
    os.makedirs(work, exist_ok=True)
    logq = os.path.abspath(os.path.join(a.bin, "logq"))
    gen = os.path.abspath(os.path.join(a.bin, "logq-gen"))
    lines = generate(gen, work, a.events, a.seed)
    head = b'{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":['
    bodies = [head + b",".join(lines[k:k + a.batch]) + b"]}" for k in range(0, len(lines), a.batch)]
    raw = sum(len(b) for b in bodies)

    data = os.path.join(work, "store")
    shutil.rmtree(data, ignore_errors=True)
    proc, port = start_server(logq, data, a.serve_args.split())

    work_queue = queue.Queue()
    for k, body in enumerate(bodies):
        work_queue.put((k, body))
    latencies, stored, failures = [], [0], []
    lock = threading.Lock()

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            try:
                k, body = work_queue.get_nowait()
            except queue.Empty:
                break
            t0 = time.perf_counter()
            conn.request("POST", "/v1/ingest/k8s-audit", body, {"Content-Type": "application/json"})
            resp = conn.getresponse()
            answer = resp.read()
            dt = time.perf_counter() - t0
            with lock:
                latencies.append(dt)
                if resp.status == 200:
                    stored[0] += json.loads(answer)["stored"]
                else:
                    failures.append((k, resp.status, answer[:200]))
                    work_queue.put((k, body))  # sent again, as the apiserver would
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(a.clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    proc.send_signal(signal.SIGTERM)
    code = proc.wait()

    lat = sorted(latencies)
    p50 = statistics.median(lat) * 1000
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
    print(f"{len(lines):,} events ({raw / 2**20:.0f} MiB JSON) in {len(bodies):,} EventLists of {a.batch}, "
          f"{a.clients} clients: {wall:.2f} s, {len(lines) / wall:,.0f} durable events/s, "
          f"{raw / 2**20 / wall:.0f} MiB/s; request latency p50 {p50:.1f} ms, p99 {p99:.1f} ms; "
          f"{len(failures)} non-200 answers (re-sent); stored {stored[0]:,}; serve exit {code}")
    if stored[0] != len(set(lines)) and stored[0] != len(lines):
        print(f"warning: stored {stored[0]} of {len(lines)} events", file=sys.stderr)


if __name__ == "__main__":
    main()
