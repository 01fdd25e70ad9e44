/// The type of a metric family, as the exposition formats name it.
public enum MetricKind: Sendable, Equatable {
    /// A monotonically increasing count (rendered `name_total`).
    case counter
    /// A value that goes up and down; here always the latest sample by event time.
    case gauge
    /// Observations counted into cumulative buckets with these upper bounds (ascending,
    /// without `+Inf`, which is implied), plus their sum and count.
    case histogram(buckets: [Double])

    /// The word after `# TYPE`.
    var typeName: String {
        switch self {
        case .counter: "counter"
        case .gauge: "gauge"
        case .histogram: "histogram"
        }
    }
}
