import AuditCore
import SegmentStore

/// The running state of a query's aggregate pipe (`count`, `top` or `stats`), folded from
/// block rows on several threads (or from events after event pipes) and printed as a table.
///
/// One optional per kind, exactly one set: optional chaining mutates the state in place, where
/// an enum payload would be copied out and back (copying its dictionaries on every block).
public struct Aggregate {
    var count: CountPipe.State?
    var top: TopPipe?
    var stats: StatsPipe.State?

    /// A fresh state for `pipe`; nil when it does not aggregate.
    public init?(_ pipe: Pipe) {
        switch pipe {
        case .count(let c): count = CountPipe.State(pipe: c)
        case .top(let t):
            top = t
            count = CountPipe.State(pipe: t.counter)
        case .stats(let s): stats = StatsPipe.State(pipe: s)
        default: return nil
        }
    }

    public mutating func add(_ event: AuditEvent) {
        count?.add(event)
        stats?.add(event)
    }

    public mutating func add(_ view: BlockView, _ rows: [Int]) {
        count?.add(view, rows)
        stats?.add(view, rows)
    }

    /// Adds a block that matches whole from its summary alone; false (nothing added) when the
    /// aggregate needs the block's columns.
    public mutating func add(summary: BlockSummary, events: Int) -> Bool {
        guard stats == nil, count != nil else { return false }
        return count!.add(summary: summary, events: events)
    }

    /// Adds the state of another thread (the same pipe).
    public mutating func merge(_ other: Aggregate) {
        if let theirs = other.count { count?.merge(theirs) }
        if let theirs = other.stats { stats?.merge(theirs) }
    }

    /// The result table.
    public var table: ResultTable {
        if let stats { return stats.table }
        guard let count else { return ResultTable(columns: [], numeric: [], rows: []) }
        if let top { return top.table(count) }
        return count.table
    }
}
