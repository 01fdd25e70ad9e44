#!/usr/bin/env python3
"""A soak of a release `logq serve`: webhook ingest at a steady rate, queries, a live tail and
/metrics scrapes, all at once for --minutes; samples the server's memory and says whether it
stays flat.

Posts EventLists of --batch events from --clients keep-alive connections at --rate events/s in
all (each cycle through the generated events gets fresh auditIDs, so every event is new); two
clients query every second (`| count by user`, a rare user); one client holds a /v1/tail open
and counts what it receives; one scrapes /metrics every 5 s. Every 10 s it records the server's
RSS (VmRSS: every resident page, the store's segments that queries map included) and its
anonymous memory (RssAnon: what it allocated), the events acknowledged, the tail's count, the
store's size on disk and the writer's dedupe IDs in memory (`logq_dedupe_ids`).

    swift build -c release
    python3 bench/soak.py --minutes 10 --hour-every 3600                # live: events stamped with the time now
    python3 bench/soak.py --minutes 10 --hour-every 60 --serve-args '--partition-idle 20s'   # live hours, compressed
    python3 bench/soak.py --minutes 10                                  # the generated day's times, replayed

Prints the samples and a summary: memory after the first minute, at the end, the maximum, and
the growth over the second half (MiB per minute, least squares). Python stdlib only.
"""
import argparse
import http.client
import json
import os
import re
import signal
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webhook import generate, start_server  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bin", default=".build/release", help="folder holding logq and logq-gen")
    p.add_argument("--work", default="bench/out/soak", help="scratch folder (events, store)")
    p.add_argument("--minutes", type=float, default=10)
    p.add_argument("--rate", type=int, default=20_000, help="events per second posted in all")
    p.add_argument("--events", type=int, default=200_000, help="distinct generated events to cycle through")
    p.add_argument("--batch", type=int, default=400)
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--hour-every", type=float, default=0,
                   help="live time, compressed: stamp each batch with a time that advances one hour every this many "
                        "seconds of the soak (0: keep the generated day's times)")
    p.add_argument("--serve-args", default="", help="extra arguments for logq serve")
    return p.parse_args()


STAMP = re.compile(rb'"(requestReceivedTimestamp|stageTimestamp)":"[^"]*"')


def restamp(line, when):
    """The line with both k8s timestamps set to `when` (epoch seconds)."""
    text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(when)).encode() + b".%06dZ" % int((when % 1) * 1e6)
    return STAMP.sub(lambda m: b'"' + m.group(1) + b'":"' + text + b'"', line)


