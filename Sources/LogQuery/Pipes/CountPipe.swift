import AuditCore
import SegmentStore

/// `| count [by f…] [every D]`: the number of matching events, per group of the named
/// fields' values and, with `every`, per time bucket.
public struct CountPipe: Sendable, Equatable, CustomStringConvertible {
    /// The fields to group by; empty for a single total.
    public var by: [FieldRef]
    /// Time buckets, or nil for none.
    public var every: TimeBucket?

    public init(by: [FieldRef], every: TimeBucket? = nil) {
        self.by = by
        self.every = every
    }

    /// Parses what follows `count` (`by user,verb`, `by user verb`, `every 5m`).
    static func parse(_ p: inout QueryParser) throws(QueryError) -> CountPipe {
        let by = try parseBy(&p)
        return CountPipe(by: by, every: try TimeBucket.parse(&p))
    }

    /// `by f…` if present: field names separated by commas or spaces, up to `every` or a pipe.
    static func parseBy(_ p: inout QueryParser) throws(QueryError) -> [FieldRef] {
        let byColumn = p.peek.column
        guard p.acceptWord("by") else { return [] }
        var fields: [FieldRef] = []
        while p.peekIsWord, p.peek.kind != .word("every") {
            fields.append(try p.fieldName())
            _ = p.accept(.comma)
        }
        guard !fields.isEmpty else {
            throw QueryError(column: p.peekIsEnd ? byColumn : p.peek.column, message: "expected a field name after 'by', found \(p.peek.display)")
        }
        return fields
    }

    /// The running state: counts per group key.
    public struct State {
        /// The pipe being run.
        public let pipe: CountPipe
        /// Count per group: the bucket start in decimal ns when `every` is set, then the
        /// fields' values in `by` order.
        public private(set) var counts: [[String]: Int] = [:]

        public init(pipe: CountPipe) {
            self.pipe = pipe
        }

        public mutating func add(_ event: AuditEvent) {
            var key = pipe.by.map { $0.value(in: event) }
            if let every = pipe.every { key.insert(String(every.start(event.time)), at: 0) }
            counts[key, default: 0] += 1
        }

        /// Adds the counts of another state of the same pipe (from another thread).
        public mutating func merge(_ other: State) {
            for (key, count) in other.counts { counts[key, default: 0] += count }
        }

        /// Counts rows of a block, reading only the grouped fields. Grouping by one dictionary
        /// column counts dictionary indices and names each group once per block.
        public mutating func add(_ view: BlockView, _ rows: [Int]) {
            if pipe.every == nil, pipe.by.count == 1, case .field(let field) = pipe.by[0],
                case .dictionary(_, let starts, _, let indices) = view.column(field)
            {
                var perEntry = [Int](repeating: 0, count: starts.count)
                for row in rows { perEntry[Int(indices[row])] += 1 }
                let column = view.column(field)
                for (k, n) in perEntry.enumerated() where n > 0 {
                    counts[[column.withEntry(k) { String(decoding: $0, as: UTF8.self) }], default: 0] += n
                }
                return
            }
            if pipe.by.isEmpty, pipe.every == nil {
                counts[[], default: 0] += rows.count
                return
            }
            for row in rows {
                var key = pipe.by.map { $0.value(in: view, row) }
                if let every = pipe.every { key.insert(String(every.start(view.time(row))), at: 0) }
                counts[key, default: 0] += 1
            }
        }

        /// Adds a block that matches whole from its summary alone: the total, or the counts
        /// per value of one summarized field. False (nothing added) when the summary cannot say.
        public mutating func add(summary: BlockSummary, events: Int) -> Bool {
            guard pipe.every == nil else { return false }
            if pipe.by.isEmpty {
                counts[[], default: 0] += events
                return true
            }
            guard pipe.by.count == 1, case .field(let field) = pipe.by[0], let perValue = summary.counts(field),
                perValue.reduce(0, { $0 + $1.count }) == events
            else { return false }
            for entry in perValue {
                counts[[String(decoding: entry.value, as: UTF8.self)], default: 0] += entry.count
            }
            return true
        }

        /// Groups by descending count, then by key; with `every`, by bucket first.
        public var rows: [(key: [String], count: Int)] {
            let bucketed = pipe.every != nil
            return counts.map { (key: $0.key, count: $0.value) }.sorted {
                if bucketed, $0.key[0] != $1.key[0] { return Int64($0.key[0])! < Int64($1.key[0])! }
                return $0.count != $1.count ? $0.count > $1.count : $0.key.lexicographicallyPrecedes($1.key)
            }
        }

        /// The counts as a table: `[time,] count, by…`; a single 0 when nothing matched and
        /// there is no grouping.
        public var table: ResultTable {
            let bucketed = pipe.every != nil
            var columns = ["count"] + pipe.by.map(\.description)
            var numeric = [true] + pipe.by.map { _ in false }
            if bucketed {
                columns.insert("time", at: 0)
                numeric.insert(false, at: 0)
            }
            var out: [[String]] = rows.map { row in
                guard bucketed else { return [String(row.count)] + row.key }
                return [TimeBucket.format(Int64(row.key[0])!), String(row.count)] + row.key.dropFirst()
            }
            if out.isEmpty, pipe.by.isEmpty, !bucketed { out = [["0"]] }
            return ResultTable(columns: columns, numeric: numeric, rows: out)
        }
    }

    public var description: String {
        var text = by.isEmpty ? "count" : "count by " + by.map(\.description).joined(separator: ",")
        if let every { text += " " + every.description }
        return text
    }
}
