import AuditCore
import Foundation
@testable import MetricsAgg
import Testing
import TestSupport

/// An event of `source` with the given fields.
private func event(_ source: SourceKind, _ fields: [Field: String] = [:]) -> AuditEvent {
    var values = FieldValues()
    for (field, value) in fields { values[field] = value }
    return AuditEvent(time: 0, source: source, fields: values, raw: [])
}

/// `promtool` on PATH (or at /usr/bin/promtool), if installed.
private let promtoolPath: String? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    let candidates = path.split(separator: ":").map { $0 + "/promtool" } + ["/usr/bin/promtool"]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
}()

private let header = """
    # HELP logq_events_total Events stored, by source, unified verb and response code.
    # TYPE logq_events_total counter

    """

@Suite("EventCounter")
struct EventCounterTests {
    /// Two k8s gets, a forbidden k8s delete, a CloudTrail put that worked and one that was
    /// denied, and an apiserver line with no verb or code.
    static func sample() -> EventCounter {
        var counter = EventCounter()
        counter.add(event(.k8sAudit, [.verb: "get", .code: "200"]))
        counter.add(event(.cloudtrail, [.verb: "put", .error: "AccessDenied"]))
        counter.add(event(.k8sAudit, [.verb: "delete", .code: "403"]))
        counter.add(event(.k8sAudit, [.verb: "get", .code: "200", .user: "someone else"]))
        counter.add(event(.apiserver))
        counter.add(event(.cloudtrail, [.verb: "put", .code: "500"]))  // CloudTrail ignores code: "ok"
        return counter
    }

    @Test("counts events per source, verb and code; CloudTrail's code is its error code or ok")
    func counts() {
        let counts = Self.sample().counts
        #expect(counts.count == 5)
        #expect(counts[EventCounter.Key(source: "k8s-audit", verb: "get", code: "200")] == 2)
        #expect(counts[EventCounter.Key(source: "k8s-audit", verb: "delete", code: "403")] == 1)
        #expect(counts[EventCounter.Key(source: "cloudtrail", verb: "put", code: "AccessDenied")] == 1)
        #expect(counts[EventCounter.Key(source: "cloudtrail", verb: "put", code: "ok")] == 1)
        #expect(counts[EventCounter.Key(source: "apiserver", verb: "", code: "")] == 1)
        #expect(counts.values.reduce(0, +) == 6)
    }

    @Test("Prometheus text: HELP and TYPE, then one sorted line per label set")
    func prometheusText() {
        #expect(
            Self.sample().prometheusText() == header + """
                logq_events_total{source="apiserver",verb="",code=""} 1
                logq_events_total{source="cloudtrail",verb="put",code="AccessDenied"} 1
                logq_events_total{source="cloudtrail",verb="put",code="ok"} 1
                logq_events_total{source="k8s-audit",verb="delete",code="403"} 1
                logq_events_total{source="k8s-audit",verb="get",code="200"} 2

                """)
    }

    @Test("output does not depend on the order events were added")
    func stableOrder() {
        var forward = EventCounter()
        var backward = EventCounter()
        let events = (0..<50).map { i in
            event(i % 3 == 0 ? .cloudtrail : .k8sAudit, [.verb: ["get", "list", "delete"][i % 3], .code: String(200 + i % 4)])
        }
        for e in events { forward.add(e) }
        for e in events.reversed() { backward.add(e) }
        #expect(forward.prometheusText() == backward.prometheusText())
        let lines = forward.prometheusText().split(separator: "\n").dropFirst(2)
        #expect(Array(lines) == lines.sorted())
    }

    @Test("an empty counter prints only HELP and TYPE")
    func empty() {
        #expect(EventCounter().prometheusText() == header)
    }

    @Test("label values escape backslash, double quote and line feed")
    func escaping() {
        var counter = EventCounter()
        counter.add(event(.k8sAudit, [.verb: "we\"ird\\x\ny", .code: "\\"]))
        #expect(counter.prometheusText() == header + #"logq_events_total{source="k8s-audit",verb="we\"ird\\x\ny",code="\\"} 1"# + "\n")
        #expect(counter.escape("plain é 漢") == "plain é 漢")
        #expect(counter.escape("") == "")
    }

    @Test("Key orders by source, then verb, then code")
    func keyOrder() {
        typealias Key = EventCounter.Key
        #expect(Key(source: "a", verb: "z", code: "z") < Key(source: "b", verb: "a", code: "a"))
        #expect(Key(source: "a", verb: "a", code: "z") < Key(source: "a", verb: "b", code: "a"))
        #expect(Key(source: "a", verb: "a", code: "1") < Key(source: "a", verb: "a", code: "2"))
        #expect(!(Key(source: "a", verb: "a", code: "1") < Key(source: "a", verb: "a", code: "1")))
    }

    @Test(
        "promtool accepts the text",
        .enabled(if: promtoolPath != nil, "promtool is not installed (looked on PATH and at /usr/bin/promtool)"))
    func promtoolAccepts() throws {
        var counter = Self.sample()
        counter.add(event(.k8sAudit, [.verb: "we\"ird\\x\ny", .code: "\\"]))
        let tool = try #require(promtoolPath)
        let result = Shell.run(tool, ["check", "metrics"], stdin: Array(counter.prometheusText().utf8))
        #expect(result.status == 0, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
    }
}

@Suite("EventCounter label escaping by scalar")
struct EventCounterScalarEscapeTests {
    @Test("a CR LF pair and a quote followed by a combining mark are still escaped")
    func graphemeClusters() {
        var counter = EventCounter()
        counter.add(event(.k8sAudit, [.verb: "a\r\nb", .code: "\"\u{301}"]))
        let text = counter.prometheusText()
        #expect(text.contains("verb=\"a\r\\nb\""))
        #expect(text.contains("code=\"\\\"\u{301}\""))
        // Exactly three lines: HELP, TYPE, the sample; no raw line break inside a label.
        #expect(text.split(separator: "\n", omittingEmptySubsequences: false).count == 4)
    }
}
