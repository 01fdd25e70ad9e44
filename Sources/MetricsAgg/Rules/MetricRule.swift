import AuditCore
import LogQuery

/// A saved query counted as a metric: `secret_deleted: verb=delete resource=secrets by ns`
/// exports `logq_rule_matches_total{rule="secret_deleted",ns="…"}`.
public struct MetricRule: Sendable {
    /// The rule's name: the `rule` label's value, `[a-zA-Z_][a-zA-Z0-9_]*`.
    public var name: String
    /// The query text as written (after the name, before `by`).
    public var queryText: String
    /// Which events count.
    public var filter: FilterExpression
    /// Fields whose values label the counter's series.
    public var by: [FieldRef]

    public init(name: String, queryText: String, filter: FilterExpression, by: [FieldRef]) {
        self.name = name
        self.queryText = queryText
        self.filter = filter
        self.by = by
    }

    /// The label name for a `by` field: its name with characters a label name may not hold
    /// (the dots of a path) as `_`.
    static func labelName(_ field: FieldRef) -> String {
        var out = ""
        for (k, c) in field.description.unicodeScalars.enumerated() {
            let ok = (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" || (k > 0 && c >= "0" && c <= "9")
            out.unicodeScalars.append(ok ? c : "_")
        }
        return out == "rule" ? "rule_field" : out
    }

    /// Whether the rule reads the original event (a path or a phrase), so the raw bytes must be loaded.
    public var readsRaw: Bool { filter.cost > 0 || by.contains(where: \.readsRaw) }
}
