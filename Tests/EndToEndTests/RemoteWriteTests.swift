import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `prometheus` on PATH (or at /usr/bin/prometheus), if installed.
private let prometheusBinary: String? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    let candidates = path.split(separator: ":").map { $0 + "/prometheus" } + ["/usr/bin/prometheus"]
    return candidates.first { access($0, X_OK) == 0 }
}()

/// In CI (`CI` set) a missing binary or Prometheus fails the test instead of skipping it.
private let inCI = ProcessInfo.processInfo.environment["CI"] != nil

/// A Prometheus that receives remote write on a loopback port, storing in `storage`.
private final class RemoteWriteReceiver {
    let port: Int
    let storage: String
    let logPath: String
    private var process: Process?

    init(port: Int, storage: String, log: String) throws {
        self.port = port
        self.storage = storage
        logPath = log
        try start()
    }

    /// Starts Prometheus (again, on the same port and storage) and waits until it is ready.
    func start() throws {
        let config = storage + ".yml"
        try "global:\n  evaluation_interval: 1m\n".write(toFile: config, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: prometheusBinary!)
        process.arguments = [
            "--config.file=\(config)", "--storage.tsdb.path=\(storage)", "--web.listen-address=127.0.0.1:\(port)",
            "--web.enable-remote-write-receiver",
        ]
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        handle.seekToEndOfFile()
        process.standardError = handle
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        self.process = process
        let ready = PrometheusScrapeTests.eventually(30) { PrometheusScrapeTests.get(port, "/-/ready") != nil }
        guard ready else { throw Failure(description: "Prometheus did not become ready: \(log(tail: 2000))") }
    }

    /// SIGTERM, and waits for the exit (the TSDB is closed cleanly).
    func stop() {
        guard let process else { return }
        process.terminate()
        process.waitUntilExit()
        self.process = nil
    }

