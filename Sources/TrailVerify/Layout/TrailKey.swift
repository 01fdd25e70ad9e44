import AuditCore

/// Where a CloudTrail object sits in the S3 layout (FORMATS.md §1.1, §1.4), read from an S3 key
/// or from a local path that mirrors one.
///
/// Files are matched between digests and the local copy by ``awsLogsKey``, the key from its
/// `AWSLogs/` component on: the bucket name, any key prefix and the local folder the copy was
/// made into are not part of it, so `aws s3 sync s3://bucket/prefix ./copy` and
/// `aws s3 sync s3://bucket ./copy` both verify.
public struct TrailKey: Sendable, Hashable {
    /// What the object is.
    public enum Kind: Sendable, Hashable {
        /// A log file under `CloudTrail/`.
        case log
        /// A digest file under `CloudTrail-Digest/`.
        case digest
    }

    public var kind: Kind
    /// The key from `AWSLogs/` on, e.g. `AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/17/…json.gz`.
    public var awsLogsKey: String
    /// Account (and organization) and delivering region: `AWSLogs/111122223333|us-east-2`. Logs
    /// and digests of one scope are delivered by the same region for the same account.
    public var scope: String
    /// The file name, last path component.
    public var fileName: String
    /// Delivery time from the file name, ns since the epoch UTC: the minute for a log file
    /// (`…_20150801T0210Z_….json.gz`), the second for a digest (`…_20150817T150131Z.json.gz`).
    /// Nil when the name carries no such time.
    public var nameTime: Int64?
    /// For a digest: its chain's identity, the scope plus the file name without its timestamp
    /// (`<acct>_CloudTrail-Digest_<region>_<trail>_<home-region>`): one trail's digests in one region.
    public var chain: String

    /// Reads `path` (an S3 key or a local path; `/`-separated). Nil when it is not under
    /// `AWSLogs/…/CloudTrail/<region>/` or `AWSLogs/…/CloudTrail-Digest/<region>/`, or not `.json.gz`.
    public init?(path: String) {
        guard path.hasSuffix(".json.gz") else { return nil }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let logsIndex = parts.firstIndex(of: "AWSLogs") else { return nil }
        var kindIndex: Int?
        var kind = Kind.log
        for i in (logsIndex + 1)..<parts.count where parts[i] == "CloudTrail" || parts[i] == "CloudTrail-Digest" {
            kindIndex = i
            kind = parts[i] == "CloudTrail" ? .log : .digest
            break
        }
        // Account folder(s) before the kind; region, date folders and the name after it.
        guard let k = kindIndex, k > logsIndex + 1, k + 2 < parts.count else { return nil }
        self.kind = kind
        awsLogsKey = parts[logsIndex...].joined(separator: "/")
        scope = parts[logsIndex..<k].joined(separator: "/") + "|" + parts[k + 1]
        fileName = parts[parts.count - 1]
        let stem = String(fileName.dropLast(".json.gz".count))
        let tokens = stem.split(separator: "_", omittingEmptySubsequences: false)
        switch kind {
        case .log:
            // <acct>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>: the time is the token before last.
            nameTime = tokens.count >= 2 ? Self.parseNameTime(String(tokens[tokens.count - 2])) : nil
            chain = ""
        case .digest:
            // <acct>_CloudTrail-Digest_<region>_<trail>_<home>_<YYYYMMDDTHHmmssZ>: the last token.
            nameTime = tokens.last.flatMap { Self.parseNameTime(String($0)) }
            chain = scope + "|" + tokens.dropLast().joined(separator: "_")
        }
    }

    /// `20150801T0210Z` or `20150817T150131Z` → ns since the epoch.
    static func parseNameTime(_ token: String) -> Int64? {
        let utf8 = Array(token.utf8)
        // The basic ISO form Timestamp.parse knows needs seconds; a log file name has none.
        if utf8.count == 14, utf8[8] == UInt8(ascii: "T"), utf8[13] == UInt8(ascii: "Z") {
            return Timestamp.parse(String(token.dropLast()) + "00Z")
        }
        guard utf8.count == 16 else { return nil }
        return Timestamp.parse(token)
    }
}
