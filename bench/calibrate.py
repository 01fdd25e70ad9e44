#!/usr/bin/env python3
"""Calibration of logq-gen's profiles against real events (../shared/realdata or --realdata).

For the real Kubernetes audit events and CloudTrail records, and for an equally large sample of
a generated dataset (events spread evenly over it), prints what makes data compress well or
badly: mean size, the gzip -6 ratio of the sample, distinct values per 100 events of the fields
that vary most in real logs, distinct top-level key orders, and the share of objects whose keys
are sorted. Samples are the same size on both sides because ratios and distinct counts depend
on it.

    python3 bench/calibrate.py --data bench/out/data-1000000-200000-1-varied
"""
import argparse
import glob
import gzip
import json
import os
import zlib


def k8s_events(paths):
    out = []
    for path in paths:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8", errors="replace") as f:
            text = f.read()
        try:  # a single Event or EventList document
            doc = json.loads(text)
            docs = doc.get("items", [doc]) if isinstance(doc, dict) else []
            out += [d for d in docs if isinstance(d, dict) and ("auditID" in d or d.get("kind") == "Event")]
            continue
        except json.JSONDecodeError:
            pass
        for line in text.splitlines():
            try:
                d = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(d, dict) and ("auditID" in d or d.get("kind") == "Event"):
                out.append({k: v for k, v in d.items() if not k.startswith("p_")})
    return out


def cloudtrail_records(paths):
    out = []
    for path in paths:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8", errors="replace") as f:
            text = f.read()
        docs = []
        try:
            docs = [json.loads(text)]
        except json.JSONDecodeError:
            for line in text.splitlines():
                try:
                    docs.append(json.loads(line))
                except json.JSONDecodeError:
                    pass
        for d in docs:
            if not isinstance(d, dict):
                continue
            if isinstance(d.get("CloudTrailEvent"), str):
                d = json.loads(d["CloudTrailEvent"])
            for r in d.get("Records", [d]):
                if isinstance(r, dict) and "eventName" in r:
                    out.append({k: v for k, v in r.items() if not k.startswith("p_")})
    return out


def spread(items, n):
    if len(items) <= n:
        return items
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def paths_of(value, prefix=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from paths_of(v, f"{prefix}.{k}" if prefix else k)
    elif isinstance(value, list):
        for v in value:
            yield from paths_of(v, prefix + "[]")
    else:
        yield prefix


def sorted_share(value, counts):
    if isinstance(value, dict):
        if len(value) > 1:
            counts[0] += 1
            counts[1] += list(value) == sorted(value)
        for v in value.values():
            sorted_share(v, counts)
    elif isinstance(value, list):
        for v in value:
            sorted_share(v, counts)


def get(d, path):
    for part in path.split("."):
        if isinstance(d, list):
            d = d[0] if d else None
        if not isinstance(d, dict):
            return None
        d = d.get(part)
    if isinstance(d, list):
        d = d[0] if d else None
    return json.dumps(d) if isinstance(d, (dict, list)) else d


def stats(events, fields):
    lines = [json.dumps(e, separators=(",", ":"), ensure_ascii=False) for e in events]
    raw = "\n".join(lines).encode()
    n = len(events)
    per100 = lambda count: round(100.0 * count / n, 1)
    row = {
        "events": n,
        "B/event": round(len(raw) / n),
        "gzip -6 ratio": round(len(raw) / len(zlib.compress(raw, 6)), 2),
        "key orders /100": per100(len({tuple(e) for e in events})),
        "key paths /100": per100(len({p for e in events for p in paths_of(e)})),
    }
    counts = [0, 0]
    for e in events:
        sorted_share(e, counts)
    row["sorted objects %"] = round(100.0 * counts[1] / max(1, counts[0]))
    for f in fields:
        row[f + " /100"] = per100(len({get(e, f) for e in events} - {None}))
    return row


def table(title, rows):
    keys = list(next(iter(rows.values())).keys())
    print(f"\n{title}\n")
    print("| figure | " + " | ".join(rows) + " |")
    print("|---|" + "---|" * len(rows))
    for k in keys:
        print(f"| {k} | " + " | ".join(str(r[k]) for r in rows.values()) + " |")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--realdata", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "realdata"))
    p.add_argument("--data", action="append", required=True, help="a logq-gen output folder (repeat to compare several)")
    a = p.parse_args()
    real = a.realdata
    k8s_real = k8s_events(sorted(glob.glob(f"{real}/panther-analysis/k8saudit*.jsonl") + glob.glob(f"{real}/falco-k8s-audit-traces/*.json")
                                 + glob.glob(f"{real}/audit2rbac-k8s-audit/*.log")))
    ct_real = cloudtrail_records(sorted(glob.glob(f"{real}/panther-analysis/cloudtrail*.jsonl") + glob.glob(f"{real}/panther-analysis/scenario*.jsonl")
                                        + glob.glob(f"{real}/falco-k8s-audit-traces/cloudtrail-plugin-trace/*.json")
                                        + glob.glob(f"{real}/plaso-cloudtrail-lookupevents/*.jsonl")))
    k8s_fields = ["userAgent", "sourceIPs", "user.username", "objectRef.name", "objectRef.uid", "objectRef.resourceVersion", "requestURI"]
    ct_fields = ["userAgent", "sourceIPAddress", "eventName", "eventSource", "userIdentity.arn", "userIdentity.accessKeyId", "requestParameters"]
    k8s_rows = {"real": stats(k8s_real, k8s_fields)}
    ct_rows = {"real": stats(ct_real, ct_fields)}
    for data in a.data:
        name = os.path.basename(os.path.normpath(data))
        k8s = k8s_events(sorted(glob.glob(f"{data}/k8s-audit/*.jsonl.gz"))[:3])
        ct = cloudtrail_records(sorted(glob.glob(f"{data}/cloudtrail/**/*.json.gz", recursive=True))[:200])
        k8s_rows[name] = stats(spread(k8s, len(k8s_real)), k8s_fields)
        ct_rows[name] = stats(spread(ct, len(ct_real)), ct_fields)
    table("Kubernetes audit events (samples of equal size)", k8s_rows)
    table("CloudTrail records (samples of equal size)", ct_rows)


if __name__ == "__main__":
    main()