    func log(tail: Int) -> String {
        String(((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").suffix(tail))
    }

    /// The samples of an instant query at `time` (epoch seconds; now when nil).
    func query(_ promql: String, at time: Double? = nil) -> [(labels: [String: String], value: Double)] {
        guard let time else { return PrometheusScrapeTests.query(port, promql) }
        let encoded = promql.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        guard let body = PrometheusScrapeTests.get(port, "/api/v1/query?query=\(encoded)&time=\(String(format: "%.3f", time))"),
            let json = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
            let data = json["data"] as? [String: Any], let result = data["result"] as? [[String: Any]]
        else { return [] }
        return result.compactMap { sample in
            guard let value = sample["value"] as? [Any], value.count == 2, let text = value[1] as? String, let number = Double(text) else { return nil }
            return (labels: sample["metric"] as? [String: String] ?? [:], value: number)
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }
}

/// `logq serve --remote-write` pushing to a real Prometheus (`--web.enable-remote-write-receiver`):
/// what Prometheus stores is what logq's `/metrics` shows; while Prometheus is down the newest
/// snapshots are buffered and arrive after its restart at their own timestamps, and the ones a
/// tiny buffer could not keep are counted in `logq_remote_write_samples_dropped_total`.
@Suite("Remote write to Prometheus (the built binary)", .serialized)
struct RemoteWriteTests {
    /// The samples of logq's `/metrics` (text 0.0.4), keyed by their label set.
    static func exposition(_ port: Int) -> [String: Double] {
        guard let response = HTTP.request(port: port, method: "GET", path: "/metrics"), response.status == 200 else { return [:] }
        var out: [String: Double] = [:]
        for line in response.body.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            let series = line[..<space]
            var labels: [String: String] = [:]
            if let brace = series.firstIndex(of: "{") {
                labels["__name__"] = String(series[..<brace])
                // Label values of the event metrics here hold no `"`, `,` or `\`; parse simply.
                for pair in series[series.index(after: brace)..<series.index(before: series.endIndex)].split(separator: ",") {
                    guard let eq = pair.firstIndex(of: "=") else { continue }
                    let value = String(pair[pair.index(eq, offsetBy: 2)..<pair.index(before: pair.endIndex)])
                    if !value.isEmpty { labels[String(pair[..<eq])] = value }
                }
            } else {
                labels["__name__"] = String(series)
            }
            let text = line[line.index(after: space)...]
            out[Self.key(labels)] = text == "+Inf" ? .infinity : Double(text)
        }
        return out
    }

    static func key(_ labels: [String: String]) -> String {
        labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    /// Series that come from the store (not from this process' requests), which stay put while nothing is ingested.
    static func fromStore(_ key: String) -> Bool {
        !key.contains("__name__=logq_http_") && !key.contains("__name__=logq_remote_write_") && !key.contains("__name__=logq_store_")
            && !key.contains("__name__=logq_commit_") && !key.contains("__name__=logq_tail_")
    }

    @Test(
        "Prometheus stores logq's series; buffered snapshots arrive after its restart, dropped ones are counted",
        .enabled(if: TestPaths.logqBinary != nil || inCI, "needs the built logq (swift build)"),
        .enabled(if: prometheusBinary != nil || inCI, "prometheus is not installed (apt-get install -y prometheus)"))
    func pushAndRestart() throws {
        let binary = try #require(TestPaths.logqBinary, "the logq binary is not built")
        try #require(prometheusBinary != nil, "prometheus is not installed")
        let dir = TemporaryDirectory("logq-rw")
        let data = dir.path + "/data"
        let fixtures = ServerIngestTests.files(under: TestPaths.fixtures + "/k8s-audit")
            + ServerIngestTests.files(under: TestPaths.fixtures + "/cloudtrail")
        #expect(Shell.run(binary, ["ingest", "--data", data] + fixtures).status == 0)

        let promPort = PrometheusScrapeTests.freePort()
        let prometheus = try RemoteWriteReceiver(port: promPort, storage: dir.path + "/tsdb", log: dir.path + "/prometheus.log")
        defer { prometheus.stop() }
        let server = try ServerProcess(
            binary: binary, data: data,
            extra: [
                "--remote-write", "http://127.0.0.1:\(promPort)/api/v1/write", "--remote-write-interval", "1s",
                "--remote-write-buffer", "8",
            ],
            log: dir.path + "/serve.log")
        var serverStopped = false
        defer {
            if !serverStopped {
                server.signal(SIGTERM)
                _ = server.wait()
            }
        }
        func serveLog() -> String { String(((try? String(contentsOfFile: server.logPath, encoding: .utf8)) ?? "").suffix(3000)) }

        // 1. Every series that comes from the store is in Prometheus with /metrics' value.
        // (/metrics read again each time: the restore from the store may still be running at first.)
        var exposed: [String: Double] = [:]
        var stored: [String: Double] = [:]
        let arrived = PrometheusScrapeTests.eventually(90) {
            exposed = Self.exposition(server.port).filter { Self.fromStore($0.key) }
            stored = [:]
            for sample in prometheus.query(#"{__name__=~".+"}"#) { stored[Self.key(sample.labels)] = sample.value }
            return exposed.count > 50 && exposed.allSatisfy { stored[$0.key] == $0.value }
        }
        let missing = exposed.filter { stored[$0.key] != $0.value }.prefix(5).map { "\($0.key) = \($0.value), Prometheus: \(stored[$0.key].map { "\($0)" } ?? "none")" }
        try #require(exposed.count > 50, "logq's /metrics shows only \(exposed.count) series from the store")
        #expect(exposed.keys.contains { $0.contains("__name__=apiserver_request_duration_seconds_bucket") && $0.contains("le=+Inf") })
        #expect(arrived, "series not in Prometheus as on /metrics: \(missing); serve log: \(serveLog()); prometheus: \(prometheus.log(tail: 1500))")
        // (The first snapshot carries the count before its own delivery: 0.)
        #expect(PrometheusScrapeTests.eventually(10) { prometheus.query("logq_remote_write_samples_sent_total").first.map { $0.value > 0 } == true })

        // 2. Prometheus stops; events arrive at logq meanwhile.
        let before = try #require(prometheus.query("sum(logq_events_total)").first?.value)
        prometheus.stop()
        let downAt = Date().timeIntervalSince1970
        let body = PrometheusScrapeTests.deletions(prefix: "rw", count: 5, code: 200)
        let answer = HTTP.request(port: server.port, path: "/v1/ingest/k8s-audit", body: body, headers: ["Content-Type": "application/json"])
        #expect(answer?.status == 200)
        let after = before + 5
        #expect(PrometheusScrapeTests.eventually(10) { Self.exposition(server.port)[Self.key(["__name__": "logq_ingest_events_total", "source": "k8s-audit"])] == 5 })
        // Long enough for more snapshots than the buffer of 8 holds. The writer learns that
        // Prometheus is back at its next retry (backoff up to 5 s), and keeps the 8 newest
        // snapshots then, so at least the last ~2 s before the restart are among them.
        usleep(12_000_000)
        let dropped = Self.exposition(server.port)[Self.key(["__name__": "logq_remote_write_samples_dropped_total"])] ?? 0
        #expect(dropped > 0, "nothing counted as dropped after 12 s down with a buffer of 8: \(serveLog())")
        let upAt = Date().timeIntervalSince1970

        // 3. Prometheus is back (same storage): the buffered snapshots arrive at their own timestamps.
        try prometheus.start()
        #expect(PrometheusScrapeTests.eventually(20) { prometheus.query("sum(logq_events_total)").first?.value == after })
        // Queried at the moment of the restart, the newest sample is one taken while Prometheus was down.
        let atRestart = prometheus.query("sum(logq_events_total)", at: upAt).first?.value
        #expect(atRestart == after, "at \(upAt) (before the restart) Prometheus has \(atRestart.map { "\($0)" } ?? "nothing"), not \(after); serve log: \(serveLog()); prometheus: \(prometheus.log(tail: 3000))")
        let window = Int((upAt - downAt).rounded(.down))
        let taken = prometheus.query("count_over_time(logq_ingest_events_total{source=\"k8s-audit\"}[\(window)s])", at: upAt).first?.value ?? 0
        // Some of the 8 buffered snapshots (and one that was in flight), out of the ~12 taken while down.
        #expect(taken >= 1 && taken <= 9, "\(taken) samples stored from the \(window) s Prometheus was down")
        // Prometheus' dropped count is logq's (the counter is among the series pushed).
        #expect(PrometheusScrapeTests.eventually(10) {
            prometheus.query("logq_remote_write_samples_dropped_total").first?.value
                == Self.exposition(server.port)[Self.key(["__name__": "logq_remote_write_samples_dropped_total"])]
        })

        // 4. SIGTERM: one last push, then exit 0.
        server.signal(SIGTERM)
        #expect(server.wait() == 0)
        serverStopped = true
        #expect(!serveLog().contains("not delivered"), "\(serveLog())")
    }
}

/// `logq serve --remote-write https://…` to a real Prometheus serving TLS (`--web.config.file`
/// with `tls_server_config`), its certificate made by openssl and trusted with
/// `--remote-write-cacert`.
@Suite("Remote write over TLS (the built binary)", .serialized)
struct RemoteWriteTLSTests {
    /// The body of `url` over https, trusting `caFile` (Python's ssl: another TLS client than
    /// logq's); nil on any failure.
    static func httpsGet(_ url: String, caFile: String) -> String? {
        let script = "import ssl,sys,urllib.request\nctx=ssl.create_default_context(cafile=sys.argv[2])\nsys.stdout.write(urllib.request.urlopen(sys.argv[1],context=ctx,timeout=5).read().decode())"
        let result = Shell.run("/usr/bin/env", ["python3", "-c", script, url, caFile])
        return result.status == 0 ? result.stdout : nil
    }

    @Test(
        "samples arrive in a Prometheus that only speaks https; a CA file for an http:// URL, or one that is not there, is refused at start",
        .enabled(if: TestPaths.logqBinary != nil || inCI, "needs the built logq (swift build)"),
        .enabled(if: prometheusBinary != nil || inCI, "prometheus is not installed (apt-get install -y prometheus)"))
    func pushOverTLS() throws {
        let binary = try #require(TestPaths.logqBinary, "the logq binary is not built")
        let prometheusPath = try #require(prometheusBinary, "prometheus is not installed")
        let dir = TemporaryDirectory("logq-rw-tls")
        let (cert, key) = ServerTLSTests().certificate(in: dir.path)
        let data = dir.path + "/data"
        #expect(Shell.run(binary, ["ingest", "--data", data] + ServerIngestTests.files(under: TestPaths.fixtures + "/k8s-audit")).status == 0)

        let port = PrometheusScrapeTests.freePort()
        try "global:\n  evaluation_interval: 1m\n".write(toFile: dir.path + "/prometheus.yml", atomically: true, encoding: .utf8)
        try "tls_server_config:\n  cert_file: \(cert)\n  key_file: \(key)\n".write(toFile: dir.path + "/web.yml", atomically: true, encoding: .utf8)
        let prometheus = Process()
        prometheus.executableURL = URL(fileURLWithPath: prometheusPath)
        prometheus.arguments = [
            "--config.file=\(dir.path)/prometheus.yml", "--storage.tsdb.path=\(dir.path)/tsdb", "--web.listen-address=127.0.0.1:\(port)",
            "--web.enable-remote-write-receiver", "--web.config.file=\(dir.path)/web.yml",
        ]
        prometheus.standardOutput = FileHandle.nullDevice
        prometheus.standardError = FileHandle.nullDevice
        try prometheus.run()
        defer {
            prometheus.terminate()
            prometheus.waitUntilExit()
        }
        let base = "https://127.0.0.1:\(port)"
        try #require(PrometheusScrapeTests.eventually(60) { Self.httpsGet(base + "/-/ready", caFile: cert) != nil }, "Prometheus did not become ready over https")
        // Plain http is not answered as Prometheus' API: the receiver really is TLS only.
        #expect(PrometheusScrapeTests.get(port, "/-/ready") == nil)

        let server = try ServerProcess(
            binary: binary, data: data,
            extra: ["--remote-write", base + "/api/v1/write", "--remote-write-cacert", cert, "--remote-write-interval", "1s"],
            log: dir.path + "/serve.log")
        defer {
            server.signal(SIGTERM)
            _ = server.wait()
        }
        let query = base + "/api/v1/query?query=" + (#"sum(logq_events_total{source="k8s-audit"})"#.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        let stored = Shell.run(binary, ["--data", data, "-o", "csv", "| count"]).stdout.split(whereSeparator: \.isNewline).dropFirst().first.map(String.init) ?? "?"
        var answer = ""
        let arrived = PrometheusScrapeTests.eventually(60) {
            answer = Self.httpsGet(query, caFile: cert) ?? ""
            return answer.contains("\"\(stored)\"")
        }
        let log = { (try? String(contentsOfFile: server.logPath, encoding: .utf8)) ?? "" }
        #expect(arrived, "Prometheus over https has \(answer), not \(stored) k8s events; serve log: \(log().suffix(2000))")

        // Refused at start, with the option named.
        let plain = Shell.run(binary, ["serve", "--data", data, "--listen", "127.0.0.1:0", "--remote-write", "http://127.0.0.1:\(port)/api/v1/write", "--remote-write-cacert", cert])
        #expect(plain.status != 0 && plain.stderr.contains("--remote-write-cacert is for an https:// receiver"), "\(plain.stderr)")
        let missing = Shell.run(binary, ["serve", "--data", data, "--listen", "127.0.0.1:0", "--remote-write", base + "/api/v1/write", "--remote-write-cacert", dir.path + "/none.pem"])
        #expect(missing.status != 0 && missing.stderr.contains("cannot read --remote-write-cacert"), "\(missing.stderr)")
    }
}
