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