def rss_mib(pid, field="VmRSS"):
    """VmRSS (all resident pages), RssAnon (heap and stacks: what the process allocated) or
    RssFile (pages of mapped files: segments a query maps, which the kernel can drop)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def du_mib(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass
    return total / 2**20


def main():
    a = parse_args()
    work = os.path.abspath(a.work)
    os.makedirs(work, exist_ok=True)
    logq = os.path.abspath(os.path.join(a.bin, "logq"))
    gen = os.path.abspath(os.path.join(a.bin, "logq-gen"))
    lines = generate(gen, work, a.events, 11)
    batches = [lines[k:k + a.batch] for k in range(0, len(lines), a.batch)]
    data = os.path.join(work, "store")
    os.system(f"rm -rf '{data}'")
    proc, port = start_server(logq, data, a.serve_args.split())
    stop = threading.Event()
    lock = threading.Lock()
    acked, refused, failures, tail_seen, queries, scrapes = [0], [0], [], [0], [0], [0]
    dedupe_ids = [0]  # logq_dedupe_ids at the last scrape
    deadline = time.monotonic() + a.minutes * 60
    t_start = time.monotonic()
    epoch0 = time.time() // 3600 * 3600  # the start of this hour

    def poster(index):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        per_client = a.rate / a.clients
        sent = 0
        start = time.monotonic()
        k = index
        while not stop.is_set():
            cycle, b = divmod(k, len(batches))
            k += a.clients
            items = [line.replace(b'"auditID":"', b'"auditID":"s%d-' % cycle, 1) for line in batches[b]]
            if a.hour_every > 0:
                when = epoch0 + (time.monotonic() - t_start) * 3600 / a.hour_every
                items = [restamp(line, when) for line in items]
            body = b'{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[' + b",".join(items) + b"]}"
            while not stop.is_set():
                try:
                    conn.request("POST", "/v1/ingest/k8s-audit", body, {"Content-Type": "application/json"})
                    resp = conn.getresponse()
                    answer = resp.read()
                except (OSError, http.client.HTTPException) as e:
                    with lock:
                        failures.append(str(e))
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    time.sleep(0.1)
                    continue
                if resp.status == 200:
                    with lock:
                        acked[0] += len(items)
                    break
                with lock:
                    refused[0] += 1
                time.sleep(0.05)
            sent += len(items)
            # Hold the rate: sleep until this client's share of the schedule catches up.
            ahead = sent / per_client - (time.monotonic() - start)
            if ahead > 0:
                time.sleep(ahead)

    def querier(query):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        path = "/v1/query?" + urllib.parse.urlencode({"q": query, "format": "csv"})
        while not stop.is_set():
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            with lock:
                queries[0] += 1
                if resp.status != 200:
                    failures.append(f"query {resp.status}")
            stop.wait(1.0)

    def tailer():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.request("GET", "/v1/tail?" + urllib.parse.urlencode({"q": "verb=delete"}))
        resp = conn.getresponse()
        while not stop.is_set():
            line = resp.readline()
            if not line:
                break
            if line.strip():
                with lock:
                    tail_seen[0] += 1

    def scraper():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while not stop.is_set():
            conn.request("GET", "/metrics")
            resp = conn.getresponse()
            found = re.search(rb"^logq_dedupe_ids (\S+)$", resp.read(), re.M)
            with lock:
                scrapes[0] += 1
                if found:
                    dedupe_ids[0] = int(float(found.group(1)))
            stop.wait(5.0)

    threads = [threading.Thread(target=poster, args=(i,), daemon=True) for i in range(a.clients)]
    threads += [threading.Thread(target=querier, args=(q,), daemon=True) for q in ("verb=delete | count by user", "user=nobody-at-all")]
    threads += [threading.Thread(target=tailer, daemon=True), threading.Thread(target=scraper, daemon=True)]
    for t in threads:
        t.start()
    samples = []
    t0 = time.monotonic()
    print("  min    RSS MiB   anon MiB   acked events   tail lines   store MiB   queries   partitions   dedupe IDs", flush=True)
    while time.monotonic() < deadline:
        time.sleep(10)
        with lock:
            sample = ((time.monotonic() - t0) / 60, rss_mib(proc.pid), rss_mib(proc.pid, "RssAnon"), acked[0], tail_seen[0], du_mib(data), queries[0],
                      len([d for d in os.listdir(os.path.join(data, "partitions"))]) if os.path.isdir(os.path.join(data, "partitions")) else 0,
                      dedupe_ids[0])
        samples.append(sample)
        print("%5.1f %10.1f %10.1f %14d %12d %11.1f %9d %12d %12d" % sample, flush=True)
    stop.set()
    proc.send_signal(signal.SIGTERM)
    code = proc.wait()
    after_first = [s for s in samples if s[0] >= 1.0]
    half = [s for s in samples if s[0] >= a.minutes / 2]
    def growth(column):
        """MiB per minute over the second half, by a least-squares line (single samples are noisy)."""
        if len(half) < 2:
            return 0.0
        xs = [s[0] for s in half]
        ys = [s[column] for s in half]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / max(sum((x - mx) ** 2 for x in xs), 1e-9)
    print(f"{a.minutes:g} min at {a.rate:,} events/s target: {acked[0]:,} events acknowledged "
          f"({acked[0] / (samples[-1][0] * 60):,.0f}/s), {refused[0]} 503s, {queries[0]} queries, "
          f"{scrapes[0]} scrapes, tail {tail_seen[0]:,} lines, {len(failures)} failures; "
          f"RSS after 1 min {after_first[0][1] if after_first else 0:.0f} MiB, end {samples[-1][1]:.0f} MiB, "
          f"max {max(s[1] for s in samples):.0f} MiB, second half {growth(1):+.2f} MiB/min; "
          f"anonymous (heap) after 1 min {after_first[0][2] if after_first else 0:.0f} MiB, end {samples[-1][2]:.0f} MiB, "
          f"max {max(s[2] for s in samples):.0f} MiB, second half {growth(2):+.2f} MiB/min; serve exit {code}")
    if failures:
        print("failures:", failures[:5], file=sys.stderr)


if __name__ == "__main__":
    main()
