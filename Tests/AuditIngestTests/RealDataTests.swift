import AuditCore
import Testing
import TestSupport

@testable import AuditIngest

/// Real events captured by other projects (../shared/realdata, present in CI).
@Suite("Real data", .enabled(if: TestPaths.realdata != nil, "../shared/realdata is absent beside the checkout"))
struct RealDataTests {
    var root: String { TestPaths.realdata! }

    @Test("panther's EKS audit events are all read; events without a time keep the file's time")
    func pantherK8s() throws {
        let (events, rejections) = try decodeFile(root + "/panther-analysis/k8saudit_rule_tests.jsonl")
        #expect(rejections.isEmpty)
        #expect(events.count == 186)
        #expect(events.allSatisfy { $0.source == .k8sAudit })
        let first = try #require(events.first)
        #expect(first.fields[.user] == "system:anonymous")
        #expect(first.fields[.resource] == "pods")
        #expect(first.fields[.name] == "test-pod")
        #expect(first.fields[.code] == "200")
        // "2022-11-29 00:09:04.38" (no zone: UTC) in requestReceivedTimestamp.
        #expect(first.time == 1_669_680_544_380_000_000)
    }

    @Test("panther's CloudTrail records are read except the two with placeholder times")
    func pantherCloudTrail() throws {
        let (events, rejections) = try decodeFile(root + "/panther-analysis/cloudtrail_rule_tests.jsonl")
        #expect(events.count == 428)
        #expect(rejections.map(\.line) == [306, 425])
        #expect(events.contains { $0.fields[.verb] == "delete" })
        let first = try #require(events.first)
        #expect(first.fields[.event] == "StartSession")
        #expect(first.fields[.user] == "SampleRole/bobson.dugnutt")
        #expect(first.fields[.actor] == "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/us-west-2/SampleRole")
    }

    @Test("falco's traces: single Events, a JSON-lines file, a pretty-printed Records file; the malformed one is rejected")
    func falco() throws {
        let folder = root + "/falco-k8s-audit-traces"
        let delete = try decodeFile(folder + "/delete_secret.json")
        let e = try #require(delete.events.first)
        #expect(e.fields[.verb] == "delete")
        #expect(e.fields[.resource] == "secrets")
        #expect(e.fields[.ns] == "default")
        #expect(e.fields[.name] == "example-secret")
        #expect(e.fields[.user] == "minikube-user")
        let multi = try decodeFile(folder + "/create_configmap_sensitive_values.json")
        #expect(multi.events.count == 6)
        #expect(multi.rejections.isEmpty)
        let bad = try decodeFile(folder + "/fal_01_003.json")
        #expect(bad.events.isEmpty)
        #expect(bad.rejections.map(\.line) == [1])
        let trail = try decodeFile(folder + "/cloudtrail-plugin-trace/alice_start_instances.json")
        let record = try #require(trail.events.first)
        #expect(trail.events.count == 1)
        #expect(record.fields[.event] == "StartInstances")
        #expect(record.fields[.verb] == "update")
        #expect(record.fields[.user] == "Alice")
        #expect(record.raw.first == UInt8(ascii: "{"))
        #expect(record.raw.last == UInt8(ascii: "}"))
        #expect(record.raw.contains(0x0A))  // pretty-printed, kept verbatim
    }

    @Test("audit2rbac's 37 events from 2017 are read")
    func audit2rbac() throws {
        let (events, rejections) = try decodeFile(root + "/audit2rbac-k8s-audit/demo.log")
        #expect(rejections.isEmpty)
        #expect(events.count == 37)
        #expect(events[0].fields[.code] == "403")
        #expect(events[0].fields[.reason] == "Forbidden")
    }
}

/// Every file of ../shared/realdata through a real ingest, one run per file: what is stored,
/// rejected (and why), recognised as not events.
@Suite("Real data, every file", .enabled(if: TestPaths.realdata != nil, "../shared/realdata is absent beside the checkout"))
struct RealDataInventoryTests {
    var root: String { TestPaths.realdata! }

    struct Outcome {
        var events = 0
        var rejected: [Int] = []
        var skipped = false
    }

    func inventory() throws -> [String: Outcome] {
        var out: [String: Outcome] = [:]
        for input in try PathCollector.expand([root]) {
            guard case .file(let path) = input else { continue }
            var options = IngestOptions()
            options.correlator = ActorCorrelator()
            let run = try ingest([path], options: options)
            let name = String(path.dropFirst(root.count + 1))
            out[name] = Outcome(events: run.summary.events, rejected: run.rejections.map(\.line), skipped: !run.skipped.isEmpty)
            #expect(run.errors.isEmpty, "\(name): \(run.errors)")
        }
        return out
    }

