import AuditCore
import SegmentStore

/// Turns events into Prometheus series: Kubernetes API-server request metrics, CloudTrail call
/// metrics, Container Insights gauges and rollups, saved-query rule counters, and the event
/// counts by source, verb and code. Fed one event (or one block) at a time, in any order;
/// rendered from memory, so a scrape never reads the store.
///
/// Not thread-safe: ``MetricsService`` wraps it in a lock.
public final class MetricsAggregator {
    public let registry: MetricRegistry
    private let events: MetricFamily
    private let apiserver: APIServerMetrics
    private let cloudtrail: CloudTrailMetrics
    private let containerInsights: ContainerInsightsMetrics
    private let rules: RuleMetrics

    /// An aggregator with the bounds of `configuration` and the counters of `rules`.
    public init(configuration: MetricsConfiguration = MetricsConfiguration(), rules: [MetricRule] = []) {
        registry = MetricRegistry(configuration: configuration)
        events = registry.family(
            "logq_events", help: "Events stored, by source, unified verb and response code (CloudTrail: its error code, or ok).",
            kind: .counter, labels: ["source", "verb", "code"])
        apiserver = APIServerMetrics(registry)
        cloudtrail = CloudTrailMetrics(registry)
        containerInsights = ContainerInsightsMetrics(registry)
        self.rules = RuleMetrics(registry, rules: rules)
    }

    /// Folds one event into every family it concerns.
    public func add(_ event: AuditEvent) {
        let f = event.fields
        switch event.source {
        case .k8sAudit:
            apiserver.add(event)
            events.add([event.source.name, f[.verb], f[.code]])
        case .cloudtrail:
            cloudtrail.add(event)
            events.add([event.source.name, f[.verb], f[.error].isEmpty ? "ok" : f[.error]])
        case .perf:
            containerInsights.add(event)
            events.add([event.source.name, f[.verb], f[.code]])
        default:
            events.add([event.source.name, f[.verb], f[.code]])
        }
        if !rules.isEmpty { rules.add(event) }
    }

    /// Folds a sequence of events.
    public func fold(events: some Sequence<AuditEvent>) {
        for event in events { add(event) }
    }

    /// Whether events of `source` need their original bytes: CloudTrail (identity type, MFA)
    /// and perf events (metric values) always, any source when a rule reads a path or a phrase.
    public func needsRaw(_ source: SourceKind) -> Bool {
        source == .cloudtrail || source == .perf || rules.readsRaw
    }

    /// Folds rows `rows` (every row when nil) of a block, loading the original bytes only of
    /// the rows that need them. False when the block is damaged (nothing is folded then).
    @discardableResult
    public func fold(view: BlockView, rows: [Int]? = nil) -> Bool {
        guard view.load(.fields, rows: rows) else { return false }
        let selected = rows ?? Array(0..<view.count)
        let rawRows = selected.filter { needsRaw(view.source($0)) }
        if !rawRows.isEmpty {
            guard view.loadRaw(rows: rawRows), !view.damaged else { return false }
        }
        var k = 0
        for row in selected {
            let withRaw = k < rawRows.count && rawRows[k] == row
            if withRaw { k += 1 }
            add(view.event(row, parts: withRaw ? .all : .fields))
        }
        return true
    }

    /// The exposition in the format `accept` asks for (``ExpositionFormat/negotiate(accept:)``).
    public func render(accept: String?) -> (contentType: String, body: [UInt8]) {
        let format = ExpositionFormat.negotiate(accept: accept)
        return (format.contentType, render(format))
    }

    /// The exposition in `format`.
    public func render(_ format: ExpositionFormat) -> [UInt8] {
        render(format, also: [])
    }

    /// The exposition in `format`, with the families of `others` after these (one document).
    public func render(_ format: ExpositionFormat, also others: [MetricRegistry]) -> [UInt8] {
        containerInsights.refresh()
        return registry.render(format, also: others)
    }

    /// Brings the rollups up to date, before the registry is read directly (remote write).
    public func refresh() {
        containerInsights.refresh()
    }

    /// The series of family `name` (for a rule, `rule:<name>`) as label values and value;
    /// rollups are brought up to date first. For tests and `logq metrics`.
    public func samples(_ id: String) -> [(labels: [String], value: Double)] {
        containerInsights.refresh()
        return registry.family(id: id)?.samples ?? []
    }
}
