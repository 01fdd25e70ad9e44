import Foundation
import Testing
import TestSupport

/// `logq metrics`, run as the built binary (skipped, passing, when it is not built).
@Suite("logq metrics command")
struct MetricsCommandTests {
    static let lines = [
        k8sLine("m1", verb: "delete", user: "alice", resource: "secrets", namespace: "shop", name: "a", millis: 20),
        k8sLine("m2", verb: "delete", user: "alice", resource: "secrets", namespace: "ops", name: "b", millis: 20),
        k8sLine("m3", verb: "get", user: "bob", resource: "pods", namespace: "shop", name: "c", code: 403, millis: 20),
    ]

    @Test("one family as CSV: the series and their values")
    func csv() throws {
        guard let logq = TestPaths.logqBinary else { return }
        let (temp, directory) = try store(lines: Self.lines)
        _ = temp
        let run = Shell.run(logq, ["--data", directory.path, "metrics", "--metric", "apiserver_request_total", "-o", "csv"])
        #expect(run.status == 0, "\(run.stderr)")
        // --metric is a prefix of the family name (counters are named without _total).
        let run2 = Shell.run(logq, ["--data", directory.path, "metrics", "--metric", "apiserver_request", "-o", "csv", "resource=secrets"])
        #expect(run2.status == 0, "\(run2.stderr)")
        let rows = run2.stdout.split(separator: "\r\n").map(String.init)
        #expect(rows.first == "metric,labels,value")
        #expect(rows.contains(#"apiserver_request,"verb=DELETE,resource=secrets,subresource=,scope=resource,code=200",2"#))
        #expect(rows.contains(#"apiserver_request_duration_seconds_count,"verb=DELETE,resource=secrets,subresource=,scope=resource",2"#))
        #expect(rows.contains(#"apiserver_request_duration_seconds_sum,"verb=DELETE,resource=secrets,subresource=,scope=resource",0.04"#))
        #expect(!rows.contains { $0.contains("resource=pods") })
    }

    @Test("a rule of --rules by name, in windows of event time, as JSON")
    func ruleWindows() throws {
        guard let logq = TestPaths.logqBinary else { return }
        let (temp, directory) = try store(lines: Self.lines)
        let rules = temp.write("rules.txt", text: "secret_deleted: verb=delete resource=secrets by ns\n")
        let run = Shell.run(logq, ["--data", directory.path, "metrics", "--rules", rules, "secret_deleted", "every", "1h", "-o", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 2)
        #expect(rows.allSatisfy { $0["metric"] as? String == "logq_rule_matches" && $0["window"] as? String == "2026-11-24T10:00:00Z" })
        #expect(Set(rows.compactMap { $0["labels"] as? String }) == ["rule=secret_deleted,ns=shop", "rule=secret_deleted,ns=ops"])
        #expect(rows.allSatisfy { $0["value"] as? Int == 1 })
    }

    @Test("-o prom passes promtool; a bad rules file exits 2 naming file and line")
    func promAndErrors() throws {
        guard let logq = TestPaths.logqBinary else { return }
        let (temp, directory) = try store(lines: Self.lines)
        let prom = Shell.run(logq, ["--data", directory.path, "metrics", "-o", "prom"])
        #expect(prom.status == 0)
        #expect(prom.stdout.contains(#"logq_apiserver_requests_denied_total{user_class="human"} 1"#))
        if let promtool {
            let check = Shell.run(promtool, ["check", "metrics"], stdin: Array(prom.stdout.utf8))
            #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        }
        let bad = temp.write("bad.txt", text: "# fine\nok: verb=get\nbroken verb=get\n")
        let run = Shell.run(logq, ["--data", directory.path, "metrics", "--rules", bad])
        #expect(run.status == 2)
        #expect(run.stderr.contains("bad.txt:3:1"), "\(run.stderr)")
    }
}
