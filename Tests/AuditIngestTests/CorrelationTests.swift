import AuditCore
import SegmentStore
import Testing
import TestSupport

@testable import AuditIngest

/// The `actor` field across sources (DESIGN.md): IAM role ↔ Kubernetes user, IRSA sessions.
@Suite("Actor correlation")
struct CorrelationTests {
    static let assume = #"{"eventVersion":"1.08","userIdentity":{"type":"WebIdentityUser","principalId":"arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC:sts.amazonaws.com:system:serviceaccount:prod:uploader","userName":"system:serviceaccount:prod:uploader","identityProvider":"arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"},"eventTime":"2025-03-02T10:00:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRoleWithWebIdentity","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.7","userAgent":"Boto3/1.34","requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/Uploader","roleSessionName":"botocore-session-1"},"responseElements":{"credentials":{"accessKeyId":"ASIAUPLOADER1","sessionToken":"x","expiration":"Mar 2, 2025, 11:00:00 AM"},"assumedRoleUser":{"assumedRoleId":"AROAUP:botocore-session-1","arn":"arn:aws:sts::111122223333:assumed-role/Uploader/botocore-session-1"}},"eventID":"assume-1","readOnly":true,"eventType":"AwsApiCall","recipientAccountId":"111122223333"}"#

    static func call(id: String, key: String, time: String) -> String {
        #"{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAUP:botocore-session-1","arn":"arn:aws:sts::111122223333:assumed-role/Uploader/botocore-session-1","accountId":"111122223333","accessKeyId":"\#(key)","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAUP","arn":"arn:aws:iam::111122223333:role/Uploader","accountId":"111122223333","userName":"Uploader"},"webIdFederationData":{"federatedProvider":"arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC","attributes":{}}}},"eventTime":"\#(time)","eventSource":"s3.amazonaws.com","eventName":"DeleteBucket","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.7","requestParameters":{"bucketName":"uploads"},"responseElements":null,"eventID":"\#(id)","readOnly":false,"eventType":"AwsApiCall","recipientAccountId":"111122223333"}"#
    }

    @Test("IRSA: calls in a web-identity session carry the service account too, across ingest runs")
    func irsa() throws {
        let dir = TemporaryDirectory()
        let data = DataDirectory(path: dir.path + "/data")
        let actors = data.path + "/" + FileNames.actors
        // Run 1: the AssumeRoleWithWebIdentity record and one call of its session.
        var options = IngestOptions()
        options.correlator = ActorCorrelator(loading: actors)
        let first = dir.write("day1.json", text: #"{"Records":["# + Self.assume + "," + Self.call(id: "c1", key: "ASIAUPLOADER1", time: "2025-03-02T10:05:00Z") + "]}")
        let run1 = try ingest([first], options: options, into: dir)
        try options.correlator!.save(to: actors)
        // Run 2, a new process: the session map comes from the data directory.
        options.correlator = ActorCorrelator(loading: actors)
        let second = dir.write("day2.json", text: Self.call(id: "c2", key: "ASIAUPLOADER1", time: "2025-03-02T10:30:00Z") + "\n" + Self.call(id: "c3", key: "ASIAOTHER", time: "2025-03-02T10:31:00Z") + "\n")
        let run2 = try ingest([second], options: options, into: dir)
        let all = run2.events
        #expect(run1.rejections.isEmpty && run2.rejections.isEmpty)
        let byID = Dictionary(uniqueKeysWithValues: all.map { ($0.fields[.id], $0) })
        #expect(byID["assume-1"]?.fields[.actor] == "system:serviceaccount:prod:uploader,arn:aws:iam::111122223333:role/Uploader")
        #expect(byID["assume-1"]?.fields[.user] == "system:serviceaccount:prod:uploader")
        #expect(byID["c1"]?.fields[.actor] == "arn:aws:iam::111122223333:role/Uploader,system:serviceaccount:prod:uploader")
        #expect(byID["c2"]?.fields[.actor] == "arn:aws:iam::111122223333:role/Uploader,system:serviceaccount:prod:uploader")
        #expect(byID["c3"]?.fields[.actor] == "arn:aws:iam::111122223333:role/Uploader")
    }

    @Test("an authenticator login gives the ARN to audit events of that user without user.extra")
    func authenticatorLink() throws {
        let dir = TemporaryDirectory()
        let login = #"time="2025-03-02T10:15:06Z" level=info msg="access granted" arn="arn:aws:iam::111122223333:role/Deployer" client="127.0.0.1:51234" groups="[]" method=POST path=/authenticate uid="aws-iam-authenticator:111122223333:AROAEXAMPLE" username="deployer""#
        let audit = EventBuilder.k8sLine(auditID: "k1", verb: "delete", user: "deployer", resource: "deployments", namespace: "shop", name: "cart", time: "2025-03-02T10:15:07Z")
        var options = IngestOptions()
        options.correlator = ActorCorrelator()
        let run = try ingest([dir.write("authenticator.log", text: login + "\n"), dir.write("audit.log", text: audit + "\n")], options: options)
        let event = try #require(run.events.first { $0.source == .k8sAudit })
        #expect(event.fields[.user] == "deployer")
        #expect(event.fields[.actor] == "arn:aws:iam::111122223333:role/Deployer")
    }

    @Test("EKS user.extra.arn (no canonicalArn) is made canonical")
    func extraArn() throws {
        let line = #"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"x","stage":"ResponseComplete","verb":"get","user":{"username":"kubernetes-admin","extra":{"arn":["arn:aws:sts::111122223333:assumed-role/Admin/i-0abc"]}},"stageTimestamp":"2025-01-01T00:00:00Z"}"#
        let e = try #require(decodeAll(MemorySource(Array(line.utf8))).events.first)
        #expect(e.fields[.actor] == "arn:aws:iam::111122223333:role/Admin")
    }

    @Test("session ARNs become role ARNs; other ARNs stay", arguments: [
        ("arn:aws:sts::1:assumed-role/Deployer/ci-bot", "arn:aws:iam::1:role/Deployer"),
        ("arn:aws-cn:sts::2:assumed-role/R/s", "arn:aws-cn:iam::2:role/R"),
        ("arn:aws:iam::1:user/alice", "arn:aws:iam::1:user/alice"),
        ("arn:aws:sts::1:federated-user/bob", "arn:aws:sts::1:federated-user/bob"),
        ("not-an-arn", "not-an-arn"),
    ])
    func canonical(arn: String, expected: String) {
        #expect(ActorCorrelator.canonical(arn) == expected)
    }
}
