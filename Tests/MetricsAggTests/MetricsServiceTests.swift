import Foundation
@testable import MetricsAgg
import SegmentStore
import Testing
import TestSupport

@Suite("MetricsService", .serialized)
struct MetricsServiceTests {
    /// The value of the sample line starting with `prefix` (name and labels) in `body`.
    static func sample(_ body: String, _ prefix: String) -> Double? {
        for line in body.split(separator: "\n") where line.hasPrefix(prefix + " ") {
            return Double(line.dropFirst(prefix.count + 1))
        }
        return nil
    }

    static func waitFor(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return condition()
    }

    @Test("restores from the store at start, then folds blocks committed later exactly once")
    func restoreThenFollow() throws {
        let rules = try RuleFile.parse("secret_deleted: verb=delete resource=secrets by ns", file: "rules")
        let first = (0..<3).map { k8sLine("s\($0)", verb: "delete", user: "alice", resource: "secrets", namespace: "shop", name: "n\($0)") }
        let (temp, directory) = try store(lines: first)
        let service = MetricsService(rules: rules, pollInterval: 0.02)
        service.start(directory: directory)
        defer { service.stop() }
        #expect(service.waitUntilRestored(seconds: 30))
        let key = #"logq_rule_matches_total{rule="secret_deleted",ns="shop"}"#
        #expect(Self.sample(service.render(accept: nil).body, key) == 3)

        // Two more commits while the service follows: the counter grows by their matches only.
        try ingest(lines: [k8sLine("s3", verb: "delete", user: "bob", resource: "secrets", namespace: "shop", name: "x")], into: directory, temp: temp)
        try ingest(lines: [k8sLine("s4", verb: "delete", user: "bob", resource: "secrets", namespace: "shop", name: "y"),
                           k8sLine("s5", verb: "get", user: "bob", resource: "secrets", namespace: "shop", name: "y")], into: directory, temp: temp)
        #expect(Self.waitFor(30) { Self.sample(service.render(accept: nil).body, key) == 5 })
        let apiserverKey = #"apiserver_request_total{verb="GET",resource="secrets",subresource="",scope="resource",code="200"}"#
        #expect(Self.waitFor(10) { Self.sample(service.render(accept: nil).body, apiserverKey) == 1 })
        // Stays at 5: nothing is folded twice.
        Thread.sleep(forTimeInterval: 0.2)
        #expect(Self.sample(service.render(accept: nil).body, key) == 5)
        #expect(service.takeProblems().isEmpty)
    }

    @Test("a restart restores the same counts from the store")
    func restart() throws {
        let lines = (0..<4).map { k8sLine("t\($0)", verb: "list", user: "system:node:n1", resource: "pods", namespace: "", name: "", code: 200) }
        let (temp, directory) = try store(lines: lines)
        _ = temp
        var bodies: [String] = []
        for _ in 0..<2 {
            let service = MetricsService(pollInterval: 0.02)
            service.start(directory: directory)
            #expect(service.waitUntilRestored(seconds: 30))
            bodies.append(service.render(accept: nil).body)
            service.stop()
        }
        let key = #"apiserver_request_total{verb="LIST",resource="pods",subresource="",scope="cluster",code="200"}"#
        #expect(Self.sample(bodies[0], key) == 4)
        #expect(Self.sample(bodies[1], key) == 4)
    }

    @Test("an empty data directory serves no series yet, and the first events after start appear")
    func emptyStore() throws {
        let temp = TemporaryDirectory("logq-metrics-empty")
        let directory = DataDirectory(path: temp.path + "/data")
        let service = MetricsService(pollInterval: 0.02)
        service.start(directory: directory)
        defer { service.stop() }
        #expect(service.waitUntilRestored(seconds: 30))
        #expect(!service.render(accept: nil).body.contains("apiserver_request_total{"))
        try ingest(lines: [k8sLine("e1", verb: "get", user: "alice", resource: "pods", namespace: "a", name: "b")], into: directory, temp: temp)
        #expect(Self.waitFor(30) { service.render(accept: nil).body.contains(#"apiserver_request_total{verb="GET",resource="pods""#) })
    }

    @Test("OpenMetrics when the scraper asks for it")
    func accept() {
        let service = MetricsService()
        let (type, body) = service.render(accept: "application/openmetrics-text;version=1.0.0")
        #expect(type.hasPrefix("application/openmetrics-text"))
        #expect(body.hasSuffix("# EOF\n"))
    }
}
