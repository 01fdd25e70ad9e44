import AuditCore
import SegmentStore

/// `| stats f(…)… [by f…] [every D]`: functions (``StatsFunction``) of the matching events,
/// per group of the `by` fields' values and, with `every`, per time bucket.
///
/// Prints one row per group: the bucket (`time`), the `by` values, then one column per
/// function named as written (`p99(latency)`), groups in key order (buckets by time).
public struct StatsPipe: Sendable, Equatable, CustomStringConvertible {
    public var functions: [StatsFunction]
    public var by: [FieldRef]
    public var every: TimeBucket?

    public init(functions: [StatsFunction], by: [FieldRef] = [], every: TimeBucket? = nil) {
        self.functions = functions
        self.by = by
        self.every = every
    }

    static func parse(_ p: inout QueryParser, column: Int) throws(QueryError) -> StatsPipe {
        var functions: [StatsFunction] = []
        while p.peekIsWord, p.peek.kind != .word("by"), p.peek.kind != .word("every") {
            functions.append(try StatsFunction.parse(&p))
            _ = p.accept(.comma)
        }
        guard !functions.isEmpty else {
            throw QueryError(
                column: p.peekIsEnd ? column : p.peek.column,
                message: "expected a stats function (\(StatsFunction.names)) after 'stats', found \(p.peek.display)")
        }
        let by = try CountPipe.parseBy(&p)
        return StatsPipe(functions: functions, by: by, every: try TimeBucket.parse(&p))
    }

    /// The running state: per group, an event count and one accumulator per function.
    public struct State {
        public let pipe: StatsPipe
        /// Per group key (bucket start in decimal ns first when `every` is set, then the `by`
        /// values): its slot in ``events`` and ``accumulators``.
        var slots: [[String]: Int] = [:]
        /// Per slot: events counted.
        var events: [Int] = []
        /// Per slot: one accumulator per function. Updated in place (no copy per event).
        var accumulators: [[StatsFunction.Accumulator]] = []

        public init(pipe: StatsPipe) {
            self.pipe = pipe
        }

        private mutating func slot(_ key: [String]) -> Int {
            if let slot = slots[key] { return slot }
            slots[key] = events.count
            events.append(0)
            accumulators.append(Array(repeating: StatsFunction.Accumulator(), count: pipe.functions.count))
            return events.count - 1
        }

        public mutating func add(_ event: AuditEvent) {
            var key = pipe.by.map { $0.value(in: event) }
            if let every = pipe.every { key.insert(String(every.start(event.time)), at: 0) }
            let g = slot(key)
            events[g] += 1
            for (i, function) in pipe.functions.enumerated() {
                guard let field = function.field else { continue }
                field.forEachValue(in: event) { bytes in function.add(bytes, to: &accumulators[g][i]) }
            }
        }

        /// Folds the rows of a block, reading only the fields the pipe names.
        public mutating func add(_ view: BlockView, _ rows: [Int]) {
            for row in rows {
                var key = pipe.by.map { $0.value(in: view, row) }
                if let every = pipe.every { key.insert(String(every.start(view.time(row))), at: 0) }
                let g = slot(key)
                events[g] += 1
                for (i, function) in pipe.functions.enumerated() {
                    guard let field = function.field else { continue }
                    field.forEachValue(in: view, row) { bytes in function.add(bytes, to: &accumulators[g][i]) }
                }
            }
        }

        /// Adds another state of the same pipe (from another thread).
        public mutating func merge(_ other: State) {
            for (key, theirs) in other.slots {
                let g = slot(key)
                events[g] += other.events[theirs]
                for i in accumulators[g].indices { accumulators[g][i].merge(other.accumulators[theirs][i]) }
            }
        }

        /// The results: `[time,] by…, functions…`, groups in key order (buckets by time). With
        /// no grouping and no events, one row (count() 0, others empty).
        public var table: ResultTable {
            let bucketed = pipe.every != nil
            var columns = pipe.by.map(\.description) + pipe.functions.map(\.description)
            var numeric = pipe.by.map { _ in false } + pipe.functions.map { _ in true }
            if bucketed {
                columns.insert("time", at: 0)
                numeric.insert(false, at: 0)
            }
            var keys = slots.keys.sorted { a, b in
                if bucketed, a[0] != b[0] { return Int64(a[0])! < Int64(b[0])! }
                return a.lexicographicallyPrecedes(b)
            }
            var state = self
            if keys.isEmpty, pipe.by.isEmpty, !bucketed {
                keys = [[]]
                _ = state.slot([])
            }
            let rows = keys.map { key -> [String] in
                let g = state.slots[key]!
                var cells = bucketed ? [TimeBucket.format(Int64(key[0])!)] + key.dropFirst() : key
                for (i, function) in pipe.functions.enumerated() {
                    cells.append(function.result(state.accumulators[g][i], events: state.events[g]))
                }
                return cells
            }
            return ResultTable(columns: columns, numeric: numeric, rows: rows)
        }
    }

    public var description: String {
        var text = "stats " + functions.map(\.description).joined(separator: " ")
        if !by.isEmpty { text += " by " + by.map(\.description).joined(separator: ",") }
        if let every { text += " " + every.description }
        return text
    }
}
