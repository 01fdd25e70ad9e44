import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `prometheus` on PATH (or at /usr/bin/prometheus), if installed.
private let prometheusPath: String? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    let candidates = path.split(separator: ":").map { $0 + "/prometheus" } + ["/usr/bin/prometheus"]
    return candidates.first { access($0, X_OK) == 0 }
}()

/// A real Prometheus scrapes a real `logq serve`: the values it stores for the event metrics,
/// a saved-query rule and logq's own health metrics are the numbers of events sent over HTTP,
/// and the README's alert rule, loaded by that Prometheus, fires.
///
/// Skipped when `prometheus` is not installed (`apt-get install -y prometheus`).
@Suite("Prometheus scrapes logq serve", .serialized)
struct PrometheusScrapeTests {
    /// A free loopback TCP port (bound, read, released).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 ? getsockname(fd, pointer, &length) : -1
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The alert rule file of the README's Metrics section (its yaml block with `groups:`).
    static func readmeAlertRules() -> String? {
        guard let readme = try? String(contentsOfFile: TestPaths.packageRoot + "/README.md", encoding: .utf8) else { return nil }
        for block in readme.components(separatedBy: "```yaml\n").dropFirst() {
            let body = block.components(separatedBy: "```").first ?? ""
            if body.contains("groups:"), body.contains("logq_rule_matches_total") { return body }
        }
        return nil
    }

    /// A GET answered 200 by Prometheus: its body (``HTTP/request`` already removed any chunked framing).
    static func get(_ port: Int, _ path: String) -> String? {
        guard let response = HTTP.request(port: port, method: "GET", path: path), response.status == 200 else { return nil }
        return response.body
    }

    /// The samples of an instant query: label sets and values.
    static func query(_ port: Int, _ promql: String) -> [(labels: [String: String], value: Double)] {
        let encoded = promql.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        guard let body = get(port, "/api/v1/query?query=\(encoded)"),
            let json = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
            let data = json["data"] as? [String: Any], let result = data["result"] as? [[String: Any]]
        else { return [] }
        return result.compactMap { sample -> (labels: [String: String], value: Double)? in
            guard let value = sample["value"] as? [Any], value.count == 2, let text = value[1] as? String, let number = Double(text) else {
                return nil
            }
            return (labels: sample["metric"] as? [String: String] ?? [:], value: number)
        }
    }

