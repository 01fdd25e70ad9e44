/// The metric families of one aggregator, in the order they render, with their bounds.
///
/// Not thread-safe: ``MetricsService`` holds it under a lock.
public final class MetricRegistry {
    public let configuration: MetricsConfiguration
    /// Families in registration order; families sharing a name render under one header.
    public private(set) var families: [MetricFamily] = []
    private var byID: [String: MetricFamily] = [:]

    public init(configuration: MetricsConfiguration = MetricsConfiguration()) {
        self.configuration = configuration
    }

    /// Registers a family (or returns the one registered with the same id).
    public func family(
        _ name: String, id: String? = nil, help: String, kind: MetricKind, labels: [String],
        constantLabels: [(name: String, value: String)] = []
    ) -> MetricFamily {
        let key = id ?? name
        if let existing = byID[key] { return existing }
        let family = MetricFamily(
            name: name, id: key, help: help, kind: kind, labelNames: labels, constantLabels: constantLabels,
            maxSeries: configuration.limit(for: key))
        // Keep families of one name together: the formats want a family's lines contiguous.
        if let last = families.lastIndex(where: { $0.name == name }) {
            families.insert(family, at: last + 1)
        } else {
            families.append(family)
        }
        byID[key] = family
        return family
    }

    /// The family registered as `id`, nil when there is none.
    public func family(id: String) -> MetricFamily? { byID[id] }

    /// Series held across every family.
    public var seriesCount: Int { families.reduce(0) { $0 + $1.count } }

    /// The text of every family in `format`, plus `logq_metrics_series_overflow_total{family}`
    /// for families that overflowed.
    public func render(_ format: ExpositionFormat) -> [UInt8] {
        render(format, also: [])
    }

    /// The text of every family here and then of every family in `others` (a server's own
    /// health metrics), as one document: one overflow family, one `# EOF`.
    public func render(_ format: ExpositionFormat, also others: [MetricRegistry]) -> [UInt8] {
        let all = [self] + others
        var writer = ExpositionWriter(format: format)
        writer.out.reserveCapacity(64 * all.reduce(0) { $0 + $1.seriesCount } + 4096)
        for registry in all {
            for family in registry.families { writer.write(family) }
        }
        let overflowed = all.flatMap { $0.families.filter { $0.overflowed > 0 } }
        writer.writeOverflow(overflowed.map { ($0.id, $0.overflowed) })
        writer.finish()
        return writer.out
    }
}
