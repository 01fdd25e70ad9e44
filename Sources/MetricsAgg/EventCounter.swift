import AuditCore

/// Counts events by source, verb and outcome, and renders them as Prometheus counters.
///
/// The first piece of MetricsAgg: API-call counts across both sources
/// (`logq_events_total{source,verb,code}`); windowed Container-Insights rollups come later.
public struct EventCounter: Sendable {
    /// A counter's labels.
    public struct Key: Hashable, Sendable, Comparable {
        public var source: String
        public var verb: String
        /// k8s HTTP status code, or the CloudTrail error code, or "ok".
        public var code: String

        public static func < (a: Key, b: Key) -> Bool {
            (a.source, a.verb, a.code) < (b.source, b.verb, b.code)
        }
    }

    /// Events per label set.
    public private(set) var counts: [Key: Int] = [:]

    public init() {}

    /// Counts one event.
    public mutating func add(_ event: AuditEvent) {
        let f = event.fields
        let code: String
        switch event.source {
        case .cloudtrail: code = f[.error].isEmpty ? "ok" : f[.error]
        default: code = f[.code]
        }
        counts[Key(source: event.source.name, verb: f[.verb], code: code), default: 0] += 1
    }

    /// The counters in Prometheus text format 0.0.4, sorted so output is stable.
    public func prometheusText() -> String {
        var out = "# HELP logq_events_total Events stored, by source, unified verb and response code.\n"
        out += "# TYPE logq_events_total counter\n"
        for key in counts.keys.sorted() {
            out += "logq_events_total{source=\"\(escape(key.source))\",verb=\"\(escape(key.verb))\",code=\"\(escape(key.code))\"} \(counts[key]!)\n"
        }
        return out
    }

    func escape(_ s: String) -> String {
        // By scalar, not Character: "\r\n" is one Character, and a quote followed by a
        // combining mark is too; both must still be escaped.
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
