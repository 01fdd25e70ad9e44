import AuditCore

/// `since=` / `until=`: the time window of a query, as a duration back from now (`1h`, `7d`)
/// or a time (`2026-11-24T10:00:00Z`, `2026-11-24`). `since` is inclusive, `until` exclusive.
public struct TimeRange: Sendable, Equatable {
    /// Earliest time included, ns UTC.
    public var since: Int64?
    /// First time excluded, ns UTC.
    public var until: Int64?

    public init(since: Int64? = nil, until: Int64? = nil) {
        self.since = since
        self.until = until
    }

    /// The closed range of nanoseconds to read, or nil for everything.
    public var closedRange: ClosedRange<Int64>? {
        if since == nil && until == nil { return nil }
        let lower = since ?? Int64.min
        let upper = until.map { $0 == Int64.min ? $0 : $0 - 1 } ?? Int64.max
        return lower <= upper ? lower...upper : lower...lower
    }

    /// Whether the window is empty (since at or after until).
    public var isEmpty: Bool {
        guard let since, let until else { return false }
        return since >= until
    }

    @inline(__always)
    public func contains(_ time: Int64) -> Bool {
        if let since, time < since { return false }
        if let until, time >= until { return false }
        return true
    }

    /// Parses the value of `since=` / `until=` relative to `now` (ns UTC): a duration back
    /// from now (`1h`), `now`, `now-1h`, a time (`2026-11-24T10:00:00Z`, also without seconds
    /// or zone: `2026-11-24T10:00`, UTC) or a date (`2026-11-24`).
    public static func parseBound(_ text: String, now: Int64, name: String, column: Int) throws(QueryError) -> Int64 {
        if let duration = DurationParser.parse(text) { return now - duration }
        if let t = Timestamp.parse(text) { return t }
        if text.utf8.count == 10, let t = Timestamp.parse(text + "T00:00:00Z") { return t }
        if text == "now" { return now }
        if text.hasPrefix("now-"), let duration = DurationParser.parse(String(text.dropFirst(4))) { return now - duration }
        // Minutes without seconds (`2026-11-23T12:30`, `…12:30Z`), and times without a zone: UTC.
        let bare = text.hasSuffix("Z") ? String(text.dropLast()) : text
        if bare.utf8.count == 16, let t = Timestamp.parse(bare + ":00Z") { return t }
        if bare.utf8.count >= 19, !text.hasSuffix("Z"), let t = Timestamp.parse(bare + "Z") { return t }
        throw QueryError(
            column: column,
            message: "expected a duration (30m, 1h, 7d, now-1h) or a time (2026-11-24T10:00:00Z, 2026-11-24T10:00) after '\(name)=', found '\(text)'")
    }
}
