import AuditCore

/// `every 5m` after `count` or `stats`: groups events into time buckets of a fixed width,
/// aligned to the Unix epoch (so `every 1h` buckets start on the hour, UTC).
public struct TimeBucket: Sendable, Equatable, CustomStringConvertible {
    /// Bucket width, ns.
    public var width: Int64
    /// The width as the user wrote it (`5m`), for descriptions.
    public var text: String

    public init(width: Int64, text: String) {
        self.width = width
        self.text = text
    }

    /// Parses `every D` if the next word is `every`; nil when it is not.
    static func parse(_ p: inout QueryParser) throws(QueryError) -> TimeBucket? {
        guard p.acceptWord("every") else { return nil }
        let token = p.peek
        guard case .word(let text) = token.kind, let width = DurationParser.parse(text), width > 0 else {
            throw QueryError(
                column: token.column,
                message: "expected a bucket width (30s, 5m, 1h, 1d) after 'every', found \(token.display)")
        }
        p.advance()
        return TimeBucket(width: width, text: text)
    }

    /// The start of the bucket holding `time` (ns UTC), rounding down for times before 1970.
    @inline(__always)
    public func start(_ time: Int64) -> Int64 {
        let r = time % width
        return r < 0 ? time - r - width : time - r
    }

    /// A bucket start as printed: `2026-11-24T10:05:00Z`.
    public static func format(_ start: Int64) -> String {
        Timestamp.format(start, fractionDigits: 0)
    }

    public var description: String { "every \(text)" }
}
