import Foundation
import Testing
import TestSupport

/// The query language through the built binary: output formats, --explain, errors, colour.
/// Expected counts were taken from the fixture files with Python's json module.
@Suite(
    "logq queries",
    .enabled(
        if: TestPaths.logqBinary != nil || ProcessInfo.processInfo.environment["CI"] != nil,
        "the logq binary is not built: run 'swift build' before 'swift test' (in CI this fails instead)"))
struct QueryEndToEndTests {
    var logq: String { TestPaths.logqBinary ?? "/nonexistent/logq (run swift build first)" }

    /// A store holding the k8s-audit and CloudTrail fixtures (433 events).
    final class Store {
        let dir = TemporaryDirectory("logq-e2e-query")
        var data: String { dir.path + "/data" }
    }

    func store() -> Store {
        let store = Store()
        let result = Shell.run(logq, ["ingest", "--data", store.data, TestPaths.fixtures + "/k8s-audit", TestPaths.fixtures + "/cloudtrail"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        return store
    }

    func query(_ store: Store, _ arguments: [String], environment: [String: String]? = nil) -> Shell.Result {
        Shell.run(logq, ["--data", store.data] + arguments, environment: environment)
    }

    @Test("JSON paths, groups and pipes answer through the binary")
    func pipes() throws {
        let s = store()
        #expect(query(s, ["objectRef.subresource=status | count"]).stdout == "count\n   35\n")
        #expect(query(s, ["groups=deployers,platform-admins | count"]).stdout == "count\n   21\n")
        let top = query(s, ["source=k8s-audit verb=delete | top 1 user.username"])
        #expect(top.stdout == "count  user.username\n    6  system:serviceaccount:kube-system:generic-garbage-collector\n")
        let every = query(s, ["source=cloudtrail | count every 1h"])
        #expect(every.stdout == "time                  count\n2026-11-24T10:00:00Z     82\n2026-11-24T11:00:00Z     51\n")
        let stats = query(s, ["source=k8s-audit | stats count() p99(responseStatus.code) uniq(user.username)"])
        #expect(stats.stdout.split(separator: "\n").last.map { $0.split(separator: " ").map(String.init) } == ["300", "409", "15"])
        let tail = query(s, ["source=k8s-audit | tail 1 | fields id"])
        #expect(tail.stdout == "083f64c3-1ce3-42f8-83f7-25feb99b2b5a\n")
    }

    @Test("-o csv and -o json print events and aggregates that parse back")
    func formats() throws {
        let s = store()
        let csv = query(s, ["-o", "csv", "source=cloudtrail | count by errorCode"])
        #expect(csv.stdout == "count,errorCode\r\n128,\r\n4,AccessDenied\r\n1,Client.UnauthorizedOperation\r\n")
        let json = query(s, ["-o", "json", "verb=delete source=k8s-audit"])
        #expect(json.status == 0)
        let events = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(events?.count == 24)
        #expect(events?.allSatisfy { $0["verb"] as? String == "delete" } == true)
        let table = query(s, ["-o", "json", "source=k8s-audit | count by verb | sort by count desc | head 2"])
        let rows = try JSONSerialization.jsonObject(with: Data(table.stdout.utf8)) as? [[String: Any]]
        #expect(rows?.map { $0["verb"] as? String } == ["update", "get"])
        #expect(rows?.map { $0["count"] as? Int } == [96, 79])
        let eventsCSV = query(s, ["-o", "csv", "source=k8s-audit verb=delete | fields id,user.username | head 2"])
        #expect(eventsCSV.stdout.hasPrefix("id,user.username\r\n"))
        #expect(eventsCSV.stdout.split(separator: "\r\n").count == 3)
        let unknown = query(s, ["-o", "yaml", ""])
        #expect(unknown.status == 64)  // ArgumentParser's usage error (EX_USAGE)
        #expect(unknown.stderr.contains("unknown output format 'yaml': use text, table, ndjson, json, csv, raw"))
    }

    @Test("--explain and --stats print the plan and the counters to stderr")
    func explain() {
        let s = store()
        for flag in ["--explain", "--stats"] {
            let result = query(s, [flag, "verb=delete objectRef.subresource=\"\" since=2026-11-24T11:00:00Z | count"])
            #expect(result.status == 0)
            #expect(result.stdout.hasPrefix("count\n"))
            for part in ["logq: plan", "prune:   by time, and by block summaries on verb", "partitions considered", "blocks considered",
                "skipped by time", "skipped by index", "decompressed", "events scanned", "matched", "wall time"] {
                #expect(result.stderr.contains(part), "missing \(part) in \(result.stderr)")
            }
        }
    }

    @Test("a bad query prints a caret under the column and what was expected, exit 2")
    func badQuery() {
        let s = store()
        let result = query(s, ["verb>>delete"])
        #expect(result.status == 2)
        #expect(result.stderr == "logq: bad query\n  verb>>delete\n      ^\nerror at column 5: expected an operator after 'verb', found '>>' (operators: = != ~ !~ > >= < <=)\n")
        let pipe = query(s, ["| stats avg(latency"])
        #expect(pipe.status == 2)
        #expect(pipe.stderr.contains("expected ')' after 'avg(latency', found the end of the query"))
        let column = query(s, ["| count by verb | sort by nosuch"])
        #expect(column.status == 2)
        #expect(column.stderr == "logq: bad query\n  | count by verb | sort by nosuch\n                            ^\nerror at column 27: expected one of the columns count, verb, found 'nosuch'\n")
    }

    @Test("on a terminal the default is a coloured table, and NO_COLOR turns colour off")
    func terminal() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else { return }
        let s = store()
        let command = "\(logq) --data \(s.data) 'source=k8s-audit code>=400 | head 3'"
        let coloured = Shell.run("/usr/bin/script", ["-qec", "env -u NO_COLOR " + command, "/dev/null"])
        #expect(coloured.stdout.contains("\u{1B}[1mtime"), "\(coloured.stdout)")
        #expect(coloured.stdout.contains("\u{1B}[31m"))
        let plain = Shell.run("/usr/bin/script", ["-qec", "env NO_COLOR=1 " + command, "/dev/null"])
        #expect(!plain.stdout.contains("\u{1B}["))
        #expect(plain.stdout.hasPrefix("time  "))
        // Not a terminal: text lines, no header, no colour.
        let piped = Shell.run(logq, ["--data", s.data, "source=k8s-audit code>=400 | head 3"])
        #expect(!piped.stdout.contains("\u{1B}["))
        #expect(piped.stdout.hasPrefix("2026-11-24T"))
    }

    @Test("head stops the scan early: fewer blocks are decompressed than with the full scan")
    func headStops() {
        let s = store()
        let head = query(s, ["--explain", "| head 1"])
        let all = query(s, ["--explain", ""])
        func decompressed(_ stderr: String) -> Int? {
            guard let line = stderr.split(separator: "\n").first(where: { $0.contains("decompressed") }) else { return nil }
            return Int(line.split(separator: ",").last!.split(separator: " ").first!)
        }
        #expect(head.stdout.split(separator: "\n").count == 1)
        let h = decompressed(head.stderr)
        let a = decompressed(all.stderr)
        #expect(h != nil && a != nil && h! < a!, "head: \(head.stderr) all: \(all.stderr)")
    }
}
