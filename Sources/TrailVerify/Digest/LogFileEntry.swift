/// One `logFiles[]` entry of a digest: a log file CloudTrail delivered in the digest's hour.
public struct LogFileEntry: Sendable, Equatable {
    /// The bucket the log file was delivered to.
    public var s3Bucket: String
    /// The object key of the log file (`AWSLogs/…/CloudTrail/…/*.json.gz`, after any prefix).
    public var s3Object: String
    /// Hex SHA-256 of the log file's *uncompressed* bytes (AWS: "compute the SHA-256 hash value on
    /// the uncompressed contents of the log file"; the AWS CLI hashes the gunzipped stream).
    public var hashValue: String
    /// The hash's algorithm; CloudTrail writes `SHA-256`, the only one this verifier knows.
    public var hashAlgorithm: String
}
