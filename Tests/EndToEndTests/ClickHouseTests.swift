import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `clickhouse-server` on PATH, in /usr/sbin or /usr/bin (Debian's 18.16), if installed.
private let clickhousePath: String? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    let candidates = path.split(separator: ":").map { $0 + "/clickhouse-server" } + ["/usr/sbin/clickhouse-server", "/usr/bin/clickhouse-server"]
    return candidates.first { access($0, X_OK) == 0 }
}()

/// In CI (`CI=true`) a missing tool is a failure, not a skip: .ci/run installs it.
private let inCI = ProcessInfo.processInfo.environment["CI"] == "true"

/// Whether the ClickHouse tests run: the tool is there, or CI must fail for its absence.
private let clickhouseRuns = TestPaths.logqBinary != nil && (clickhousePath != nil || inCI)

/// A real `clickhouse-server`, started as a plain process on free loopback ports with a
/// temporary config and data folder; stopped (SIGTERM) by ``stop()``.
final class ClickHouseServer: @unchecked Sendable {
    /// The server's process id (spawned with posix_spawn, not Foundation's Process: the server
    /// closes the descriptors it inherits, which Foundation takes for an exit and then blocks
    /// its process monitor in wait4 until the server really ends).
    private(set) var pid: pid_t = 0
    let httpPort: Int
    let tcpPort: Int
    let directory: String

    /// Starts a server in `directory`; `cluster` names TCP ports of shards for a
    /// `remote_servers` section named `shards` (for a `Distributed` table).
    init(directory: String, cluster: [Int] = [], httpPort: Int? = nil, tcpPort: Int? = nil) throws {
        let binary = try #require(clickhousePath, "clickhouse-server is not installed (apt-get install clickhouse-server); .ci/run installs it")
        self.directory = directory
        self.httpPort = httpPort ?? PrometheusScrapeTests.freePort()
        self.tcpPort = tcpPort ?? PrometheusScrapeTests.freePort()
        try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        let shards = cluster.map { "<shard><replica><host>127.0.0.1</host><port>\($0)</port></replica></shard>" }.joined()
        // An empty cluster is a configuration error to 18.16: the section only with shards.
        let remote = cluster.isEmpty ? "" : "<remote_servers><shards>\(shards)</shards></remote_servers>"
        let config = """
            <?xml version="1.0"?>
            <yandex>
              <logger><level>warning</level><console>1</console></logger>
              <listen_host>127.0.0.1</listen_host>
              <http_port>\(self.httpPort)</http_port>
              <tcp_port>\(self.tcpPort)</tcp_port>
              <path>\(directory)/data/</path>
              <tmp_path>\(directory)/data/tmp/</tmp_path>
              <user_files_path>\(directory)/data/user_files/</user_files_path>
              <format_schema_path>\(directory)/data/format_schemas/</format_schema_path>
              <mark_cache_size>5368709120</mark_cache_size>
              <users_config>\(directory)/users.xml</users_config>
              <default_profile>default</default_profile>
              <default_database>default</default_database>
              <timezone>UTC</timezone>
              \(remote)
            </yandex>
            """
        let users = """
            <?xml version="1.0"?>
            <yandex>
              <profiles><default></default></profiles>
              <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
                <profile>default</profile><quota>default</quota></default></users>
              <quotas><default></default></quotas>
            </yandex>
            """
        try config.write(toFile: directory + "/config.xml", atomically: true, encoding: .utf8)
        try users.write(toFile: directory + "/users.xml", atomically: true, encoding: .utf8)
        let log = directory + "/server.log"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let arguments: [String] = [binary, "--config-file=\(directory)/config.xml"]
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let spawned = posix_spawn(&pid, binary, &actions, nil, argv, environ)
        guard spawned == 0 else { throw ServerFailure(message: "cannot start \(binary): errno \(spawned)") }
        let ready = PrometheusScrapeTests.eventually(90) { (try? self.query("SELECT 1")) == "1" || !self.isRunning }
        guard ready, isRunning else {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            stop()
            throw ServerFailure(message: "clickhouse-server did not start: \(text.suffix(2000))")
        }
    }

    struct ServerFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    var url: String { "http://127.0.0.1:\(httpPort)" }

