#!/usr/bin/env python3
"""Macro benchmark: the same questions answered by logq, DuckDB (over its table and over the
.gz files), zcat | jq, and ripgrep where a text tool can answer, on one generated dataset.

Every tool's answer is normalized and compared with DuckDB-over-its-table's; any disagreement
fails the run. Each row reports the median and min-max whole-process wall time over --runs runs
after one warm-up, CPU time (user+sys), peak RSS, and the ratio to DuckDB over its table.
"""
import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

RARE_USER = "eve.contractor@example.com"
URI_REGEX = "^/api/v1/namespaces/[^/]+/secrets"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", default=".build/release", help="folder holding logq and logq-gen")
    p.add_argument("--k8s", type=int, default=1_000_000, help="Kubernetes audit events (default 1,000,000)")
    p.add_argument("--cloudtrail", type=int, default=200_000, help="CloudTrail records (default 200,000)")
    p.add_argument("--runs", type=int, default=5, help="timed runs per row after one warm-up (default 5)")
    p.add_argument("--ingest-runs", type=int, default=3, help="timed ingests per tool (default 3)")
    p.add_argument("--tiny", action="store_true", help="20,000 + 4,000 events, 3 runs: a smoke test (CI)")
    p.add_argument("--work", default="bench/out", help="folder for data and stores (default bench/out)")
    p.add_argument("--report", default=None, help="write the Markdown table here (default <work>/RESULTS.md, or RESULTS-varied.md)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--profile", choices=["standard", "varied"], default="standard",
                   help="logq-gen's value profile: standard (the earlier figures) or varied (values as real clusters vary them)")
    p.add_argument("--no-jq", action="store_true", help="skip the zcat | jq rows")
    p.add_argument("--no-follow", action="store_true", help="skip the tail-follow rows (bench/follow.py)")
    p.add_argument("--jq-runs", type=int, default=1,
                   help="timed runs of the zcat | jq rows, without a warm-up: jq takes ~1 min per question on the full dataset (default 1)")
    a = p.parse_args()
    if a.tiny:
        a.k8s, a.cloudtrail, a.runs, a.ingest_runs = 20_000, 4_000, 3, 1
    a.report = a.report or os.path.join(a.work, "RESULTS.md" if a.profile == "standard" else f"RESULTS-{a.profile}.md")
    return a


class Measurement:
    def __init__(self):
        self.walls, self.cpus, self.rss = [], [], []

    def add(self, wall, cpu, rss_kib):
        self.walls.append(wall)
        self.cpus.append(cpu)
        self.rss.append(rss_kib)

    @property
    def median(self):
        return statistics.median(self.walls)