    @Test("per-file counts: every event stored but for a stated reason; non-event files reported as unrecognised")
    func everyFile() throws {
        let all = try inventory()
        func events(_ prefix: String) -> Int { all.filter { $0.key.hasPrefix(prefix) }.map(\.value.events).reduce(0, +) }
        #expect(all["panther-analysis/k8saudit_rule_tests.jsonl"]?.events == 186)
        #expect(all["panther-analysis/cloudtrail_rule_tests.jsonl"]?.events == 428)
        #expect(all["panther-analysis/cloudtrail_rule_tests.jsonl"]?.rejected == [306, 425])
        #expect(events("panther-analysis/scenario_") == 27)
        #expect(all["plaso-cloudtrail-lookupevents/aws_cloudtrail.jsonl"]?.events == 6)
        #expect(all["container-insights-emf-awsdocs/container_insights_performance_events.jsonl"]?.events == 16)
        #expect(all["audit2rbac-k8s-audit/demo.log"]?.events == 37)
        #expect(events("falco-k8s-audit-traces/") - events("falco-k8s-audit-traces/cloudtrail-plugin-trace/") == 51)
        #expect(events("falco-k8s-audit-traces/cloudtrail-plugin-trace/") == 2)
        // The deliberately malformed falco file is a located rejection, not a skip.
        #expect(all["falco-k8s-audit-traces/fal_01_003.json"]?.rejected == [1])
        #expect(all["falco-k8s-audit-traces/fal_01_003.json"]?.skipped == false)
        // Annotations, licences, the policy YAML and the README hold no events.
        let skipped = Set(all.filter { $0.value.skipped }.map(\.key))
        #expect(skipped == [
            "README.md", "audit2rbac-k8s-audit/LICENSE", "audit2rbac-k8s-audit/demo-policy.yaml",
            "container-insights-emf-awsdocs/LICENSE", "container-insights-emf-awsdocs/LICENSE-SUMMARY",
            "container-insights-emf-awsdocs/container_insights_performance_events.meta.jsonl",
            "falco-k8s-audit-traces/LICENSE", "panther-analysis/LICENSE.txt",
            "panther-analysis/cloudtrail_rule_tests.meta.jsonl", "panther-analysis/k8saudit_rule_tests.meta.jsonl",
            "plaso-cloudtrail-lookupevents/LICENSE",
        ])
        // Nothing else is rejected.
        let rejecting = Set(all.filter { !$0.value.rejected.isEmpty }.map(\.key))
        #expect(rejecting == ["panther-analysis/cloudtrail_rule_tests.jsonl", "falco-k8s-audit-traces/fal_01_003.json"])
    }

    @Test("Container Insights EMF events: kind, cluster, node, pod and the string Timestamp, checked by hand")
    func emf() throws {
        let (events, rejections) = try decodeFile(root + "/container-insights-emf-awsdocs/container_insights_performance_events.jsonl")
        #expect(rejections.isEmpty)
        #expect(events.count == 16)
        #expect(events.allSatisfy { $0.source == .perf })
        let node = events[0]
        #expect(node.fields[.kind] == "Node")
        #expect(node.fields[.cluster] == "myCICluster")
        #expect(node.fields[.node] == "ip-192-0-2-0.us-west-2.compute.internal")
        #expect(node.time == 1_567_096_682_364_000_000)  // "Timestamp": "1567096682364"
        let pod = try #require(events.first { $0.fields[.kind] == "Pod" })
        #expect(!pod.fields[.ns].isEmpty)
        #expect(!pod.fields[.name].isEmpty)
        #expect(events.filter { $0.fields[.kind] == "" }.count == 1)  // the Prometheus event has no Type
    }

    @Test("lookup-events records: the decoded CloudTrailEvent, IAM user as actor, checked by hand")
    func plaso() throws {
        let (events, rejections) = try decodeFile(root + "/plaso-cloudtrail-lookupevents/aws_cloudtrail.jsonl")
        #expect(rejections.isEmpty)
        #expect(events.count == 6)
        let first = events[0]
        #expect(first.fields[.event] == "DescribeInstances")
        #expect(first.fields[.verb] == "get")
        #expect(first.fields[.user] == "fakeusername")
        #expect(first.fields[.actor] == "arn:aws:iam::012345678901:user/fakeusername")
        #expect(first.fields[.region] == "ap-southeast-2")
        #expect(first.fields[.name] == "i-01234567890123456")
        #expect(first.time == Timestamp.parse("2022-02-07T22:23:37Z"))
        #expect(first.raw.starts(with: Array(#"{"eventVersion":"1.08""#.utf8)))
    }

    @Test("panther EKS events carry the IAM role as actor from user.extra")
    func pantherActors() throws {
        let (events, _) = try decodeFile(root + "/panther-analysis/k8saudit_rule_tests.jsonl")
        let withArn = events.filter { $0.fields[.actor].hasPrefix("arn:aws:iam::") }
        #expect(!withArn.isEmpty)
        #expect(withArn.allSatisfy { !$0.fields[.actor].contains(":assumed-role/") })
    }
}
