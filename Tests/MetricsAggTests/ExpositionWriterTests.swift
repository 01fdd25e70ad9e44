@testable import MetricsAgg
import Testing

@Suite("Exposition")
struct ExpositionWriterTests {
    /// A registry with one counter, one gauge and one histogram, filled by hand.
    static func sample() -> MetricRegistry {
        let registry = MetricRegistry()
        let counter = registry.family("demo_requests", help: "Requests.\nSecond line \\ \"quoted\".", kind: .counter, labels: ["verb", "code"])
        counter.add(["GET", "200"])
        counter.add(["GET", "200"])
        counter.add(["DELETE", "403"], 3)
        let gauge = registry.family("demo_memory_ratio", help: "Memory.", kind: .gauge, labels: ["pod"])
        gauge.set(["a\"b\\c\nd"], 0.25, at: 10)
        gauge.set(["a\"b\\c\nd"], 0.5, at: 5)  // older sample: ignored
        let histogram = registry.family("demo_duration_seconds", help: "Latency.", kind: .histogram(buckets: [0.1, 1]), labels: [])
        histogram.observe([], 0.05)
        histogram.observe([], 0.1)
        histogram.observe([], 0.5)
        histogram.observe([], 7)
        return registry
    }

    @Test("text 0.0.4: HELP and TYPE name the counter's _total sample, values and escapes as the format wants")
    func text() {
        let out = String(decoding: Self.sample().render(.text), as: UTF8.self)
        #expect(out == #"""
            # HELP demo_requests_total Requests.\nSecond line \\ "quoted".
            # TYPE demo_requests_total counter
            demo_requests_total{verb="GET",code="200"} 2
            demo_requests_total{verb="DELETE",code="403"} 3
            # HELP demo_memory_ratio Memory.
            # TYPE demo_memory_ratio gauge
            demo_memory_ratio{pod="a\"b\\c\nd"} 0.25
            # HELP demo_duration_seconds Latency.
            # TYPE demo_duration_seconds histogram
            demo_duration_seconds_bucket{le="0.1"} 2
            demo_duration_seconds_bucket{le="1.0"} 3
            demo_duration_seconds_bucket{le="+Inf"} 4
            demo_duration_seconds_count 4
            demo_duration_seconds_sum 7.65

            """#)
    }

    @Test("OpenMetrics: TYPE before HELP, the counter family without _total, _created, and # EOF at the end")
    func openMetrics() {
        let out = String(decoding: Self.sample().render(.openMetrics), as: UTF8.self)
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.last == "")
        #expect(lines.dropLast().last == "# EOF")
        #expect(lines[0] == "# TYPE demo_requests counter")
        #expect(lines[1] == #"# HELP demo_requests Requests.\nSecond line \\ \"quoted\"."#)
        #expect(lines[2] == #"demo_requests_total{verb="GET",code="200"} 2"#)
        #expect(lines[3].hasPrefix(#"demo_requests_created{verb="GET",code="200"} "#))
        let created = Double(lines[3].split(separator: " ").last!)!
        #expect(created > 1.7e9 && created < 4e9)
        #expect(out.contains("demo_duration_seconds_created "))
        #expect(!out.contains("demo_memory_ratio_created"))
        #expect(!out.contains("\r"))
    }

    @Test("Accept negotiation: OpenMetrics when asked for (Prometheus' default header), else text 0.0.4", arguments: [
        ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", ExpositionFormat.openMetrics),
        ("text/plain;version=0.0.4;q=1,*/*;q=0.1", .text),
        ("application/openmetrics-text; q=0", .text),
        ("*/*", .text),
        ("", .text),
    ])
    func negotiation(accept: String, expected: ExpositionFormat) {
        #expect(ExpositionFormat.negotiate(accept: accept) == expected)
    }

    @Test("no Accept header gives text 0.0.4 and its content type")
    func noAccept() {
        #expect(ExpositionFormat.negotiate(accept: nil) == .text)
        #expect(ExpositionFormat.text.contentType == "text/plain; version=0.0.4; charset=utf-8")
        #expect(ExpositionFormat.openMetrics.contentType.hasPrefix("application/openmetrics-text; version=1.0.0"))
    }

    @Test("values: integers as digits, fractions round-trip, NaN and infinities spelled as Go reads them", arguments: [
        (0.0, "0"), (42, "42"), (-7, "-7"), (1e15, "1000000000000000"), (1e20, "1e+20"), (2.5e-7, "2.5e-07"), (0.1, "0.1"), (3.4119630423110245, "3.4119630423110245"),
        (Double.nan, "NaN"), (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"), (123456789012, "123456789012"),
    ])
    func values(value: Double, text: String) {
        var out: [UInt8] = []
        ExpositionWriter.appendValue(value, into: &out)
        #expect(String(decoding: out, as: UTF8.self) == text)
    }
}