def run_once(command, stdout_path):
    """Runs `command` through bash; returns (wall s, cpu s, peak RSS KiB, exit status)."""
    with open(stdout_path, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(["bash", "-o", "pipefail", "-c", command], stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        stderr = proc.stderr.read().decode(errors="replace")
        proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, proc.returncode, stderr


def measure(command, runs, stdout_path, ok_codes=(0,), warmup=True):
    m = Measurement()
    for i in range(runs + (1 if warmup else 0)):
        wall, cpu, rss, code, stderr = run_once(command, stdout_path)
        if code not in ok_codes:
            sys.exit(f"compare: command failed (exit {code}): {command}\n{stderr[-2000:]}")
        if i > 0 or not warmup:  # the first run warms the page cache
            m.add(wall, cpu, rss)
    return m


# --- answer normalization --------------------------------------------------------------------

def ids_from_lines(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return sorted(line.strip() for line in f if line.strip())


def ids_from_json_events(path, key):
    out = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.search(r'"%s":"([^"]+)"' % key, line)
            if m:
                out.append(m.group(1))
    return sorted(out)


def counts_from_table(path):
    """Rows of `count key…` (logq table, uniq -c): {key: count}; header lines skipped."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.strip().split(None, 1)
            if not parts or not parts[0].isdigit():
                continue
            key = parts[1].strip() if len(parts) > 1 else "-"
            out[key or "-"] = out.get(key or "-", 0) + int(parts[0])
    return out


def counts_from_csv(path):
    """DuckDB `-csv -noheader` rows `key,count`: {key: count}; NULL/empty keys become '-'."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            key, _, count = line.rpartition(",")
            key = key.strip('"')
            key = "-" if key in ("", "NULL") else key
            out[key] = out.get(key, 0) + int(count)
    return out


def single_count(path):
    with open(path, encoding="utf-8") as f:
        numbers = [int(tok) for tok in re.findall(r"\b\d+\b", f.read())]
    return sum(numbers)


def rg_count(path):
    """`rg -c` over several files prints `file:count` lines."""
    total = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            total += int(line.rsplit(":", 1)[-1])
    return total


# --- the benchmark ---------------------------------------------------------------------------

def main():
    a = parse_args()
    work = os.path.abspath(a.work)
    os.makedirs(work, exist_ok=True)
    logq = os.path.abspath(os.path.join(a.bin, "logq"))
    gen = os.path.abspath(os.path.join(a.bin, "logq-gen"))
    suffix = "" if a.profile == "standard" else f"-{a.profile}"
    data = os.path.join(work, f"data-{a.k8s}-{a.cloudtrail}-{a.seed}{suffix}")
    start = dt.datetime(2026, 11, 24, tzinfo=dt.timezone.utc)
    end = start + dt.timedelta(hours=24)
    last_hour = end - dt.timedelta(hours=1)
    t1, t2 = last_hour.strftime("%Y-%m-%dT%H:%M:%SZ"), end.strftime("%Y-%m-%dT%H:%M:%SZ")

    if not os.path.exists(os.path.join(data, ".complete")):
        shutil.rmtree(data, ignore_errors=True)
        print(f"generating {a.k8s:,} k8s + {a.cloudtrail:,} CloudTrail events into {data}", file=sys.stderr)
        subprocess.run([gen, "--out", data, "--k8s", str(a.k8s), "--cloudtrail", str(a.cloudtrail),
                        "--seed", str(a.seed), "--start", "2026-11-24T00:00:00Z", "--hours", "24",
                        "--profile", a.profile], check=True)
        open(os.path.join(data, ".complete"), "w").close()
    k8s_gz = os.path.join(data, "k8s-audit")
    k8s_plain = os.path.join(data, "k8s-audit-plain")
    ct_dir = os.path.join(data, "cloudtrail")
    k8s_glob = os.path.join(k8s_gz, "*.jsonl.gz")
    ct_glob = os.path.join(ct_dir, "**", "*.json.gz")
    ct_files = f"$(find {ct_dir} -name '*.json.gz' | sort)"
    gz_bytes = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(k8s_gz) for f in fs) + \
        sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(ct_dir) for f in fs)
    raw_bytes = sum(os.path.getsize(os.path.join(k8s_plain, f)) for f in os.listdir(k8s_plain))
    events = a.k8s + a.cloudtrail
    out = os.path.join(work, "answers")
    os.makedirs(out, exist_ok=True)

    # --- ingest ---
    store = os.path.join(work, "logq-data")
    duck = os.path.join(work, "duck.db")
    ingest_logq = f"rm -rf {store} && {logq} ingest --data {store} {k8s_gz} {ct_dir}"
    # CloudTrail records vary too much for read_json_auto to infer one struct (requestParameters
    # differ per call), so the records are read as JSON and the queried columns extracted.
    ct_select = (f"SELECT CAST(r->>'eventTime' AS TIMESTAMP) AS eventTime, r->>'eventName' AS eventName, "
                 f"r->>'eventSource' AS eventSource, r->>'errorCode' AS errorCode, r->>'eventID' AS eventID, "
                 f"r->>'awsRegion' AS awsRegion, r AS record FROM (SELECT unnest(Records) AS r FROM "
                 f"read_json_auto('{ct_glob}', maximum_object_size=1073741824, maximum_depth=2))")
    ingest_duck = (f"rm -f {duck} && duckdb {duck} -c \"CREATE TABLE k8s AS SELECT * FROM read_json_auto('{k8s_glob}'); "
                   f"CREATE TABLE ct AS {ct_select};\"")
    print("ingesting…", file=sys.stderr)
    m_ingest_logq = measure(ingest_logq, a.ingest_runs, os.path.join(out, "ingest-logq.txt"))
    m_ingest_duck = measure(ingest_duck, a.ingest_runs, os.path.join(out, "ingest-duck.txt"))
    summary = open(os.path.join(out, "ingest-logq.txt")).read()
    if f"{events} stored" not in summary or " 0 rejected" not in summary:
        sys.exit(f"compare: logq did not store every event: {summary}")
    store_bytes = int(subprocess.run(["du", "-sb", store], capture_output=True, text=True).stdout.split()[0])

    def duck_table(sql):
        return f"duckdb -readonly -csv -noheader {duck} -c \"{sql}\""

    def duck_files(sql):
        sql = sql.replace("FROM k8s", f"FROM read_json_auto('{k8s_glob}')")
        sql = sql.replace("FROM ct", f"FROM ({ct_select})")
        return f"duckdb -csv -noheader -c \"{sql}\""

    jq_k8s = f"zcat {k8s_glob} | jq -r"
    jq_ct = f"zcat {ct_files} | jq -r"
    lq = f"{logq} --data {store}"

    # Each question: (name, kind, {tool: (command, normalizer)}).
    questions = [
        ("k8s deletes in the last hour", {
            "logq": (f"{lq} 'source=k8s-audit verb=delete since={t1} until={t2} | fields id'", ids_from_lines),
            "duckdb table": (duck_table(f"SELECT auditID FROM k8s WHERE verb='delete' AND stageTimestamp >= '{t1}' AND stageTimestamp < '{t2}' ORDER BY stageTimestamp"), ids_from_lines),
            "duckdb .gz": (duck_files(f"SELECT auditID FROM k8s WHERE verb='delete' AND stageTimestamp >= '{t1}' AND stageTimestamp < '{t2}' ORDER BY stageTimestamp"), ids_from_lines),
            "zcat | jq": (f"{jq_k8s} 'select(.verb==\"delete\" and .stageTimestamp >= \"{t1}\" and .stageTimestamp < \"{t2}\") | .auditID'", ids_from_lines),
        }),
        ("k8s events counted by user", {
            "logq": (f"{lq} 'source=k8s-audit | count by user'", counts_from_table),
            "duckdb table": (duck_table("SELECT \\\"user\\\".username, count(*) FROM k8s GROUP BY 1"), counts_from_csv),
            "duckdb .gz": (duck_files("SELECT \\\"user\\\".username, count(*) FROM k8s GROUP BY 1"), counts_from_csv),
            "zcat | jq": (f"{jq_k8s} '.user.username' | sort | uniq -c", counts_from_table),
        }),
        ("every event of the rare user", {
            "logq": (f"{lq} 'user={RARE_USER}' -o ndjson", lambda p: ids_from_json_events(p, "auditID")),
            "duckdb table": (duck_table(f"SELECT auditID FROM k8s WHERE \\\"user\\\".username = '{RARE_USER}'"), ids_from_lines),
            "duckdb .gz": (duck_files(f"SELECT auditID FROM k8s WHERE \\\"user\\\".username = '{RARE_USER}'"), ids_from_lines),
            "zcat | jq": (f"{jq_k8s} -c 'select(.user.username==\"{RARE_USER}\")'", lambda p: ids_from_json_events(p, "auditID")),
            "rg (plain files)": (f"rg --no-filename -F '\"username\":\"{RARE_USER}\"' {k8s_plain}", lambda p: ids_from_json_events(p, "auditID")),
        }),
        ("k8s status >= 400 counted by resource", {
            "logq": (f"{lq} 'source=k8s-audit code>=400 | count by resource'", counts_from_table),
            "duckdb table": (duck_table("SELECT objectRef.resource, count(*) FROM k8s WHERE responseStatus.code >= 400 GROUP BY 1"), counts_from_csv),
            "duckdb .gz": (duck_files("SELECT objectRef.resource, count(*) FROM k8s WHERE responseStatus.code >= 400 GROUP BY 1"), counts_from_csv),
            "zcat | jq": (f"{jq_k8s} 'select(.responseStatus.code >= 400) | (.objectRef.resource // \"-\")' | sort | uniq -c", counts_from_table),
        }),
        ("request URIs matching ^/api/v1/namespaces/[^/]+/secrets", {
            "logq": (f"{lq} 'uri~{URI_REGEX} | count'", single_count),
            "duckdb table": (duck_table(f"SELECT count(*) FROM k8s WHERE regexp_matches(requestURI, '{URI_REGEX}')"), single_count),
            "duckdb .gz": (duck_files(f"SELECT count(*) FROM k8s WHERE regexp_matches(requestURI, '{URI_REGEX}')"), single_count),
            "zcat | jq": (f"{jq_k8s} 'select(.requestURI | test(\"{URI_REGEX}\")) | 1' | wc -l", single_count),
            "rg (plain files)": (f"rg -c '\"requestURI\":\"/api/v1/namespaces/[^/\"]+/secrets' {k8s_plain}", rg_count),
        }),
        ("CloudTrail Delete* calls in the last hour", {
            "logq": (f"{lq} 'source=cloudtrail event=Delete* since={t1} until={t2} | fields id'", ids_from_lines),
            "duckdb table": (duck_table(f"SELECT eventID FROM ct WHERE eventName LIKE 'Delete%' AND eventTime >= '{t1}' AND eventTime < '{t2}' ORDER BY eventTime"), ids_from_lines),
            "duckdb .gz": (duck_files(f"SELECT eventID FROM ct WHERE eventName LIKE 'Delete%' AND eventTime >= '{t1}' AND eventTime < '{t2}' ORDER BY eventTime"), ids_from_lines),
            "zcat | jq": (f"{jq_ct} '.Records[] | select((.eventName | startswith(\"Delete\")) and .eventTime >= \"{t1}\" and .eventTime < \"{t2}\") | .eventID'", ids_from_lines),
        }),
        ("CloudTrail records counted by errorCode", {
            "logq": (f"{lq} 'source=cloudtrail | count by error'", counts_from_table),
            "duckdb table": (duck_table("SELECT errorCode, count(*) FROM ct GROUP BY 1"), counts_from_csv),
            "duckdb .gz": (duck_files("SELECT errorCode, count(*) FROM ct GROUP BY 1"), counts_from_csv),
            "zcat | jq": (f"{jq_ct} '.Records[] | (.errorCode // \"-\")' | sort | uniq -c", counts_from_table),
        }),
    ]

    rows = []
    failures = []
    for qi, (question, tools) in enumerate(questions, 1):
        answers = {}
        results = {}
        for tool, (command, normalize) in tools.items():
            if a.no_jq and tool == "zcat | jq":
                continue
            path = os.path.join(out, f"q{qi}-{re.sub(r'[^a-z0-9]+', '-', tool.lower())}.txt")
            print(f"Q{qi} {tool}…", file=sys.stderr)
            # logq exits 1 when nothing matched; rg likewise.
            if tool == "zcat | jq":
                results[tool] = measure(command, max(1, min(a.runs, a.jq_runs)), path, ok_codes=(0, 1), warmup=False)
            else:
                results[tool] = measure(command, a.runs, path, ok_codes=(0, 1))
            answers[tool] = normalize(path)
        reference = answers["duckdb table"]
        for tool, answer in answers.items():
            if answer != reference:
                failures.append(f"Q{qi} ({question}): {tool} disagrees with duckdb table: {str(answer)[:300]} vs {str(reference)[:300]}")
        size = len(reference) if isinstance(reference, (list, dict)) else reference
        base = results["duckdb table"].median
        for tool, m in results.items():
            rows.append((f"Q{qi} {question}", size, tool, m, m.median / base if base else float("nan")))

    # --- report ---
    def fmt_wall(m):
        return f"{m.median:.3f} ({min(m.walls):.3f}–{max(m.walls):.3f})"

    duck_version = subprocess.run(["duckdb", "--version"], capture_output=True, text=True).stdout.strip()
    jq_version = subprocess.run(["jq", "--version"], capture_output=True, text=True).stdout.strip()
    rg_version = subprocess.run(["rg", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    cpu = "unknown"
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    lines = []
    lines.append(f"Measured {dt.datetime.now(dt.timezone.utc).strftime('%Y-%m-%d')} on {os.cpu_count()} cores ({cpu}), "
                 f"{platform.system()} {platform.release()}; logq release build (static Swift runtime); {duck_version}; {jq_version}; {rg_version}.")
    lines.append("")
    lines.append(f"Dataset: {a.k8s:,} Kubernetes audit events + {a.cloudtrail:,} CloudTrail records over 24 h "
                 f"(`logq-gen --seed {a.seed} --profile {a.profile}`), {raw_bytes / 2**20:.0f} MiB of k8s JSON, {gz_bytes / 2**20:.1f} MiB gzip -6 in all. "
                 f"Times are whole-process wall seconds, median (min–max) of {a.runs} runs after a warm-up "
                 f"(zcat | jq: {max(1, min(a.runs, a.jq_runs))} run{'s' if min(a.runs, a.jq_runs) > 1 else ''}, no warm-up); "
                 f"CPU is user+sys seconds; RSS is peak resident MiB; ratio is to DuckDB over its own table (target ≤ 0.5).")
    lines.append("")
    lines.append("| ingest | wall s | events/s | CPU s | peak RSS MiB | on disk | bytes/event | vs gzip -6 |")
    lines.append("|---|---|---|---|---|---|---|---|")
    duck_bytes = os.path.getsize(duck)
    for name, m, size in (("logq ingest", m_ingest_logq, store_bytes), ("DuckDB read_json_auto → table", m_ingest_duck, duck_bytes)):
        lines.append(f"| {name} | {fmt_wall(m)} | {events / m.median:,.0f} | {statistics.median(m.cpus):.2f} | "
                     f"{max(m.rss) / 1024:.0f} | {size / 2**20:.1f} MiB | {size / events:.0f} | {size / gz_bytes:.2f}× |")
    lines.append("")
    lines.append(f"logq ingest rate ÷ DuckDB's: {m_ingest_duck.median / m_ingest_logq.median:.2f}× (target ≥ 2×).")
    lines.append("")
    lines.append("| question | answer size | tool | wall s | CPU s | peak RSS MiB | ratio to DuckDB table |")
    lines.append("|---|---|---|---|---|---|---|")
    for question, size, tool, m, ratio in rows:
        cell = tool.replace("|", "\\|")  # a pipe inside a Markdown table cell
        lines.append(f"| {question} | {size} | {cell} | {fmt_wall(m)} | {statistics.median(m.cpus):.2f} | {max(m.rss) / 1024:.0f} | {ratio:.2f} |")
    lines.append("")
    lines.append("All tools returned the same answer on every question." if not failures else "**Answers disagree:** " + "; ".join(failures))

    # --- tail-follow (bench/follow.py): a real writer and follower beside this store's data ---
    if not a.no_follow:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import follow
        follow_work = os.path.join(work, "follow")
        os.makedirs(follow_work, exist_ok=True)
        rates = [200] if a.tiny else [1000, 20000]
        load_seconds, idle_seconds = (2, 2) if a.tiny else (20, 60)
        lines.append("")
        lines.append("| tail-follow (`logq -f`, bench/follow.py) | figure | target |")
        lines.append("|---|---|---|")
        for rate in rates:
            r = follow.run_rate(logq, follow_work, rate, load_seconds)
            if r["printed"] != r["written"]:
                failures.append(f"tail-follow at {rate}/s printed {r['printed']} of {r['written']} events: {r['stats']}")
            lines.append(f"| commit → printed, {rate:,} events/s for {load_seconds:.0f} s ({r['printed']:,} events) | "
                         f"p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, max {r['max_ms']} ms | p99 ≤ 50 ms |")
        idle = follow.idle_cpu(logq, follow_work, idle_seconds)
        lines.append(f"| idle follower CPU over {idle['seconds']:.0f} s | {idle['percent_of_core']:.3f}% of a core | < 1% |")
        for query in ["", "verb=delete", f"user={RARE_USER}"]:
            r = follow.first_line(logq, store, query, runs=a.runs)
            lines.append(f"| first history line, `logq -f -n 10 '{query}'` over this store | {r['median_ms']} ms ({r['min_ms']}–{r['max_ms']}) | ≤ 100 ms |")
    report = "\n".join(lines) + "\n"
    os.makedirs(os.path.dirname(os.path.abspath(a.report)), exist_ok=True)
    with open(a.report, "w") as f:
        f.write(report)
    print(report)
    if failures:
        print("\n".join(failures), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
