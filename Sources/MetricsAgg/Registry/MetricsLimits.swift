/// Every limit of MetricsAgg, each with the reason for its value.
public enum MetricsLimits {
    /// Series one family may hold before new label sets go to its `other` series: enough for
    /// the API calls and pods of a large account or cluster, small enough that a scrape stays
    /// far below 10 ms and memory stays bounded whatever the events carry.
    public static let defaultMaxSeriesPerFamily = 2_000

    /// Label values longer than this are cut: a value is a name (user, pod, event), never a
    /// document, and a hostile event must not make every scrape large.
    public static let maxLabelValueBytes = 128

    /// Rules a rules file may hold: each is evaluated on every event.
    public static let maxRules = 256

    /// Bucket bounds of `apiserver_request_duration_seconds`, kube-apiserver's own (FORMATS.md §4.4),
    /// so dashboards written for the apiserver read these series unchanged.
    public static let apiserverLatencyBuckets: [Double] = [
        0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60,
    ]
}

/// How the aggregator bounds its series: a default per family and overrides by family id.
public struct MetricsConfiguration: Sendable {
    /// Series per family unless `maxSeries` names the family.
    public var maxSeriesPerFamily: Int
    /// Per-family overrides, by family id (the metric name; for a rule, `rule:<name>`).
    public var maxSeries: [String: Int]

    public init(maxSeriesPerFamily: Int = MetricsLimits.defaultMaxSeriesPerFamily, maxSeries: [String: Int] = [:]) {
        self.maxSeriesPerFamily = maxSeriesPerFamily
        self.maxSeries = maxSeries
    }

    /// The bound for family `id`.
    public func limit(for id: String) -> Int {
        max(1, maxSeries[id] ?? maxSeriesPerFamily)
    }
}
