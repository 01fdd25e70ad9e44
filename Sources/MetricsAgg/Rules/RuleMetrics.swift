import AuditCore
import LogQuery

/// The saved-query rules as counters: `logq_rule_matches_total{rule="…", <by fields>}`, one
/// family per rule under one name, each bounded on its own (id `rule:<name>`).
final class RuleMetrics {
    private let rules: [(rule: MetricRule, filter: FilterExpression, family: MetricFamily)]
    /// Whether any rule reads the original event.
    let readsRaw: Bool

    init(_ registry: MetricRegistry, rules: [MetricRule]) {
        self.rules = rules.map { rule in
            let family = registry.family(
                "logq_rule_matches", id: "rule:\(rule.name)",
                help: "Events matching a saved query of the rules file (--rules), by rule and the rule's 'by' fields.",
                kind: .counter, labels: rule.by.map(MetricRule.labelName), constantLabels: [("rule", rule.name)])
            // A rule without labels exists at 0 from the start, so alerts on increase() see it rise.
            if rule.by.isEmpty { family.add([], 0) }
            return (rule, rule.filter, family)
        }
        readsRaw = rules.contains(where: \.readsRaw)
    }

    /// Counts `event` for every rule it matches.
    func add(_ event: AuditEvent) {
        for (rule, filter, family) in rules where filter.matches(event) {
            family.add(rule.by.map { $0.value(in: event) })
        }
    }

    var isEmpty: Bool { rules.isEmpty }
}
