import Foundation
@testable import MetricsAgg
import Testing
import TestSupport

/// `promtool check metrics` on the output of every family, in both formats. Skips (passing,
/// with a note) when promtool is not installed: `apt-get install -y prometheus` provides it,
/// and CI installs it.
@Suite("promtool check metrics")
struct PromtoolTests {
    /// An aggregator with every family populated: API server, CloudTrail, Container Insights,
    /// rules, and an overflow.
    static func everything() throws -> (TemporaryDirectory, MetricsAggregator) {
        var lines = APIServerMetricsTests.lines + CloudTrailMetricsTests.records + ContainerInsightsMetricsTests.generated
        lines.append(k8sLine("q1", verb: "get", user: "x", resource: "weird\"name\\with\nnewline", namespace: "n", name: "m"))
        let (temp, directory) = try store(lines: lines, paths: containerInsightsSample.map { [$0] } ?? [])
        let rules = try RuleFile.parse("secret_deleted: verb=delete resource=secrets by ns\nnothing: verb=nope", file: "rules")
        let a = try aggregate(directory, rules: rules, configuration: MetricsConfiguration(maxSeriesPerFamily: 1000, maxSeries: ["logq_cloudtrail_calls": 2]))
        return (temp, a)
    }

    @Test("text 0.0.4 and OpenMetrics output pass promtool without lint problems", arguments: [ExpositionFormat.text, .openMetrics])
    func check(format: ExpositionFormat) throws {
        let (temp, a) = try Self.everything()
        let body = a.render(format)
        let text = String(decoding: body, as: UTF8.self)
        #expect(text.contains("logq_metrics_series_overflow_total"))
        if format == .openMetrics { #expect(text.hasSuffix("# EOF\n")) }
        guard let promtool else {
            print("PromtoolTests: promtool is not installed (apt-get install -y prometheus); the check is skipped")
            return
        }
        let result = Shell.run(promtool, ["check", "metrics"], stdin: body)
        switch format {
        case .text:
            #expect(result.status == 0, "promtool: \(result.stdout)\(result.stderr)\n\(text.prefix(2000))")
        case .openMetrics:
            // promtool 2.42 reads 0.0.4 only: the OpenMetrics lines parse (exit 3 is lint, 1 a
            // parse error), and its only lint is that a counter's `_total` and `_created`
            // samples have no HELP of their own, which OpenMetrics puts on the family. (logq's
            // HELP texts hold no double quote: OpenMetrics escapes it, which 0.0.4 parsers reject.)
            #expect(result.status == 0 || result.status == 3, "promtool: \(result.stdout)\(result.stderr)")
            let complaints = (result.stdout + result.stderr).split(separator: "\n")
            for line in complaints {
                let ok = line.hasSuffix(" no help text") && (line.contains("_total ") || line.contains("_created "))
                #expect(ok, "promtool: \(line)")
            }
        }
        _ = temp
    }
}
