import AuditCore
import Testing
import TrailVerify

@Suite struct TrailKeyTests {
    @Test func readsALogFileKeyWithPrefixAndItsDeliveryMinute() throws {
        let key = try #require(
            TrailKey(path: "/copy/bucket/prefix/AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/111122223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz"))
        #expect(key.kind == .log)
        #expect(key.awsLogsKey.hasPrefix("AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/"))
        #expect(key.scope == "AWSLogs/111122223333|us-east-2")
        #expect(key.nameTime == Timestamp.parse("2015-08-01T02:10:00Z"))
    }

    @Test func readsAnOrganizationDigestKeyAndItsChain() throws {
        let key = try #require(
            TrailKey(path: "AWSLogs/o-abc123/111122223333/CloudTrail-Digest/eu-west-1/2015/08/17/111122223333_CloudTrail-Digest_eu-west-1_org-trail_us-east-1_20150817T150131Z.json.gz"))
        #expect(key.kind == .digest)
        #expect(key.scope == "AWSLogs/o-abc123/111122223333|eu-west-1")
        #expect(key.chain == "AWSLogs/o-abc123/111122223333|eu-west-1|111122223333_CloudTrail-Digest_eu-west-1_org-trail_us-east-1")
        #expect(key.nameTime == Timestamp.parse("2015-08-17T15:01:31Z"))
    }

    @Test(arguments: [
        "AWSLogs/111122223333/CloudTrail-Insight/us-east-2/2015/08/01/x.json.gz",
        "AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/x.json",
        "logs/111122223333/CloudTrail/us-east-2/2015/08/01/x.json.gz",
        "AWSLogs/CloudTrail/us-east-2/x.json.gz",
    ])
    func otherFilesAreNotTrailFiles(path: String) {
        #expect(TrailKey(path: path) == nil)
    }
}
