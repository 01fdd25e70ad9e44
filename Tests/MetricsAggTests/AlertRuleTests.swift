import Foundation
@testable import MetricsAgg
import Testing
import TestSupport

/// The alert rule docs/metrics.md shows fires on logq's own rule counter, checked with
/// `promtool test rules` (skipped, passing, when promtool is not installed).
@Suite("Alert rule on a saved query")
struct AlertRuleTests {
    /// The alerting rule, exactly as docs/metrics.md shows it.
    static let alerts = """
        groups:
          - name: logq
            rules:
              - alert: SecretDeleted
                expr: increase(logq_rule_matches_total{rule="secret_deleted"}[5m]) > 0
                labels:
                  severity: page
                annotations:
                  summary: "A Kubernetes secret was deleted"

        """

    @Test("docs/metrics.md shows this rule")
    func documented() throws {
        let docs = try String(contentsOfFile: TestPaths.packageRoot + "/docs/metrics.md", encoding: .utf8)
        #expect(docs.contains(Self.alerts))
    }

    @Test("SecretDeleted fires once the counter logq serves rises, and not before")
    func fires() throws {
        let rules = try RuleFile.parse("secret_deleted: verb=delete resource=secrets", file: "rules")
        // Scrapes of a service whose store gets two secret deletions after the second scrape.
        let (temp, directory) = try store(lines: [k8sLine("x0", verb: "get", user: "a", resource: "secrets", namespace: "shop", name: "db")])
        let service = MetricsService(rules: rules, pollInterval: 0.02)
        service.start(directory: directory)
        defer { service.stop() }
        #expect(service.waitUntilRestored(seconds: 30))
        let key = #"logq_rule_matches_total{rule="secret_deleted"}"#
        var values: [Double] = []
        for scrape in 0..<5 {
            if scrape == 2 {
                try ingest(lines: [k8sLine("x1", verb: "delete", user: "a", resource: "secrets", namespace: "shop", name: "db"),
                                   k8sLine("x2", verb: "delete", user: "a", resource: "secrets", namespace: "ops", name: "db")], into: directory, temp: temp)
                #expect(MetricsServiceTests.waitFor(30) { MetricsServiceTests.sample(service.render(accept: nil).body, key) == 2 })
            }
            values.append(try #require(MetricsServiceTests.sample(service.render(accept: nil).body, key)))
        }
        #expect(values == [0, 0, 2, 2, 2])
        guard let promtool else {
            print("AlertRuleTests: promtool is not installed (apt-get install -y prometheus); the rule test is skipped")
            return
        }
        let series = values.map { String(Int($0)) }.joined(separator: " ")
        _ = temp.write("alerts.yml", text: Self.alerts)
        let test = temp.write("alerts_test.yml", text: """
            rule_files:
              - alerts.yml
            evaluation_interval: 1m
            tests:
              - interval: 1m
                input_series:
                  - series: '\(key)'
                    values: '\(series)'
                alert_rule_test:
                  - eval_time: 1m
                    alertname: SecretDeleted
                    exp_alerts: []
                  - eval_time: 3m
                    alertname: SecretDeleted
                    exp_alerts:
                      - exp_labels: {severity: page, rule: secret_deleted}
                        exp_annotations: {summary: "A Kubernetes secret was deleted"}

            """)
        let result = Shell.run(promtool, ["test", "rules", test])
        #expect(result.status == 0, "promtool test rules: \(result.stdout)\(result.stderr)")
    }
}
