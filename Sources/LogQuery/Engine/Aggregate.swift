import AuditCore
import SegmentStore

/// The running state of a query's aggregate pipe (`count`, `top` or `stats`), folded from
/// block rows on several threads (or from events after event pipes) and printed as a table.
public enum Aggregate {
    case count(CountPipe.State)
    case top(TopPipe, CountPipe.State)
    case stats(StatsPipe.State)

    /// A fresh state for `pipe`; nil when it does not aggregate.
    public init?(_ pipe: Pipe) {
        switch pipe {
        case .count(let c): self = .count(CountPipe.State(pipe: c))
        case .top(let t): self = .top(t, CountPipe.State(pipe: t.counter))
        case .stats(let s): self = .stats(StatsPipe.State(pipe: s))
        default: return nil
        }
    }

    public mutating func add(_ event: AuditEvent) {
        switch self {
        case .count(var s):
            s.add(event)
            self = .count(s)
        case .top(let t, var s):
            s.add(event)
            self = .top(t, s)
        case .stats(var s):
            s.add(event)
            self = .stats(s)
        }
    }

    public mutating func add(_ view: BlockView, _ rows: [Int]) {
        switch self {
        case .count(var s):
            s.add(view, rows)
            self = .count(s)
        case .top(let t, var s):
            s.add(view, rows)
            self = .top(t, s)
        case .stats(var s):
            s.add(view, rows)
            self = .stats(s)
        }
    }

    /// Adds the state of another thread (the same pipe).
    public mutating func merge(_ other: Aggregate) {
        switch (self, other) {
        case (.count(var a), .count(let b)):
            a.merge(b)
            self = .count(a)
        case (.top(let t, var a), .top(_, let b)):
            a.merge(b)
            self = .top(t, a)
        case (.stats(var a), .stats(let b)):
            a.merge(b)
            self = .stats(a)
        default:
            preconditionFailure("merging the states of different aggregates")
        }
    }

    /// The result table.
    public var table: ResultTable {
        switch self {
        case .count(let s): s.table
        case .top(let t, let s): t.table(s)
        case .stats(let s): s.table
        }
    }
}
