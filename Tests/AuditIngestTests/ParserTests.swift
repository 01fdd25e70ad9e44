import AuditCore
import Testing
import TestSupport

@testable import AuditIngest

@Suite("Parsers and normalization")
struct ParserTests {
    @Test("a Kubernetes audit event is normalized field by field")
    func k8s() throws {
        let line = EventBuilder.k8sLine(
            auditID: "7c1e", verb: "delete", user: "arn:aws:iam::111122223333:role/Deployer", resource: "deployments",
            namespace: "shop", name: "cart", time: "2025-03-02T10:15:07.134902Z", code: 200)
        let (events, rejections) = decodeAll(MemorySource(Array(line.utf8)))
        #expect(rejections.isEmpty)
        let e = try #require(events.first)
        #expect(e.source == .k8sAudit)
        #expect(e.time == 1_740_910_507_134_902_000)
        #expect(e.fields[.verb] == "delete")
        #expect(e.fields[.user] == "arn:aws:iam::111122223333:role/Deployer")
        #expect(e.fields[.resource] == "deployments")
        #expect(e.fields[.ns] == "shop")
        #expect(e.fields[.name] == "cart")
        #expect(e.fields[.code] == "200")
        #expect(e.fields[.ip] == "203.0.113.9")
        #expect(e.fields[.id] == "7c1e")
        #expect(e.fields[.stage] == "ResponseComplete")
        #expect(e.fields[.groups] == "system:authenticated")
        #expect(e.fields[.latency] == "0.000")
        #expect(String(decoding: e.raw, as: UTF8.self) == line)
    }

    @Test("EKS canonicalArn becomes the actor")
    func actor() throws {
        let line = #"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"x","stage":"ResponseComplete","verb":"get","user":{"username":"kubernetes-admin","extra":{"canonicalArn":["arn:aws:iam::111122223333:role/Admin"],"sessionName":["s"]}},"requestReceivedTimestamp":"2025-01-01T00:00:00.000000Z","stageTimestamp":"2025-01-01T00:00:00.250000Z"}"#
        let e = try #require(decodeAll(MemorySource(Array(line.utf8))).events.first)
        #expect(e.fields[.actor] == "arn:aws:iam::111122223333:role/Admin")
        #expect(e.fields[.user] == "kubernetes-admin")
        #expect(e.fields[.latency] == "250.000")
    }

    @Test("a CloudTrail assumed-role record names the role session as user and the role as actor")
    func cloudTrail() throws {
        let record = #"{"eventVersion":"1.11","eventTime":"2025-03-02T10:15:07Z","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:ci-bot","arn":"arn:aws:sts::111122223333:assumed-role/Deployer/ci-bot","accountId":"111122223333","sessionContext":{"sessionIssuer":{"type":"Role","userName":"Deployer","arn":"arn:aws:iam::111122223333:role/Deployer"}}},"eventSource":"eks.amazonaws.com","eventName":"DeleteNodegroup","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.7","requestParameters":{"name":"prod","nodegroupName":"spot-a"},"eventID":"2b9d","readOnly":false,"recipientAccountId":"111122223333"}"#
        let e = try #require(decodeAll(MemorySource(Array(("{\"Records\":[" + record + "]}").utf8))).events.first)
        #expect(e.source == .cloudtrail)
        #expect(e.time == 1_740_910_507_000_000_000)
        #expect(e.fields[.verb] == "delete")
        #expect(e.fields[.user] == "Deployer/ci-bot")
        #expect(e.fields[.actor] == "arn:aws:iam::111122223333:role/Deployer")
        #expect(e.fields[.service] == "eks.amazonaws.com")
        #expect(e.fields[.event] == "DeleteNodegroup")
        #expect(e.fields[.region] == "eu-west-1")
        #expect(e.fields[.account] == "111122223333")
        #expect(e.fields[.name] == "spot-a")
        #expect(String(decoding: e.raw, as: UTF8.self) == record)
    }