    /// The answer to `sql` (TabSeparated), trimmed; throws ClickHouse's message on an error.
    @discardableResult
    func query(_ sql: String) throws -> String {
        guard let response = HTTP.request(port: httpPort, path: "/", body: Array(sql.utf8)) else {
            throw ServerFailure(message: "no answer from ClickHouse on port \(httpPort) to \(sql)")
        }
        guard response.status == 200 else { throw ServerFailure(message: "ClickHouse: \(response.status) \(response.body) for \(sql)") }
        // HTTP.request has removed any chunked framing (removing it twice emptied every answer).
        return response.body.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A number from `sql`.
    func count(_ sql: String) throws -> Int {
        let text = try query(sql)
        return try #require(Int(text), "not a number: '\(text)' for \(sql)")
    }

    /// Whether the server still runs (reaps it when it ended).
    var isRunning: Bool {
        guard pid > 0 else { return false }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid {
            pid = 0
            return false
        }
        return true
    }

    /// SIGTERM, then SIGKILL after 3 s (its data is thrown away anyway); waits for the end.
    func stop() {
        guard pid > 0 else { return }
        kill(pid, SIGTERM)
        for _ in 0..<30 where isRunning { usleep(100_000) }
        if pid > 0 {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            pid = 0
        }
    }

    deinit { stop() }
}

/// Events → ClickHouse: `logq export --to clickhouse` and `logq serve --export-clickhouse`
/// against a real ClickHouse 18.16 server (Debian's), rows checked by SQL against logq's own
/// answers; a crash mid-export resumed without a row missing or twice; a `Distributed` table
/// over two servers.
@Suite(
    "ClickHouse export (real clickhouse-server)", .serialized,
    .enabled(if: clickhouseRuns, "needs the built logq and clickhouse-server (apt-get install clickhouse-server)"))
struct ClickHouseTests {
    let binary = TestPaths.logqBinary ?? ""
    var gen: String { String(binary[..<binary.lastIndex(of: "/")!]) + "/logq-gen" }

    /// A store of the fixtures (k8s audit and CloudTrail) at `dir/data`.
    func fixtureStore(_ dir: TemporaryDirectory) -> String {
        let data = dir.path + "/data"
        let inputs = ServerIngestTests.files(under: TestPaths.fixtures + "/k8s-audit") + ServerIngestTests.files(under: TestPaths.fixtures + "/cloudtrail")
        let result = Shell.run(binary, ["ingest", "--data", data] + inputs)
        #expect(result.status == 0, "ingest: \(result.stderr)")
        return data
    }

