/// The outcome of validating a local copy of a trail: problems (each a failure), notes (facts
/// a reader should know that are not failures, such as what could not be checked offline), and
/// counts for the summary.
public struct TrailReport: Sendable {
    /// Failures, sorted by path.
    public var problems: [TrailProblem] = []
    /// Facts that are not failures: the newest digest's signature not checkable offline, log
    /// files delivered after the newest digest, the start of the copy's chain.
    public var notes: [String] = []
    /// Digest files found.
    public var digests = 0
    /// Log files listed in digests whose hash was computed and compared.
    public var logFilesChecked = 0
    /// Log files in the copy that no digest lists and that lie outside every digest's window.
    public var logFilesUndigested = 0
    /// Digest signatures that verified with a supplied key.
    public var signaturesVerified = 0
    /// Digests whose signature is not in the copy (chain tips: it lives in S3 object metadata).
    public var signaturesUnavailable = 0
    /// Public keys supplied; 0 means signatures were not checked.
    public var keysSupplied = 0

    public init() {}

    /// True when nothing failed.
    public var isClean: Bool { problems.isEmpty }

    /// One line: what was checked and how many problems.
    public var summary: String {
        var parts = ["\(digests) digest file\(digests == 1 ? "" : "s")", "\(logFilesChecked) log file\(logFilesChecked == 1 ? "" : "s") hashed"]
        if keysSupplied == 0 {
            parts.append("signatures not checked (no --public-key)")
        } else {
            parts.append("\(signaturesVerified) signature\(signaturesVerified == 1 ? "" : "s") verified")
            parts.append("\(signaturesUnavailable) not checkable offline")
        }
        if logFilesUndigested > 0 { parts.append("\(logFilesUndigested) log files outside every digest window") }
        let verdict = problems.isEmpty ? "OK" : "FAILED: \(problems.count) problem\(problems.count == 1 ? "" : "s")"
        return "cloudtrail verify: " + parts.joined(separator: ", ") + ": " + verdict
    }
}
