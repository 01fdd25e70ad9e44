@testable import MetricsAgg
import Testing

/// A CloudTrail record with the given identity type, call and outcome.
func trailRecord(
    _ id: String, type: String = "IAMUser", user: String = "alice", source: String = "s3.amazonaws.com", name: String,
    region: String = "eu-west-1", error: String? = nil, consoleLogin: String? = nil, mfa: String? = nil
) -> String {
    let errorText = error.map { ",\"errorCode\":\"\($0)\"" } ?? ""
    let response = consoleLogin.map { "{\"ConsoleLogin\":\"\($0)\"}" } ?? "null"
    let extra = mfa.map { ",\"additionalEventData\":{\"LoginTo\":\"https://console.aws.amazon.com\",\"MobileVersion\":\"No\",\"MFAUsed\":\"\($0)\"}" } ?? ""
    let arn = type == "Root" ? "arn:aws:iam::111122223333:root" : "arn:aws:iam::111122223333:user/\(user)"
    return """
        {"eventVersion":"1.11","userIdentity":{"type":"\(type)","principalId":"AIDA\(id)","arn":"\(arn)","accountId":"111122223333"\(type == "Root" ? "" : ",\"userName\":\"\(user)\"")},"eventTime":"2026-11-24T10:00:0\(id.count % 10)Z","eventSource":"\(source)","eventName":"\(name)","awsRegion":"\(region)","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.15.0","requestParameters":null,"responseElements":\(response)\(extra),"eventID":"ev-\(id)","readOnly":false,"eventType":"AwsApiCall","recipientAccountId":"111122223333"\(errorText)}
        """
}

@Suite("CloudTrail call metrics")
struct CloudTrailMetricsTests {
    static let records = [
        trailRecord("1", name: "GetObject"),
        trailRecord("2", name: "GetObject"),
        trailRecord("3", name: "PutObject", error: "AccessDenied"),
        trailRecord("4", type: "AssumedRole", source: "ec2.amazonaws.com", name: "RunInstances", region: "us-east-1", error: "UnauthorizedOperation"),
        trailRecord("5", source: "signin.amazonaws.com", name: "ConsoleLogin", region: "us-east-1", consoleLogin: "Success", mfa: "No"),
        trailRecord("6", source: "signin.amazonaws.com", name: "ConsoleLogin", region: "us-east-1", consoleLogin: "Success", mfa: "Yes"),
        trailRecord("7", source: "signin.amazonaws.com", name: "ConsoleLogin", region: "us-east-1", consoleLogin: "Failure", mfa: "No"),
        trailRecord("8", type: "Root", source: "signin.amazonaws.com", name: "ConsoleLogin", region: "us-east-1", consoleLogin: "Success", mfa: "No"),
        trailRecord("9", type: "Root", source: "iam.amazonaws.com", name: "CreateAccessKey", region: "us-east-1"),
    ]

    @Test("calls by service, event, region and identity type; errors by errorCode")
    func calls() throws {
        let (temp, directory) = try store(lines: Self.records)
        _ = temp
        let a = try aggregate(directory)
        #expect(value(a, "logq_cloudtrail_calls", ["s3.amazonaws.com", "GetObject", "eu-west-1", "IAMUser"]) == 2)
        #expect(value(a, "logq_cloudtrail_calls", ["ec2.amazonaws.com", "RunInstances", "us-east-1", "AssumedRole"]) == 1)
        #expect(value(a, "logq_cloudtrail_calls", ["signin.amazonaws.com", "ConsoleLogin", "us-east-1", "IAMUser"]) == 3)
        #expect(a.samples("logq_cloudtrail_calls").map(\.value).reduce(0, +) == 9)
        #expect(value(a, "logq_cloudtrail_errors", ["s3.amazonaws.com", "AccessDenied"]) == 1)
        #expect(value(a, "logq_cloudtrail_errors", ["ec2.amazonaws.com", "UnauthorizedOperation"]) == 1)
        // A failed console sign-in has no errorCode; logq records it as Failure.
        #expect(value(a, "logq_cloudtrail_errors", ["signin.amazonaws.com", "Failure"]) == 1)
    }

    @Test("console sign-ins by result, those without MFA, and root use")
    func signIns() throws {
        let (temp, directory) = try store(lines: Self.records)
        _ = temp
        let a = try aggregate(directory)
        #expect(value(a, "logq_cloudtrail_console_signins", ["success", "IAMUser"]) == 2)
        #expect(value(a, "logq_cloudtrail_console_signins", ["failure", "IAMUser"]) == 1)
        #expect(value(a, "logq_cloudtrail_console_signins", ["success", "Root"]) == 1)
        #expect(value(a, "logq_cloudtrail_console_signins_without_mfa", ["IAMUser"]) == 1)
        #expect(value(a, "logq_cloudtrail_console_signins_without_mfa", ["Root"]) == 1)
        #expect(value(a, "logq_cloudtrail_root_calls", ["ConsoleLogin"]) == 1)
        #expect(value(a, "logq_cloudtrail_root_calls", ["CreateAccessKey"]) == 1)
    }

    @Test("the identity type and MFA use are read from the original record")
    func identity() {
        let raw = Array(trailRecord("5", name: "ConsoleLogin", consoleLogin: "Success", mfa: "No").utf8)
        let (type, mfa) = CloudTrailMetrics.identity(raw)
        #expect(type == "IAMUser")
        #expect(mfa == "No")
        #expect(CloudTrailMetrics.identity(Array("not json".utf8)) == ("", ""))
    }
}