    /// `logq … | count [by f]` as rows of cells (count first).
    func logqCounts(_ data: String, _ query: String) -> [[String]] {
        let result = Shell.run(binary, ["--data", data, "-o", "csv", query])
        #expect(result.status == 0, "logq -o csv '\(query)': \(result.stderr)")
        return result.stdout.split(whereSeparator: \.isNewline).dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    func logqCount(_ data: String, _ query: String) -> Int {
        Int(logqCounts(data, query + " | count").first?.first ?? "") ?? -1
    }

    func export(_ data: String, _ arguments: [String]) -> Shell.Result {
        Shell.run(binary, ["export", "--data", data, "--to", "clickhouse"] + arguments)
    }

    @Test("the fixtures exported to ClickHouse 18.16 are the rows logq answers, field by field")
    func exportsFixtures() throws {
        let dir = TemporaryDirectory("logq-ch")
        let data = fixtureStore(dir)
        let server = try ClickHouseServer(directory: dir.path + "/ch")
        defer { server.stop() }
        let checkpoint = dir.path + "/export.ckpt"
        let first = export(data, [server.url, "--create-table", "--batch", "7", "--checkpoint", checkpoint])
        #expect(first.status == 0, "export: \(first.stderr)")
        #expect(first.stderr.contains("logq: exported"), "no summary: \(first.stderr)")

        let total = logqCount(data, "")
        #expect(total > 20)
        #expect(try server.count("SELECT count() FROM logq.events") == total)
        // Per source and per verb, as logq counts them.
        for row in logqCounts(data, "| count by source") {
            #expect(try server.count("SELECT count() FROM logq.events WHERE source = '\(row[1])'") == Int(row[0]), "source \(row[1])")
        }
        for row in logqCounts(data, "| count by verb") where !row[1].isEmpty && row[1] != "-" {
            #expect(try server.count("SELECT count() FROM logq.events WHERE verb = '\(row[1])'") == Int(row[0]), "verb \(row[1])")
        }
        let errors = logqCount(data, "code>=400")
        #expect(errors > 0)
        #expect(try server.count("SELECT count() FROM logq.events WHERE code >= 400") == errors)

        // Spot checks: a k8s event and a CloudTrail event, original bytes and typed columns.
        for source in ["k8s-audit", "cloudtrail"] {
            let ids = Shell.run(binary, ["--data", data, "source=\(source) | fields id"]).stdout.split(whereSeparator: \.isNewline).map(String.init)
            let id = try #require(ids.dropFirst(ids.count / 2).first { !$0.isEmpty && $0 != "-" })
            let original = Shell.run(binary, ["--data", data, "-o", "ndjson", "id=\(id)"]).stdout.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            let raw = try server.query("SELECT raw FROM logq.events WHERE id = '\(id)' FORMAT JSONEachRow")
            let stored = try JSONSerialization.jsonObject(with: Data(raw.utf8)) as? [String: Any]
            #expect(stored?["raw"] as? String == original, "raw of \(source) event \(id)")
            let cells = Shell.run(binary, ["--data", data, "-o", "csv", "id=\(id) | fields user verb ns region"]).stdout.split(whereSeparator: \.isNewline).dropFirst().first ?? ""
            let columns = try server.query("SELECT user, verb, ns, region FROM logq.events WHERE id = '\(id)' FORMAT CSV")
            #expect(columns.replacingOccurrences(of: "\"", with: "") == cells.replacingOccurrences(of: "\"", with: ""), "\(source) event \(id)")
        }
        // The time columns: whole seconds in `time`, ns in `time_ns`, the same instant.
        #expect(try server.count("SELECT count() FROM logq.events WHERE toInt64(toUnixTimestamp(time)) != intDiv(time_ns, 1000000000)") == 0)
        // One token per batch of at least 7 rows (a batch ends where the time changes).
        let batches = try server.count("SELECT uniqExact(logq_batch) FROM logq.events")
        #expect(batches >= 2 && batches <= total / 7 + 1, "\(batches) batches for \(total) rows")

        // Again with the same checkpoint: nothing more to send.
        let again = export(data, [server.url, "--batch", "7", "--checkpoint", checkpoint])
        #expect(again.status == 0, "export again: \(again.stderr)")
        #expect(again.stderr.contains("exported 0 events"), "\(again.stderr)")
        #expect(try server.count("SELECT count() FROM logq.events") == total)
    }

    @Test("a batch left pending by a crash is looked up: found, it is not sent again; missing, it is")
    func pendingBatchIsSettled() throws {
        let dir = TemporaryDirectory("logq-ch")
        let data = fixtureStore(dir)
        let server = try ClickHouseServer(directory: dir.path + "/ch")
        defer { server.stop() }
        let checkpoint = dir.path + "/export.ckpt"
        let done = export(data, [server.url, "--create-table", "--batch", "10", "--checkpoint", checkpoint])
        #expect(done.status == 0, "export: \(done.stderr)")
        let total = try server.count("SELECT count() FROM logq.events")

        // The checkpoint as a crash after the last INSERT and before its acknowledgement left it.
        let last = try server.query("SELECT logq_batch, count(), toUnixTimestamp(min(time)), toUnixTimestamp(max(time)) FROM logq.events GROUP BY logq_batch ORDER BY max(time_ns) DESC LIMIT 1")
        let cells = last.split(separator: "\t").map(String.init)
        try #require(cells.count == 4, "last batch: \(last)")
        let token = cells[0]
        // Tokens read ID-START-END (positions: the time of the last event, ns).
        let parts = token.split(separator: "-").map(String.init)
        try #require(parts.count == 3, "token \(token)")
        var text = try String(contentsOfFile: checkpoint, encoding: .utf8)
        text = text.replacingOccurrences(of: "done \(parts[2])\n", with: "done \(parts[1])\npending \(token) \(cells[1]) \(parts[2]) \(cells[2]) \(cells[3])\n")
        try #require(text.contains("pending"), "the checkpoint does not end at the last batch: \(text)")
        try text.write(toFile: checkpoint, atomically: true, encoding: .utf8)

        let found = export(data, [server.url, "--batch", "10", "--checkpoint", checkpoint])
        #expect(found.status == 0, "\(found.stderr)")
        #expect(found.stderr.contains("already there"), "\(found.stderr)")
        #expect(try server.count("SELECT count() FROM logq.events") == total)

        // Pending again, but its rows gone (the insert never landed): they are sent again.
        try text.write(toFile: checkpoint, atomically: true, encoding: .utf8)
        try server.query("ALTER TABLE logq.events DELETE WHERE logq_batch = '\(token)'")
        let deleted = PrometheusScrapeTests.eventually(20) { (try? server.count("SELECT count() FROM logq.events")) == total - Int(cells[1])! }
        try #require(deleted, "the mutation did not remove batch \(token)")
        let resent = export(data, [server.url, "--batch", "10", "--checkpoint", checkpoint])
        #expect(resent.status == 0, "\(resent.stderr)")
        #expect(!resent.stderr.contains("already there"), "\(resent.stderr)")
        #expect(try server.count("SELECT count() FROM logq.events") == total)
        #expect(try server.count("SELECT count() FROM logq.events WHERE logq_batch = '\(token)'") == Int(cells[1]))
    }

    @Test("SIGKILL mid-export, then resume: every event once")
    func resumesAfterKill() throws {
        let dir = TemporaryDirectory("logq-ch")
        let generated = Shell.run(gen, ["--out", dir.path + "/gen", "--k8s", "40000", "--cloudtrail", "5000", "--hours", "2", "--no-plain"])
        try #require(generated.status == 0, "logq-gen: \(generated.stderr)")
        let data = dir.path + "/data"
        let ingested = Shell.run(binary, ["ingest", "--data", data, dir.path + "/gen"])
        try #require(ingested.status == 0, "ingest: \(ingested.stderr)")
        let total = logqCount(data, "")
        let server = try ClickHouseServer(directory: dir.path + "/ch")
        defer { server.stop() }
        let checkpoint = dir.path + "/export.ckpt"
        let arguments = ["export", "--data", data, "--to", "clickhouse", server.url, "--create-table", "--batch", "500", "--checkpoint", checkpoint]

        // Killed three times at different moments, each after some rows landed.
        var kills = 0
        for round in 0..<3 {
            let before = (try? server.count("SELECT count() FROM logq.events")) ?? 0
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
            process.standardOutput = Foundation.FileHandle.nullDevice
            process.standardError = Foundation.FileHandle.nullDevice
            try process.run()
            _ = PrometheusScrapeTests.eventually(60) {
                ((try? server.count("SELECT count() FROM logq.events")) ?? 0) > before + 2_000 * (round + 1) || !process.isRunning
            }
            usleep(UInt32(17_000 * (round + 1)))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            process.waitUntilExit()
        }
        #expect(kills >= 1, "the export ended before it could be killed")
        #expect(try server.count("SELECT count() FROM logq.events") < total || kills == 0)

        let resumed = Shell.run(binary, Array(arguments.filter { $0 != "--create-table" }))
        #expect(resumed.status == 0, "resume: \(resumed.stderr)")
        #expect(try server.count("SELECT count() FROM logq.events") == total)
        // None twice: each (source, id, stage, original) once, as the store holds them.
        #expect(try server.count("SELECT count() FROM (SELECT source, id, stage, raw, count() AS n FROM logq.events GROUP BY source, id, stage, raw HAVING n > 1)") == 0)
        #expect(try server.count("SELECT uniqExact(source, id, stage, raw) FROM logq.events") == total)
    }

    @Test("logq serve --export-clickhouse sends what is ingested over HTTP, and resumes after a restart without duplicates")
    func liveExport() throws {
        let dir = TemporaryDirectory("logq-ch")
        let data = fixtureStore(dir)
        let server = try ClickHouseServer(directory: dir.path + "/ch")
        defer { server.stop() }
        // The table, from an export of nothing.
        let created = export(data, [server.url, "--create-table", "--until", "2000-01-01"])
        try #require(created.status == 0, "\(created.stderr)")
        #expect(try server.count("SELECT count() FROM logq.events") == 0)
        let stored = logqCount(data, "")

        var serve = try ServerProcess(binary: binary, data: data, extra: ["--export-clickhouse", server.url], log: dir.path + "/serve.log")
        // What was stored before the server started (the journal from its first record).
        #expect(PrometheusScrapeTests.eventually(30) { (try? server.count("SELECT count() FROM logq.events")) == stored })
        let sent = HTTP.request(port: serve.port, path: "/v1/ingest/k8s-audit", body: ServerIngestTests.eventList(prefix: "live", count: 25), headers: ["Content-Type": "application/json"])
        #expect(sent?.status == 200)
        #expect(PrometheusScrapeTests.eventually(30) { (try? server.count("SELECT count() FROM logq.events WHERE id LIKE 'live-%'")) == 25 })
        #expect(try server.count("SELECT count() FROM logq.events WHERE id = 'live-3' AND verb = 'delete' AND ns = 'prod' AND resource = 'secrets'") == 1)
        // The export's counters on /metrics: every row ClickHouse holds, caught up, no retry.
        let exported = try server.count("SELECT count() FROM logq.events")
        let port = serve.port
        func metric(_ name: String) -> Double? { RemoteWriteTests.exposition(port)["__name__=" + name] }
        #expect(PrometheusScrapeTests.eventually(10) { metric("logq_clickhouse_export_events_total") == Double(exported) })
        #expect(metric("logq_clickhouse_export_batches_total").map { $0 >= 2 } == true, "the stored events and the 25 came in separate batches")
        #expect(metric("logq_clickhouse_export_retries_total") == 0)
        #expect(metric("logq_clickhouse_export_failures_total") == 0)
        #expect(PrometheusScrapeTests.eventually(10) { metric("logq_clickhouse_export_lag_seconds") == 0 })
        let lastSuccess = try #require(metric("logq_clickhouse_export_last_success_timestamp_seconds"))
        #expect(abs(lastSuccess - Date().timeIntervalSince1970) < 120, "last success at \(lastSuccess)")
        serve.signal(SIGTERM)
        #expect(serve.wait() == 0)

        // Restarted: nothing twice, and new events still arrive.
        serve = try ServerProcess(binary: binary, data: data, extra: ["--export-clickhouse", server.url], log: dir.path + "/serve2.log")
        defer {
            serve.signal(SIGTERM)
            _ = serve.wait()
        }
        let more = HTTP.request(port: serve.port, path: "/v1/ingest/k8s-audit", body: ServerIngestTests.eventList(prefix: "again", count: 5), headers: ["Content-Type": "application/json"])
        #expect(more?.status == 200)
        #expect(PrometheusScrapeTests.eventually(30) { (try? server.count("SELECT count() FROM logq.events WHERE id LIKE 'again-%'")) == 5 })
        usleep(500_000)
        #expect(try server.count("SELECT count() FROM logq.events") == stored + 30)
    }

    @Test("while ClickHouse cannot be reached, /metrics counts the retries and a growing lag, and nothing exported")
    func exportMetricsWhileUnreachable() throws {
        let dir = TemporaryDirectory("logq-ch")
        let data = fixtureStore(dir)
        // A loopback port nobody listens on.
        let url = "http://127.0.0.1:\(PrometheusScrapeTests.freePort())"
        let serve = try ServerProcess(binary: binary, data: data, extra: ["--export-clickhouse", url], log: dir.path + "/serve.log")
        defer {
            serve.signal(SIGTERM)
            _ = serve.wait()
        }
        let port = serve.port
        func metric(_ name: String) -> Double? { RemoteWriteTests.exposition(port)["__name__=" + name] }
        // Attempts at 0, 1 and 3 s: two retries within a few seconds.
        #expect(PrometheusScrapeTests.eventually(30) { (metric("logq_clickhouse_export_retries_total") ?? 0) >= 2 })
        let lag = try #require(metric("logq_clickhouse_export_lag_seconds"))
        #expect(lag >= 1, "lag \(lag) s while ClickHouse is down")
        #expect(PrometheusScrapeTests.eventually(10) { (metric("logq_clickhouse_export_lag_seconds") ?? 0) > lag })
        #expect(metric("logq_clickhouse_export_events_total") == 0)
        #expect(metric("logq_clickhouse_export_batches_total") == 0)
        #expect(metric("logq_clickhouse_export_failures_total") == 0)
        #expect(metric("logq_clickhouse_export_last_success_timestamp_seconds") == 0)
    }

    @Test("through a Distributed table over two ClickHouse servers, events spread over both shards, each once")
    func distributed() throws {
        let dir = TemporaryDirectory("logq-ch")
        let data = fixtureStore(dir)
        let second = try ClickHouseServer(directory: dir.path + "/ch2")
        defer { second.stop() }
        let firstTCP = PrometheusScrapeTests.freePort()
        let first = try ClickHouseServer(directory: dir.path + "/ch1", cluster: [firstTCP, second.tcpPort], tcpPort: firstTCP)
        defer { first.stop() }
        for shard in [first, second] {
            let created = export(data, [shard.url, "--create-table", "--until", "2000-01-01"])
            try #require(created.status == 0, "\(created.stderr)")
        }
        try first.query("CREATE TABLE logq.events_all AS logq.events ENGINE = Distributed(shards, logq, events, rand())")
        let exported = export(data, [first.url, "--table", "logq.events_all", "--batch", "5"])
        #expect(exported.status == 0, "\(exported.stderr)")
        let total = logqCount(data, "")
        let one = try first.count("SELECT count() FROM logq.events")
        let two = try second.count("SELECT count() FROM logq.events")
        #expect(one > 0 && two > 0, "shards hold \(one) and \(two)")
        #expect(one + two == total)
        #expect(try first.count("SELECT count() FROM logq.events_all") == total)
        #expect(try first.count("SELECT uniqExact(source, id, stage, raw) FROM logq.events_all") == total)
    }

    @Test("a current ClickHouse (chdb) loads logq's JSONEachRow into the documented table")
    func currentReleaseLoadsRows() throws {
        let python = "/usr/bin/env"
        let probe = Shell.run(python, ["python3", "-c", "import chdb"])
        guard probe.status == 0 else {
            #expect(!inCI, "CI=true but python3 has no chdb (pip install chdb): \(probe.stderr)")
            return
        }
        let dir = TemporaryDirectory("logq-ch")
        let data = fixtureStore(dir)
        let rows = Shell.run(binary, ["export", "--data", data, "--to", "clickhouse", "-"])
        try #require(rows.status == 0, "\(rows.stderr)")
        let file = dir.write("rows.jsonl", Array(rows.stdout.utf8))
        let docs = try String(contentsOfFile: TestPaths.packageRoot + "/docs/clickhouse.md", encoding: .utf8)
        let ddl = try #require(
            docs.components(separatedBy: "```sql\n").dropFirst().map { $0.components(separatedBy: "```").first ?? "" }.first { $0.contains("LowCardinality") },
            "docs/clickhouse.md has no CREATE TABLE with LowCardinality columns")
        let script = """
            import sys
            from chdb import session
            s = session.Session(sys.argv[1])
            s.query("CREATE DATABASE IF NOT EXISTS logq")
            s.query(open(sys.argv[2]).read())
            s.query("INSERT INTO logq.events SELECT * FROM file('" + sys.argv[3] + "', JSONEachRow) SETTINGS date_time_input_format='best_effort'")
            print(s.query("SELECT count(), countIf(code >= 400), uniqExact(logq_batch), countIf(toInt64(toUnixTimestamp(time)) = intDiv(time_ns, 1000000000)) FROM logq.events", "TabSeparated"))
            """
        let ddlFile = dir.write("create.sql", Array(ddl.utf8))
        let scriptFile = dir.write("load.py", Array(script.utf8))
        let loaded = Shell.run(python, ["python3", scriptFile, dir.path + "/chdb", ddlFile, file])
        try #require(loaded.status == 0, "chdb: \(loaded.stderr.suffix(2000))")
        let cells = loaded.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\t").map { Int($0) ?? -1 }
        let total = logqCount(data, "")
        #expect(cells == [total, logqCount(data, "code>=400"), 1, total], "chdb answered \(loaded.stdout)")
    }
}
