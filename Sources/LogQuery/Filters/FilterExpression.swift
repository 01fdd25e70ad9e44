import AuditCore
import SegmentStore

/// A boolean combination of filters: the `WHERE` of a query.
public indirect enum FilterExpression: Sendable, CustomStringConvertible {
    /// Every event.
    case all
    case field(FieldFilter)
    case text(TextFilter)
    case and([FilterExpression])
    case or([FilterExpression])
    case not(FilterExpression)

    /// Whether `event` passes.
    public func matches(_ event: AuditEvent) -> Bool {
        switch self {
        case .all: true
        case .field(let f): f.matches(event)
        case .text(let t): t.matches(event)
        case .and(let parts): parts.allSatisfy { $0.matches(event) }
        case .or(let parts): parts.contains { $0.matches(event) }
        case .not(let inner): !inner.matches(event)
        }
    }

    /// Which rows of a block pass, evaluated column by column: a field test runs once per
    /// dictionary entry, not once per row.
    public func mask(_ view: BlockView) -> [Bool] {
        var mask = [Bool](repeating: true, count: view.count)
        refine(view, &mask)
        return mask
    }

    /// Clears `mask[i]` for each row still set that does not pass. The parts of an `and` run
    /// cheapest first (``cost``), each only on the rows the earlier ones kept, so a path or a
    /// phrase scans the raw events of few rows; an `or` tests a row against later branches
    /// only while no earlier one passed it.
    public func refine(_ view: BlockView, _ mask: inout [Bool]) {
        switch self {
        case .all:
            return
        case .field(let f):
            f.refine(view, &mask)
        case .text(let t):
            for i in 0..<view.count where mask[i] {
                if !t.matches(view, i) { mask[i] = false }
            }
        case .and(let parts):
            for part in parts.sorted(by: { $0.cost < $1.cost }) {
                guard mask.contains(true) else { return }
                part.refine(view, &mask)
            }
        case .or(let parts):
            var accepted = [Bool](repeating: false, count: mask.count)
            var open = mask
            for part in parts.sorted(by: { $0.cost < $1.cost }) {
                guard open.contains(true) else { break }
                var passing = open
                part.refine(view, &passing)
                for i in passing.indices where passing[i] {
                    accepted[i] = true
                    open[i] = false
                }
            }
            mask = accepted
        case .not(let inner):
            var passing = mask
            inner.refine(view, &passing)
            for i in mask.indices where mask[i] && passing[i] { mask[i] = false }
        }
    }

    /// Relative cost per row: 0 for the event's source and normalized fields (columns,
    /// dictionary entries tested once), 1 for anything reading the original event (phrases,
    /// JSON paths), which decompresses and scans the raw column.
    public var cost: Int {
        switch self {
        case .all: 0
        case .field(let f): f.field.readsRaw ? 1 : 0
        case .text: 1
        case .and(let parts), .or(let parts): parts.map(\.cost).max() ?? 0
        case .not(let inner): inner.cost
        }
    }

    /// Whether a block with this summary may hold a passing row: false only when it surely
    /// does not, so the block is skipped undecompressed. `not` and text are never pruned.
    public func mayMatch(_ summary: BlockSummary) -> Bool {
        switch self {
        case .all, .text, .not: true
        case .field(let f): f.mayMatch(summary)
        case .and(let parts): parts.allSatisfy { $0.mayMatch(summary) }
        case .or(let parts): parts.contains { $0.mayMatch(summary) }
        }
    }

    /// Whether every event of a block with `summary` certainly passes; false when unsure.
    public func allMatch(_ summary: BlockSummary) -> Bool {
        switch self {
        case .all: true
        case .text: false
        case .field(let f): f.allMatch(summary)
        case .and(let parts): parts.allSatisfy { $0.allMatch(summary) }
        case .or(let parts): parts.contains { $0.allMatch(summary) }
        case .not(let inner): !inner.mayMatch(summary)
        }
    }

    public var description: String {
        switch self {
        case .all: "*"
        case .field(let f): f.description
        case .text(let t): t.description
        case .and(let parts): parts.map(\.description).joined(separator: " ")
        case .or(let parts): "(" + parts.map(\.description).joined(separator: " or ") + ")"
        case .not(let inner): "not " + inner.description
        }
    }
}