    @Test("a failed console login is a failure: error=Failure, code=401, the errorMessage kept in the raw record")
    func failedConsoleLogin() throws {
        let record = #"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","accountId":"111122223333","accessKeyId":"","userName":"alice"},"eventTime":"2025-03-02T10:15:07Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.50","userAgent":"Mozilla/5.0","errorMessage":"Failed authentication","requestParameters":null,"responseElements":{"ConsoleLogin":"Failure"},"additionalEventData":{"MFAUsed":"No"},"eventID":"c1","readOnly":false,"eventType":"AwsConsoleSignIn","recipientAccountId":"111122223333"}"#
        let e = try #require(decodeAll(MemorySource(Array(record.utf8))).events.first)
        #expect(e.fields[.error] == "Failure")
        #expect(e.fields[.code] == "401")
        let ok = record.replacingOccurrences(of: #""errorMessage":"Failed authentication","#, with: "")
            .replacingOccurrences(of: #""ConsoleLogin":"Failure""#, with: #""ConsoleLogin":"Success""#)
        let success = try #require(decodeAll(MemorySource(Array(ok.utf8))).events.first)
        #expect(success.fields[.error] == "")
        #expect(success.fields[.code] == "200")
    }

    @Test("CloudTrail errorCode maps to an HTTP-like code, so denials are found with the words of k8s", arguments: [
        (nil as String?, "200"), ("AccessDenied", "403"), ("AccessDeniedException", "403"), ("Client.UnauthorizedOperation", "403"),
        ("UnauthorizedOperation", "403"), ("Forbidden", "403"), ("InvalidClientTokenId", "403"), ("NoSuchBucket", "404"),
        ("ResourceNotFoundException", "404"), ("ThrottlingException", "429"), ("RequestLimitExceeded", "429"),
        ("InternalError", "500"), ("Server.InternalError", "500"), ("ServiceUnavailable", "503"), ("ValidationException", "400"),
        ("InvalidParameterValue", "400"),
    ])
    func cloudTrailCode(errorCode: String?, code: String) throws {
        let record = EventBuilder.cloudTrailRecord(eventID: "x", eventName: "DeleteBucket", time: "2025-03-02T10:15:07Z", errorCode: errorCode)
        let e = try #require(decodeAll(MemorySource(Array(record.utf8))).events.first)
        #expect(e.fields[.code] == code)
        #expect(e.fields[.error] == (errorCode ?? ""))
    }

    @Test("CloudTrail eventName maps to the unified verb, readOnly deciding read vs write", arguments: [
        ("DeleteBucket", false as Bool?, "delete"), ("TerminateInstances", false, "delete"), ("CreateBucket", false, "create"),
        ("RunInstances", false, "create"), ("PutObject", false, "update"), ("StartInstances", false, "update"),
        ("DescribeInstances", true, "get"), ("ListBuckets", true, "list"), ("GetObject", true, "get"),
        ("BatchGetItem", true, "get"), ("ConsoleLogin", false, "other"), ("AssumeRole", true, "get"),
        ("GetSessionToken", false, "other"), ("CreateBucket", true, "get"), ("DeleteBucket", nil, "delete"),
        ("BatchDeleteImage", false, "delete"),
    ])
    func verbs(name: String, readOnly: Bool?, verb: String) {
        #expect(CloudTrailVerb.verb(eventName: name, readOnly: readOnly) == verb)
    }

    @Test("an event without any time takes the input's fallback time; a placeholder time is rejected")
    func times() {
        let noTime = #"{"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"get","user":{"username":"a"}}"#
        let placeholder = #"{"eventVersion":"1.0","eventTime":"...","eventSource":"s3.amazonaws.com","eventName":"GetObject"}"#
        let (events, rejections) = decodeAll(MemorySource(Array((noTime + "\n" + placeholder + "\n").utf8)), fallbackTime: 42)
        #expect(events.map(\.time) == [42])
        #expect(rejections.count == 1)
        #expect(rejections.first?.line == 2)
        #expect(rejections.first?.reason.contains("\"...\"") == true)
    }

    @Test("values of no known format are rejected with a reason naming what was expected")
    func otherFormats() {
        let unknown = #"{"hello":"world"}"#
        let lookup = #"{"EventId":"x","CloudTrailEvent":"{}"}"#
        let (events, rejections) = decodeAll(MemorySource(Array((unknown + "\n" + lookup + "\n[1]\n").utf8)))
        #expect(events.isEmpty)
        #expect(rejections.count == 3)
        #expect(rejections[0].reason.contains("found an object with neither"))
        #expect(rejections[1].reason.contains("found an object with neither"))
        #expect(rejections[1].line == 2)
        #expect(rejections[2].reason.contains("expected a JSON object"))
    }
}
