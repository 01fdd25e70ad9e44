import AuditCore

/// `| sort by k [desc] [, k2 [asc]…]`: orders events (by fields, or `time`) or the rows of an
/// aggregate (by column: `count`, `user`, `p99(latency)`). Values that are both numbers compare
/// as numbers, others as text; ties keep their order.
///
/// Sorting events holds them in memory, up to ``QueryLimits/sortBudgetBytes`` (then the query
/// stops with an error), except before `| head N`, which keeps only the first N (see ``EventChain``).
public struct SortPipe: Sendable, Equatable, CustomStringConvertible {
    /// One sort key: a name as written (a field, `time`, or an aggregate's column) and its direction.
    public struct Key: Sendable, Equatable {
        public var name: String
        public var descending: Bool
        /// The field, when `name` is one (for events).
        public var field: FieldRef?

        public init(name: String, descending: Bool = false) {
            self.name = name
            self.descending = descending
            field = FieldRef(name: name)
        }
    }

    public var keys: [Key]
    /// Column of `sort` in the query, for errors found when the pipe runs.
    public var column: Int

    public init(keys: [Key], column: Int = 1) {
        self.keys = keys
        self.column = column
    }

    static func parse(_ p: inout QueryParser, column: Int) throws(QueryError) -> SortPipe {
        guard p.acceptWord("by") else {
            throw QueryError(column: p.peekIsEnd ? column : p.peek.column, message: "expected 'by' after 'sort', found \(p.peek.display)")
        }
        var keys: [Key] = []
        repeat {
            guard p.peekIsWord else {
                throw QueryError(column: p.peek.column, message: "expected a field or column name after 'sort by', found \(p.peek.display)")
            }
            let name = try p.columnName()
            var descending = false
            if p.acceptWord("desc") {
                descending = true
            } else {
                _ = p.acceptWord("asc")
            }
            keys.append(Key(name: name, descending: descending))
        } while p.accept(.comma)
        return SortPipe(keys: keys, column: column)
    }

    /// Compares two cells: as numbers when both are, else as text. Returns <0, 0, >0.
    static func compare(_ a: String, _ b: String) -> Int {
        if let x = Double(a), let y = Double(b) { return x < y ? -1 : (x > y ? 1 : 0) }
        return a < b ? -1 : (a > b ? 1 : 0)
    }

    /// Whether row `a` goes before row `b`, given each row's key cells.
    func precedes(_ a: [String], _ b: [String]) -> Bool {
        for (i, key) in keys.enumerated() {
            let c = Self.compare(a[i], b[i])
            if c != 0 { return key.descending ? c > 0 : c < 0 }
        }
        return false
    }

    /// The key cells of an event: `time` as its ns, fields by value.
    func cells(_ event: AuditEvent) -> [String] {
        keys.map { key in
            if key.name == "time" { return String(event.time) }
            return key.field?.value(in: event) ?? ""
        }
    }

    /// Checks the keys name fields (for events) and returns an error naming the bad one.
    func checkForEvents() throws(QueryError) {
        for key in keys where key.name != "time" && key.field == nil {
            throw QueryError(column: column, message: "cannot sort events by '\(key.name)': expected a field name or 'time'")
        }
    }

    /// Sorts the rows of `table` (stable).
    func apply(_ table: ResultTable) throws(QueryError) -> ResultTable {
        var indexes: [Int] = []
        for key in keys {
            guard let i = table.column(named: key.name) else {
                throw QueryError(
                    column: column,
                    message: "cannot sort by '\(key.name)': expected one of the columns \(table.columns.joined(separator: ", "))")
            }
            indexes.append(i)
        }
        var out = table
        let keyed = table.rows.map { row in (indexes.map { row[$0] }, row) }
        out.rows = keyed.enumerated().sorted { x, y in
            if precedes(x.element.0, y.element.0) { return true }
            if precedes(y.element.0, x.element.0) { return false }
            return x.offset < y.offset
        }.map(\.element.1)
        return out
    }

    public var description: String {
        "sort by " + keys.map { $0.name + ($0.descending ? " desc" : "") }.joined(separator: ", ")
    }
}
