import AuditCore
import SegmentStore

#if canImport(Glibc)
import Glibc
#endif

/// Runs a whole query, pipes included, and hands the results to the caller: events as they
/// stream (time order, after the event pipes), or one table for an aggregate.
///
/// Plan: the filter and the time window go to ``QueryExecutor`` (pruning, column-wise
/// filtering on every core). An aggregate with no pipe before it folds block rows in place
/// on every thread; otherwise events pass the event pipes (``EventChain``) first. Pipes after
/// the aggregate reshape its table.
public struct QueryRunner {
    public let executor: QueryExecutor

    public init(executor: QueryExecutor) {
        self.executor = executor
    }

    /// What a run produced, for `--explain` and the exit status.
    public struct Outcome: Sendable {
        /// What was read; `stats.scan.problems` is every damage the answer was computed over
        /// (damaged blocks skipped, segments missing, cut short, unreadable, outside the chain).
        public var stats: QueryStats
        /// Events handed to `onEvent`, or rows of the table.
        public var produced: Int
        /// Wall time of the run, ns.
        public var wallNanos: Int64
    }

    /// The fields to print per event: those of the last `fields` pipe before any aggregate.
    public static func projection(_ query: Query) -> FieldsPipe? {
        var result: FieldsPipe?
        for pipe in query.pipes {
            if pipe.aggregates { return nil }
            if case .fields(let f) = pipe { result = f }
        }
        return result
    }

    /// What the events a query hands out must carry. Their original bytes unless every pipe
    /// is a `fields` of normalized fields (no JSON path) or a `head` / `tail`; their fields
    /// unless there is no pipe but `head` / `tail` and the output prints original bytes alone
    /// (`printsRawOnly`: `-o raw|ndjson|json` without `fields`). Putting events back together
    /// from a block's shredded raw column is most of the cost of a query that prints a few
    /// fields of many events; decoding every field column, of one that prints a few events.
    public static func eventParts(_ query: Query, printsRawOnly: Bool) -> EventParts {
        var plain = true  // only head / tail / fields pipes
        var pathInFields = false
        for pipe in query.pipes {
            switch pipe {
            case .fields(let f): pathInFields = pathInFields || f.fields.contains(where: \.readsRaw)
            case .limit, .tail: continue
            default: plain = false
            }
        }
        guard plain else { return .all }
        if projection(query) != nil { return pathInFields ? .all : .fields }
        return printsRawOnly ? .raw : .all
    }

    /// Runs `query`: calls `onEvent` per resulting event (return false to stop), or `onTable`
    /// once with the aggregate's table.
    public func run(
        _ query: Query, printsRawOnly: Bool = false, onEvent: (AuditEvent) throws -> Bool, onTable: (ResultTable) throws -> Void
    ) throws -> Outcome {
        let start = Self.clock()
        let split = query.pipes.firstIndex(where: \.aggregates)
        let before = Array(query.pipes[..<(split ?? query.pipes.count)])
        for case .sort(let s) in before { try s.checkForEvents() }
        var produced = 0
        let stats: QueryStats
        if let split, var aggregate = Aggregate(query.pipes[split]) {
            if before.allSatisfy({ if case .fields = $0 { true } else { false } }) {
                let initial = aggregate
                let (state, s) = try executor.aggregate(
                    query, initial: initial, add: { state, view, rows in state.add(view, rows) },
                    merge: { total, part in total.merge(part) },
                    fromSummary: { state, summary, events in state.add(summary: summary, events: events) })
                aggregate = state
                stats = s
            } else {
                let chain = EventChain(steps: before) { event in
                    aggregate.add(event)
                    return true
                }
                stats = try executor.run(query) { try chain.push($0) }
                try chain.finish()
            }
            var table = aggregate.table
            for pipe in query.pipes[(split + 1)...] { table = try Self.apply(pipe, to: table) }
            produced = table.rows.count
            try onTable(table)
        } else {
            // The chain lives only for this call, so the callback does not outlive it.
            stats = try withoutActuallyEscaping(onEvent) { onEvent in
                let chain = EventChain(steps: before) { event in
                    produced += 1
                    return try onEvent(event)
                }
                let stats = try executor.run(query, parts: Self.eventParts(query, printsRawOnly: printsRawOnly)) { try chain.push($0) }
                try chain.finish()
                return stats
            }
        }
        // Damage that no block read shows (segments missing, cut short, outside the chain, set
        // aside): an answer over such a store must say it is incomplete or unvouched for.
        var checked = stats
        for reader in executor.readers {
            checked.scan.problems += try reader.anyIntegrityProblems(in: query.timeRange.closedRange)
        }
        return Outcome(stats: checked, produced: produced, wallNanos: Self.clock() - start)
    }

    /// Applies a pipe after the aggregate to its table.
    static func apply(_ pipe: Pipe, to table: ResultTable) throws(QueryError) -> ResultTable {
        var out = table
        switch pipe {
        case .sort(let s): out = try s.apply(table)
        case .limit(let l): out.rows = Array(table.rows.prefix(l.count))
        case .tail(let t): out.rows = Array(table.rows.suffix(t.count))
        case .fields(let f): out = try f.apply(table, column: 1)
        case .count, .top, .stats: break
        }
        return out
    }

    /// Monotonic time, ns.
    static func clock() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