    /// Polls `condition` every 200 ms for up to `seconds`; whether it became true.
    static func eventually(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(200_000)
        }
        return condition()
    }

    /// The one value of `promql` once it equals `expected` (or the last value seen, for the message).
    static func settle(_ port: Int, _ promql: String, to expected: Double, within seconds: Double = 15) -> Double? {
        var last: Double?
        _ = eventually(seconds) {
            last = query(port, promql).first?.value
            return last == expected
        }
        return last
    }

    /// Secret deletions in namespace `promtest`, answered `code`.
    static func deletions(prefix: String, count: Int, code: Int) -> [UInt8] {
        let items = (0..<count).map { k in
            EventBuilder.k8sLine(
                auditID: "\(prefix)-\(k)", verb: "delete", user: "system:serviceaccount:promtest:cleaner", resource: "secrets",
                namespace: "promtest", name: "s\(k)", time: "2026-11-24T11:\(String(format: "%02d", k % 60)):00.000000Z", code: code)
        }
        return Array(#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":["#.utf8)
            + Array(items.joined(separator: ",").utf8) + Array("]}".utf8)
    }

    @Test(
        "Prometheus stores what was sent; the README alert fires",
        .enabled(if: TestPaths.logqBinary != nil, "needs the built logq (swift build)"),
        .enabled(if: prometheusPath != nil, "prometheus is not installed (apt-get install -y prometheus)"))
    func scrapeAndAlert() throws {
        let binary = TestPaths.logqBinary!
        let dir = TemporaryDirectory("logq-prom")
        let data = dir.path + "/data"
        // A store of the fixtures; none of them is a secret deletion in promtest, nor answered 202 or 409.
        let fixtures = ServerIngestTests.files(under: TestPaths.fixtures + "/k8s-audit")
            + ServerIngestTests.files(under: TestPaths.fixtures + "/cloudtrail")
        #expect(Shell.run(binary, ["ingest", "--data", data] + fixtures).status == 0)
        #expect(Shell.run(binary, ["--data", data, "ns=promtest | fields id"]).stdout.isEmpty)
        #expect(Shell.run(binary, ["--data", data, "verb=delete resource=secrets code=202,409 | fields id"]).stdout.isEmpty)

        let rules = dir.write("logq-rules.txt", Array("secret_deleted: verb=delete resource=secrets ns=promtest\n".utf8))
        let server = try ServerProcess(binary: binary, data: data, extra: ["--rules", rules], log: dir.path + "/serve.log")
        defer {
            server.signal(SIGTERM)
            _ = server.wait()
        }

        let alerts = try #require(Self.readmeAlertRules(), "README.md has no alert rule example (a yaml block with groups:)")
        let alertFile = dir.write("alerts.yml", Array(alerts.utf8))
        let promPort = Self.freePort()
        let config = """
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            rule_files: ["\(alertFile)"]
            scrape_configs:
              - job_name: logq
                static_configs:
                  - targets: ["127.0.0.1:\(server.port)"]
            """
        let configFile = dir.write("prometheus.yml", Array(config.utf8))
        let prometheus = Process()
        prometheus.executableURL = URL(fileURLWithPath: prometheusPath!)
        prometheus.arguments = [
            "--config.file=\(configFile)", "--storage.tsdb.path=\(dir.path)/tsdb",
            "--web.listen-address=127.0.0.1:\(promPort)",
        ]
        let promLog = dir.path + "/prometheus.log"
        _ = FileManager.default.createFile(atPath: promLog, contents: nil)
        prometheus.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: promLog))
        prometheus.standardOutput = FileHandle.nullDevice
        try prometheus.run()
        defer {
            prometheus.terminate()
            prometheus.waitUntilExit()
        }
        func promLogText() -> String { (try? String(contentsOfFile: promLog, encoding: .utf8)) ?? "" }

        // The rule's series exists at 0 before anything is sent, so increase() sees the deletions.
        let zero = Self.settle(promPort, #"logq_rule_matches_total{rule="secret_deleted"}"#, to: 0, within: 30)
        try #require(zero == 0, "Prometheus never scraped logq_rule_matches_total 0: \(promLogText().suffix(2000))")
        #expect(Self.query(promPort, #"up{job="logq"}"#).first?.value == 1)

        let headers = ["Content-Type": "application/json"]
        let accepted = HTTP.request(port: server.port, path: "/v1/ingest/k8s-audit", body: Self.deletions(prefix: "pa", count: 7, code: 202), headers: headers)
        let denied = HTTP.request(port: server.port, path: "/v1/ingest/k8s-audit", body: Self.deletions(prefix: "pd", count: 3, code: 409), headers: headers)
        let again = HTTP.request(port: server.port, path: "/v1/ingest/k8s-audit", body: Self.deletions(prefix: "pd", count: 3, code: 409), headers: headers)
        #expect(accepted?.status == 200)
        #expect(denied?.status == 200)
        #expect(again?.status == 200)

        // Event metrics: the rule and the API-server request counter.
        #expect(Self.settle(promPort, #"logq_rule_matches_total{rule="secret_deleted"}"#, to: 10) == 10)
        #expect(Self.settle(promPort, #"sum(apiserver_request_total{verb="DELETE",resource="secrets",code="202"})"#, to: 7) == 7)
        #expect(Self.settle(promPort, #"sum(apiserver_request_total{verb="DELETE",resource="secrets",code="409"})"#, to: 3) == 3)
        // logq's own health: counted from this process's start (the fixtures came in by the CLI).
        #expect(Self.settle(promPort, #"logq_ingest_events_total{source="k8s-audit"}"#, to: 10) == 10)
        #expect(Self.settle(promPort, #"logq_ingest_duplicates_total{source="k8s-audit"}"#, to: 3) == 3)
        #expect(Self.settle(promPort, #"logq_http_requests_total{route="/v1/ingest/k8s-audit",code="200"}"#, to: 3) == 3)
        #expect(Self.settle(promPort, "logq_commit_duration_seconds_count", to: 3) == 3)
        #expect(Self.settle(promPort, "logq_fsync_failures_total", to: 0) == 0)
        #expect((Self.query(promPort, "logq_store_segments").first?.value ?? 0) >= 1)

        // The README's alert, evaluated by this Prometheus on what it scraped.
        var state = ""
        let fired = Self.eventually(20) {
            guard let body = Self.get(promPort, "/api/v1/alerts") else { return false }
            guard body.contains("\"alertname\":\"SecretDeleted\"") else { return false }
            state = body.contains("\"state\":\"firing\"") ? "firing" : body.contains("\"state\":\"pending\"") ? "pending" : ""
            return state == "firing"
        }
        #expect(fired, "SecretDeleted is not firing (state \(state.isEmpty ? "none" : state)); prometheus log: \(promLogText().suffix(2000))")
    }
}
