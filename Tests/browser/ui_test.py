#!/usr/bin/python3
"""Drives the web page of `logq serve` in headless Chromium against a real server holding the
fixtures, and checks what a person would see against the CLI's own answers.

    python3 Tests/browser/ui_test.py --logq .build/debug/logq --fixtures fixtures --artifacts /tmp/ui

Run by Tests/EndToEndTests/BrowserTests.swift. Exit status 0 when every check passed; on a
failure it prints what differed, saves a screenshot and the browser's console, and exits 1.
Needs Debian's chromium, chromium-driver and python3-selenium.
"""

import argparse
import csv
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

WAIT = 30  # seconds a page state may take to appear (the machine is shared and slow)


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Logq:
    """The logq binary: the CLI for expected answers, and `logq serve`."""

    def __init__(self, binary, data, work):
        self.binary = binary
        self.data = data
        self.work = work
        self.server = None
        self.port = None

    def cli(self, *args, ok=(0, 1)):
        r = subprocess.run([self.binary, *args], capture_output=True, text=True, timeout=120)
        check(r.returncode in ok, f"logq {' '.join(args)} exited {r.returncode}: {r.stderr}")
        return r

    def csv(self, query):
        """The CLI's CSV answer over the store: header and rows."""
        rows = list(csv.reader(io.StringIO(self.cli("--data", self.data, "-o", "csv", query).stdout)))
        return (rows[0], rows[1:]) if rows else ([], [])

    def serve(self, *extra):
        self.port = free_port()
        log = open(os.path.join(self.work, f"serve-{self.port}.log"), "w")
        self.server = subprocess.Popen(
            [self.binary, "serve", "--data", self.data, "--port", str(self.port), *extra],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=2).read()
                return
            except OSError:
                time.sleep(0.1)
        raise Failure(f"logq serve did not start on port {self.port}")

    def stop(self):
        if self.server:
            self.server.terminate()
            try:
                self.server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.server.kill()
            self.server = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def ingest(self, events, token=None):
        """POSTs an EventList to the webhook route; returns the answer."""
        body = json.dumps({"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "items": events}).encode()
        request = urllib.request.Request(self.url + "/v1/ingest/k8s-audit", data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        if token:
            request.add_header("Authorization", "Bearer " + token)
        answer = json.loads(urllib.request.urlopen(request, timeout=30).read())
        check(answer["stored"] == len(events), f"ingest stored {answer}")
        return answer


def audit_event(audit_id, name, minute):
    return {
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": audit_id,
        "stage": "ResponseComplete", "requestURI": f"/api/v1/namespaces/uitest/configmaps/{name}", "verb": "delete",
        "user": {"username": "tailer@example.com"}, "sourceIPs": ["192.0.2.7"],
        "objectRef": {"resource": "configmaps", "namespace": "uitest", "name": name},
        "responseStatus": {"code": 200},
        "requestReceivedTimestamp": f"2026-12-01T09:{minute:02d}:00.000000Z",
        "stageTimestamp": f"2026-12-01T09:{minute:02d}:00.100000Z",
    }


class Page:
    """The browser on the page."""

    def __init__(self, artifacts):
        options = Options()
        options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1440,960", "--force-device-scale-factor=1", "--no-first-run"]:
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
        self.driver = webdriver.Chrome(service=Service(driver_path), options=options)
        self.artifacts = artifacts

    def quit(self):
        self.driver.quit()

    def shot(self, name):
        path = os.path.join(self.artifacts, name + ".png")
        self.driver.save_screenshot(path)
        print(f"  screenshot {path}")
        return path

    def wait(self, condition, what):
        try:
            return WebDriverWait(self.driver, WAIT, poll_frequency=0.1).until(lambda d: condition())
        except Exception as e:
            raise Failure(f"timed out waiting for {what}") from e

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def el(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def els(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def run(self, query, range_value="all"):
        """Types a query, picks the range, presses Enter, waits until the page is done."""
        Select(self.el("#range")).select_by_value(range_value) if self.el("#range").get_attribute("value") != range_value else None
        self.wait(lambda: self.js("return document.body.dataset.state") in ("done", "error"), "the page to settle")
        box = self.el("#q")
        box.clear()
        box.send_keys(query)
        self.js("document.body.dataset.state = 'typed'")
        box.send_keys(Keys.ENTER)
        self.wait(lambda: self.js("return document.body.dataset.state") in ("done", "error"), f"the query {query!r} to finish")

    def table_rows(self):
        return self.js("return [...document.querySelectorAll('#rows tbody tr.row')].map(tr => [...tr.children].map(td => td.textContent))")

    def bars(self):
        return self.js("""return [...document.querySelectorAll('#hist rect.bar')].map(r =>
            [r.dataset.start, r.dataset.source, Number(r.dataset.count)])""")


def dash(cell):
    """The page shows an empty cell as '-', as the CLI's text output does."""
    return cell if cell else "-"


def expected_cells(rows):
    return [[cells[0]] + [dash(c) for c in cells[1:]] for cells in rows]


def test_query(logq, page):
    print("query: rows and histogram bars as the CLI answers them")
    query = "verb=delete"
    header, rows = logq.csv(query)
    check(len(rows) > 10, f"the fixtures should hold deletes, the CLI found {len(rows)}")
    page.run(query)
    shown = page.table_rows()
    check(shown == expected_cells(rows), f"rows differ from `logq -o csv {query}`:\npage {shown[:3]}…\ncli  {rows[:3]}…")
    every = page.js("return document.getElementById('hist').dataset.every")
    _, counts = logq.csv(f"{query} | count by source every {every}")
    # count by source every D: time, count, source
    expected = sorted([t, s, int(n)] for t, n, s in counts)
    bars = sorted(page.bars())
    check(bars == expected, f"histogram bars (every {every}) differ from the CLI's counts:\npage {bars}\ncli  {expected}")
    total = int(page.js("return document.getElementById('hist').dataset.total"))
    check(total == len(rows), f"histogram total {total}, CLI rows {len(rows)}")
    status = page.el("#status").text
    check(f"{len(rows)} rows" in status.replace(",", ""), f"status line: {status!r}")
    print(f"  {len(rows)} rows, {len(bars)} bars every {every}")
    page.shot("query")

    print("top values: the CLI's `| top 10 user`")
    _, top = logq.csv(f"{query} | top 10 user")
    page.wait(lambda: len(page.els("#top-list li")) == len(top), "the top values")
    listed = page.js("return [...document.querySelectorAll('#top-list li')].map(li => [li.querySelector('.v').dataset.value, li.querySelector('.n').textContent])")
    user_at = 0 if not top or not top[0][0].isdigit() else 1
    expected_top = [[r[user_at], r[1 - user_at]] for r in top]
    check(listed == expected_top, f"top values differ:\npage {listed}\ncli  {expected_top}")

    print("a row expands to its original event, pretty-printed")
    # On its time: a click on a value adds a filter instead.
    page.el("#rows tbody tr.row td.c-time").click()
    page.wait(lambda: len(page.els("#rows tr.detail pre.json")) == 1, "the expanded event")
    pretty = page.el("#rows tr.detail pre.json").text
    check("\n  \"" in pretty, f"the event is not pretty-printed: {pretty[:200]!r}")
    check(json.loads(pretty) is not None, "the expanded event is not JSON")
    page.shot("expanded")

    print("a click on a value adds it to the query")
    user_cell = page.el("#rows tbody tr.row td.c-user .v")
    user = user_cell.get_attribute("data-value")
    page.js("document.body.dataset.state = 'clicked'")
    user_cell.click()
    page.wait(lambda: page.js("return document.body.dataset.state") == "done", "the query after a click")
    q = page.el("#q").get_attribute("value")
    check(q.startswith(query + " user="), f"query after click: {q!r}")
    _, narrowed = logq.csv(q)
    check(page.table_rows() == expected_cells(narrowed), f"rows after the click differ from `logq {q}`")
    check(all(r[3] == user for r in page.table_rows()), "rows of other users after the click")


def test_zoom(logq, page):
    print("drag over the histogram zooms the range")
    page.run("")
    svg = page.el("#hist")
    width = svg.size["width"]
    ActionChains(page.driver).move_to_element_with_offset(svg, int(-width * 0.3), 0).click_and_hold() \
        .move_by_offset(int(width * 0.35), 0).release().perform()
    page.wait(lambda: page.js("return document.body.dataset.state") == "done" and
              page.el("#range").get_attribute("value") == "custom", "the zoomed query")
    # datetime-local drops ':00' seconds
    since, until = (v + (":00" if len(v) == 16 else "") + "Z" for v in
                    (page.el("#from").get_attribute("value"), page.el("#to").get_attribute("value")))
    _, rows = logq.csv(f"since={since} until={until}")
    check(0 < len(rows), f"the zoomed window {since}–{until} holds no event")
    check(page.table_rows() == expected_cells(rows), f"zoomed rows differ from `logq since={since} until={until}`")
    check(page.js("return document.getElementById('hist').dataset.since") == since, "the chart does not show the zoomed window")
    print(f"  {since} – {until}: {len(rows)} rows")
    page.shot("zoomed")


def test_aggregate(logq, page):
    print("an aggregate's result as a table and a bar chart")
    query = "verb=delete | count by user"
    header, rows = logq.csv(query)
    page.run(query)
    page.wait(lambda: page.el("#aggregate").is_displayed(), "the aggregate panel")
    shown_header = page.js("return [...document.querySelectorAll('#agg-table thead th')].map(th => th.textContent)")
    shown = page.js("return [...document.querySelectorAll('#agg-table tbody tr')].map(tr => [...tr.children].map(td => td.textContent))")
    check(shown_header == header, f"aggregate header {shown_header} != {header}")
    check(shown == rows, f"aggregate rows differ:\npage {shown}\ncli  {rows}")
    bars = len(page.els("#agg-chart .agg-bar"))
    check(bars == min(50, len(rows)), f"{bars} bars for {len(rows)} rows")
    page.shot("aggregate")


def test_bad_query(logq, page):
    print("a bad query shows the caret error under the box")
    query = "verb=delete | count by"
    r = logq.cli("--data", logq.data, query, ok=(2,))
    column = int(re.search(r"error at column (\d+)", r.stderr).group(1))
    page.run(query)
    error = page.el("#error")
    check(error.is_displayed(), "no error shown")
    lines = error.text.split("\n")
    check(lines[0] == query, f"error box first line {lines[0]!r}")
    check(lines[1] == " " * (column - 1) + "^", f"caret line {lines[1]!r}, column {column}")
    check("expected a field name" in lines[2], f"message {lines[2]!r}")
    check(not page.table_rows(), "rows shown for a bad query")
    check(not page.bars(), "the last query's bars stay beside a bad query")
    page.shot("bad-query")


def tail_ids(page):
    return page.js("return [...document.querySelectorAll('#rows tbody tr.row')].map(tr => tr.dataset.id)")


def test_tail(logq, page):
    print("live tail: an ingested event appears; pause, ingest, resume: all once")
    page.run("ns=uitest")
    page.el("#tail-toggle").click()
    page.wait(lambda: page.js("return document.body.dataset.cursor") is not None, "the tail to connect")
    logq.ingest([audit_event("ui-tail-0", "cm-0", 0)])
    page.wait(lambda: "ui-tail-0" in tail_ids(page), "the first tailed event")
    page.el("#tail-pause").click()
    page.wait(lambda: page.js("return document.body.dataset.tail") == "paused", "the pause")
    logq.ingest([audit_event(f"ui-tail-{i}", f"cm-{i}", i) for i in range(1, 4)])
    logq.ingest([audit_event(f"ui-tail-{i}", f"cm-{i}", i) for i in range(4, 6)])
    time.sleep(1.0)
    check(tail_ids(page) == ["ui-tail-0"], f"a paused tail showed {tail_ids(page)}")
    page.shot("tail-paused")
    page.el("#tail-pause").click()
    expected = [f"ui-tail-{i}" for i in range(6)]
    page.wait(lambda: len(tail_ids(page)) >= 6, "the events ingested while paused")
    logq.ingest([audit_event("ui-tail-6", "cm-6", 6)])
    expected.append("ui-tail-6")
    page.wait(lambda: len(tail_ids(page)) >= 7, "an event after the resume")
    time.sleep(0.5)
    ids = tail_ids(page)
    check(ids == expected, f"tail rows {ids}, expected each of {expected} once, in order")
    page.shot("tail")
    page.el("#tail-toggle").click()


def test_token(logq, artifacts):
    print("with --token-file: the page is open, the API asks for the read token once")
    tokens = os.path.join(logq.work, "tokens")
    read, write = "r" * 8 + "0123456789abcdef", "w" * 8 + "0123456789abcdef"
    with open(tokens, "w") as f:
        f.write(f"{write} write\n{read} read\n")
    logq.serve("--token-file", tokens)
    page = Page(artifacts)
    try:
        with urllib.request.urlopen(logq.url + "/", timeout=10) as r:
            check(r.status == 200 and b"logq" in r.read(), "the page needs no token")
        try:
            urllib.request.urlopen(logq.url + "/v1/query?q=", timeout=10)
            raise Failure("/v1/query answered without a token")
        except urllib.error.HTTPError as e:
            check(e.code == 401, f"/v1/query without a token: {e.code}")
        page.driver.get(logq.url + "/?range=all&q=" + urllib.parse.quote("verb=delete"))
        page.wait(lambda: page.el("#token-dialog").is_displayed(), "the token prompt")
        page.shot("token-prompt")
        page.el("#token-input").send_keys("not-a-token-0123456789")
        page.el("#token-submit").click()
        page.wait(lambda: page.el("#token-dialog").is_displayed() and
                  "did not accept" in page.el("#token-why").text, "the prompt again after a wrong token")
        page.el("#token-input").send_keys(read)
        page.el("#token-submit").click()
        page.wait(lambda: page.js("return document.body.dataset.state") == "done", "the query with the token")
        _, rows = logq.csv("verb=delete")
        check(page.table_rows() == expected_cells(rows), "rows with the token differ from the CLI's")
        check(page.js("return sessionStorage.getItem('logq-token')") == read, "the token is not kept for the session")
        page.driver.refresh()
        page.wait(lambda: page.js("return document.body && document.body.dataset.state") == "done", "the reload")
        check(not page.el("#token-dialog").is_displayed(), "asked for the token again after a reload")
        check(len(page.table_rows()) == len(rows), "rows after the reload")
    finally:
        page.quit()
        logq.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--logq", required=True)
    parser.add_argument("--fixtures", required=True)
    parser.add_argument("--artifacts", required=True)
    args = parser.parse_args()
    os.makedirs(args.artifacts, exist_ok=True)
    print(f"artifacts (screenshots): {args.artifacts}")
    work = tempfile.mkdtemp(prefix="logq-ui-")
    data = os.path.join(work, "data")
    logq = Logq(os.path.abspath(args.logq), data, work)
    logq.cli("ingest", "--data", data, os.path.join(args.fixtures, "k8s-audit"), os.path.join(args.fixtures, "cloudtrail"), ok=(0,))
    page = None
    failed = False
    try:
        logq.serve()
        page = Page(args.artifacts)
        page.driver.get(logq.url + "/?range=all&q=")
        page.wait(lambda: page.js("return document.body.dataset.state") == "done", "the first page load")
        for test in (test_query, test_zoom, test_aggregate, test_bad_query):
            test(logq, page)
        # The README's picture (docs/ui.png): the writes of the fixtures, one opened.
        page.driver.set_window_size(1280, 860)
        page.run("verb!=get,list,watch")
        page.els("#rows tbody tr.row td.c-time")[1].click()
        page.shot("ui")
        page.driver.set_window_size(1440, 960)
        test_tail(logq, page)
        page.quit()
        page = None
        logq.stop()
        test_token(logq, args.artifacts)
    except Exception as e:
        failed = True
        print(f"FAILED: {e}", file=sys.stderr)
        traceback.print_exc()
        if page:
            try:
                page.shot("failure")
                for entry in page.driver.get_log("browser"):
                    print(f"  console: {entry['level']} {entry['message']}", file=sys.stderr)
            except Exception:
                pass
    finally:
        if page:
            page.quit()
        logq.stop()
        shutil.rmtree(work, ignore_errors=True)
    print("browser tests: " + ("FAILED" if failed else "all passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
