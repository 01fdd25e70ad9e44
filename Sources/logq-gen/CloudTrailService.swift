/// An AWS service as CloudTrail names it, with the details every record of it shares.
struct CloudTrailService: Sendable {
    /// The services this generator knows, for switching on.
    enum Kind: Sendable {
        case ec2, s3, iam, sts, eks, kms, monitoring, logs, lambda, ecr, ssm, signin
    }

    let kind: Kind
    /// `eventSource`, e.g. `ec2.amazonaws.com`.
    let eventSource: StaticString
    /// Host name prefix of its regional endpoint (`ec2` → `ec2.eu-west-1.amazonaws.com`).
    let endpoint: StaticString
    /// True for global services whose endpoint has no region (`iam.amazonaws.com`).
    let isGlobal: Bool
    /// `eventVersion` its records carry (services move to new versions at different times).
    let eventVersion: StaticString
    /// Short name used in SDK user agents and IAM actions (`ec2`, `s3`, `iam`).
    let prefix: StaticString

    static let ec2 = CloudTrailService(kind: .ec2, eventSource: "ec2.amazonaws.com", endpoint: "ec2", isGlobal: false, eventVersion: "1.11", prefix: "ec2")
    static let s3 = CloudTrailService(kind: .s3, eventSource: "s3.amazonaws.com", endpoint: "s3", isGlobal: false, eventVersion: "1.11", prefix: "s3")
    static let iam = CloudTrailService(kind: .iam, eventSource: "iam.amazonaws.com", endpoint: "iam", isGlobal: true, eventVersion: "1.11", prefix: "iam")
    static let sts = CloudTrailService(kind: .sts, eventSource: "sts.amazonaws.com", endpoint: "sts", isGlobal: false, eventVersion: "1.11", prefix: "sts")
    static let eks = CloudTrailService(kind: .eks, eventSource: "eks.amazonaws.com", endpoint: "eks", isGlobal: false, eventVersion: "1.11", prefix: "eks")
    static let kms = CloudTrailService(kind: .kms, eventSource: "kms.amazonaws.com", endpoint: "kms", isGlobal: false, eventVersion: "1.08", prefix: "kms")
    static let monitoring = CloudTrailService(kind: .monitoring, eventSource: "monitoring.amazonaws.com", endpoint: "monitoring", isGlobal: false, eventVersion: "1.11", prefix: "cloudwatch")
    static let logs = CloudTrailService(kind: .logs, eventSource: "logs.amazonaws.com", endpoint: "logs", isGlobal: false, eventVersion: "1.11", prefix: "logs")
    static let lambda = CloudTrailService(kind: .lambda, eventSource: "lambda.amazonaws.com", endpoint: "lambda", isGlobal: false, eventVersion: "1.11", prefix: "lambda")
    static let ecr = CloudTrailService(kind: .ecr, eventSource: "ecr.amazonaws.com", endpoint: "api.ecr", isGlobal: false, eventVersion: "1.11", prefix: "ecr")
    static let ssm = CloudTrailService(kind: .ssm, eventSource: "ssm.amazonaws.com", endpoint: "ssm", isGlobal: false, eventVersion: "1.09", prefix: "ssm")
    static let signin = CloudTrailService(kind: .signin, eventSource: "signin.amazonaws.com", endpoint: "signin", isGlobal: true, eventVersion: "1.08", prefix: "signin")
}

/// The regions the trail delivers from, busiest first, with their share of the calls.
enum CloudTrailRegion {
    static let names = ["us-east-1", "eu-west-1", "eu-central-1", "us-west-2"]
    /// Relative call volume: us-east-1 also carries the global services (IAM, STS, sign-in).
    static let weights = [0.40, 0.30, 0.15, 0.15]
    static let usEast1 = 0
    static let euWest1 = 1
}
