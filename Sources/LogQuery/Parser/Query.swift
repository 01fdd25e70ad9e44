/// A parsed query: a filter, a time window and pipes.
public struct Query: Sendable, CustomStringConvertible {
    /// Which events pass.
    public var filter: FilterExpression
    /// The time window from `since=` / `until=`.
    public var timeRange: TimeRange
    /// Stages after the filter, in order.
    public var pipes: [Pipe]

    public init(filter: FilterExpression = .all, timeRange: TimeRange = TimeRange(), pipes: [Pipe] = []) {
        self.filter = filter
        self.timeRange = timeRange
        self.pipes = pipes
    }

    /// Parses `text`; durations in `since=` count back from `now` (ns UTC).
    public static func parse(_ text: String, now: Int64) throws(QueryError) -> Query {
        var parser = QueryParser(tokens: try QueryLexer.tokenize(text), now: now)
        return try parser.parseQuery()
    }

    public var description: String {
        var parts: [String] = []
        if case .all = filter {} else { parts.append(filter.description) }
        if let since = timeRange.since { parts.append("since=\(since)") }
        if let until = timeRange.until { parts.append("until=\(until)") }
        for pipe in pipes { parts.append("| \(pipe)") }
        return parts.joined(separator: " ")
    }
}
