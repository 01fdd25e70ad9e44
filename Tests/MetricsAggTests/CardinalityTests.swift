import AuditCore
@testable import MetricsAgg
import Testing

@Suite("Cardinality bounds")
struct CardinalityTests {
    @Test("a full family sends new label sets to its other series and counts them; known sets still count")
    func overflow() {
        let registry = MetricRegistry(configuration: MetricsConfiguration(maxSeriesPerFamily: 2))
        let family = registry.family("demo_calls", help: "Calls.", kind: .counter, labels: ["user", "verb"])
        family.add(["alice", "get"])
        family.add(["bob", "get"])
        family.add(["carol", "get"])
        family.add(["dave", "list"])
        family.add(["alice", "get"])
        #expect(family.count == 3)
        #expect(family.value(["alice", "get"]) == 2)
        #expect(family.value(["bob", "get"]) == 1)
        #expect(family.value(["other", "other"]) == 2)
        #expect(family.value(["carol", "get"]) == nil)
        #expect(family.overflowed == 2)
        let text = String(decoding: registry.render(.text), as: UTF8.self)
        #expect(text.contains(#"demo_calls_total{user="other",verb="other"} 2"#))
        #expect(text.contains("# TYPE logq_metrics_series_overflow_total counter"))
        #expect(text.contains(#"logq_metrics_series_overflow_total{family="demo_calls"} 2"#))
    }

    @Test("a per-family limit overrides the default, by family id")
    func perFamily() {
        let configuration = MetricsConfiguration(maxSeriesPerFamily: 100, maxSeries: ["logq_cloudtrail_calls": 1])
        let aggregator = MetricsAggregator(configuration: configuration)
        for name in ["GetObject", "PutObject", "ListBuckets"] {
            var f = FieldValues()
            f[.service] = "s3.amazonaws.com"
            f[.event] = name
            f[.region] = "eu-west-1"
            aggregator.add(AuditEvent(time: 0, source: .cloudtrail, fields: f, raw: []))
        }
        let calls = aggregator.samples("logq_cloudtrail_calls")
        #expect(calls.count == 2)
        #expect(value(aggregator, "logq_cloudtrail_calls", ["s3.amazonaws.com", "GetObject", "eu-west-1", ""]) == 1)
        #expect(value(aggregator, "logq_cloudtrail_calls", ["other", "other", "other", "other"]) == 2)
        // Other families keep the default bound; the three calls share one logq_events label set.
        #expect(aggregator.samples("logq_events").count == 1)
    }

    @Test("memory stays bounded: 10,000 distinct users make at most the limit plus one series")
    func bounded() {
        let aggregator = MetricsAggregator(configuration: MetricsConfiguration(maxSeriesPerFamily: 50))
        for i in 0..<10_000 {
            var f = FieldValues()
            f[.stage] = "ResponseComplete"
            f[.verb] = "get"
            f[.resource] = "r\(i)"
            f[.code] = "403"
            f[.user] = "user-\(i)"
            aggregator.add(AuditEvent(time: 0, source: .k8sAudit, fields: f, raw: []))
        }
        #expect(aggregator.samples("apiserver_request").count == 51)
        #expect(aggregator.registry.family(id: "apiserver_request")?.overflowed == 10_000 - 50)
        #expect(value(aggregator, "logq_apiserver_requests_denied", ["human"]) == 10_000)
    }

    @Test("long label values are cut at 128 bytes on a character boundary")
    func longValues() {
        let long = String(repeating: "é", count: 100)  // 200 bytes
        let cut = MetricFamily.bounded(long)
        #expect(cut.utf8.count == 128)
        #expect(cut == String(repeating: "é", count: 64))
    }
}
