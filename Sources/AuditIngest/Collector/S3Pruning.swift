import AuditCore

/// Skips files and folders of the CloudTrail S3 layout copied to disk
/// (`…/AWSLogs/[o-…/]<acct>/CloudTrail/<region>/<YYYY>/<MM>/<DD>/…`, FORMATS.md §1.1) whose
/// region or delivery day the options exclude, without opening them.
///
/// The day in the key is the **delivery** day and a file holds records from before it, so a
/// file is skipped only when its day ends before `since`, or begins more than one day after
/// `until` (records delivered over a day late are assumed not to exist; AWS delivers within
/// minutes). Paths outside the layout are always read.
public struct S3Pruning: Sendable {
    public var since: Int64?
    public var until: Int64?
    public var regions: Set<String>

    public init(since: Int64? = nil, until: Int64? = nil, regions: Set<String> = []) {
        self.since = since
        self.until = until
        self.regions = regions
    }

    /// Whether pruning is asked for at all.
    public var isActive: Bool { since != nil || until != nil || !regions.isEmpty }

    /// The region and (when the path goes that deep) delivery day of a path in the layout.
    public static func key(_ path: String) -> (region: String, day: Int64?)? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard let logs = parts.lastIndex(where: { $0 == "AWSLogs" }) else { return nil }
        guard let trail = parts[logs...].firstIndex(where: { $0 == "CloudTrail" || $0 == "CloudTrail-Digest" || $0 == "CloudTrail-Insight" }),
            trail + 1 < parts.count
        else { return nil }
        let region = String(parts[trail + 1])
        guard trail + 4 < parts.count, let y = Int(parts[trail + 2]), let m = Int(parts[trail + 3]), let d = Int(parts[trail + 4]),
            (1...12).contains(m), (1...31).contains(d)
        else { return (region, nil) }
        let day = Int64(Timestamp.daysFromCivil(year: y, month: m, day: d)) * 86_400 * Timestamp.nanosPerSecond
        return (region, day)
    }

    /// Whether the file or folder at `path` may hold wanted records.
    public func allows(_ path: String) -> Bool {
        guard isActive, let key = Self.key(path) else { return true }
        if !regions.isEmpty, !regions.contains(key.region) { return false }
        guard let day = key.day else { return true }
        let dayNanos = 86_400 * Timestamp.nanosPerSecond
        if let since, day + dayNanos <= since { return false }
        if let until, day > until + dayNanos { return false }
        return true
    }
}
