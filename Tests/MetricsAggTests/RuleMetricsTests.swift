import Foundation
@testable import MetricsAgg
import Testing

@Suite("Saved-query rules")
struct RuleMetricsTests {
    static let file = """
        # Alerts on these in Prometheus.
        secret_deleted: verb=delete resource=secrets by ns
        denied: code=403 by user, resource
          s3_denied: source=cloudtrail service=s3.amazonaws.com error=AccessDenied
        exec_in_prod: subresource=exec ns=prod-*

        """

    @Test("a rules file: name, filter, optional by-fields; comments, blank lines and indentation ignored")
    func parse() throws {
        let rules = try RuleFile.parse(Self.file, file: "rules.txt")
        #expect(rules.map(\.name) == ["secret_deleted", "denied", "s3_denied", "exec_in_prod"])
        #expect(rules[0].queryText == "verb=delete resource=secrets")
        #expect(rules[0].by.map(\.description) == ["ns"])
        #expect(rules[1].by.map(\.description) == ["user", "resource"])
        #expect(rules[2].by.isEmpty)
    }

    @Test("bad rules name the file, line and column and say what was expected", arguments: [
        ("no colon here", "rules.txt:1:1", "no ':'"),
        ("9lives: verb=get", "rules.txt:1:1", "rule name"),
        ("x: verb=get | count", "rules.txt:1:4", "without '|' pipes"),
        ("x: verb=get since=1h", "rules.txt:1:4", "drop since="),
        ("x: verb=(get", "rules.txt:1:9", "does not parse"),
        ("x: verb=get by nosuchfield", "rules.txt:1:4", "unknown field \"nosuchfield\""),
        ("x: verb=get\nx: verb=list", "rules.txt:2:1", "defined twice"),
    ])
    func errors(text: String, location: String, expected: String) {
        do {
            _ = try RuleFile.parse(text, file: "rules.txt")
            Issue.record("expected an error for \(text)")
        } catch {
            #expect(error.code == .badRule)
            #expect(error.message.contains(location), "\(error.message)")
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }

    @Test("logq_rule_matches_total counts matching events by the rule's fields; a rule without fields starts at 0")
    func counts() throws {
        let rules = try RuleFile.parse(Self.file, file: "rules.txt")
        let lines = [
            k8sLine("r1", verb: "delete", user: "alice", resource: "secrets", namespace: "shop", name: "db"),
            k8sLine("r2", verb: "delete", user: "alice", resource: "secrets", namespace: "shop", name: "api"),
            k8sLine("r3", verb: "delete", user: "bob", resource: "secrets", namespace: "ops", name: "x", code: 403),
            k8sLine("r4", verb: "delete", user: "bob", resource: "configmaps", namespace: "ops", name: "x"),
            k8sLine("r5", verb: "get", user: "carol", resource: "pods", namespace: "ops", name: "x", code: 403),
        ]
        let (temp, directory) = try store(lines: lines)
        _ = temp
        let a = try aggregate(directory, rules: rules)
        #expect(value(a, "rule:secret_deleted", ["shop"]) == 2)
        #expect(value(a, "rule:secret_deleted", ["ops"]) == 1)
        #expect(value(a, "rule:denied", ["bob", "secrets"]) == 1)
        #expect(value(a, "rule:denied", ["carol", "pods"]) == 1)
        #expect(value(a, "rule:s3_denied", []) == 0)
        #expect(value(a, "rule:exec_in_prod", []) == 0)
        let text = String(decoding: a.render(.text), as: UTF8.self)
        #expect(text.contains(#"logq_rule_matches_total{rule="secret_deleted",ns="shop"} 2"#))
        #expect(text.contains(#"logq_rule_matches_total{rule="s3_denied"} 0"#))
        // One HELP and TYPE for all rules: a family's lines are contiguous.
        #expect(text.components(separatedBy: "# TYPE logq_rule_matches_total counter").count == 2)
    }

    @Test("a rule on a JSON path reads the original event, and its label name replaces the dots")
    func pathRule() throws {
        let rules = try RuleFile.parse("by_uri: verb=delete by objectRef.resource", file: "r")
        #expect(rules[0].readsRaw)
        #expect(MetricRule.labelName(rules[0].by[0]) == "objectRef_resource")
        let (temp, directory) = try store(lines: [k8sLine("p1", verb: "delete", user: "a", resource: "secrets", namespace: "n", name: "x")])
        _ = temp
        let a = try aggregate(directory, rules: rules)
        #expect(value(a, "rule:by_uri", ["secrets"]) == 1)
    }
}
