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
        switch self {
        case .all:
            return Array(repeating: true, count: view.count)
        case .field(let f):
            return f.mask(view)
        case .text(let t):
            return (0..<view.count).map { t.matches(view, $0) }
        case .and(let parts):
            var result = parts[0].mask(view)
            for part in parts.dropFirst() {
                guard result.contains(true) else { break }
                let next = part.mask(view)
                for i in result.indices where result[i] && !next[i] { result[i] = false }
            }
            return result
        case .or(let parts):
            var result = parts[0].mask(view)
            for part in parts.dropFirst() {
                let next = part.mask(view)
                for i in result.indices where next[i] { result[i] = true }
            }
            return result
        case .not(let inner):
            return inner.mask(view).map { !$0 }
        }
    }

    /// A copy that shares no mutable state with this one (regular expressions keep per-match
    /// scratch space), for evaluation on another thread.
    public func copyForThread() -> FilterExpression {
        switch self {
        case .all, .text: self
        case .field(let f): .field(f.copyForThread())
        case .and(let parts): .and(parts.map { $0.copyForThread() })
        case .or(let parts): .or(parts.map { $0.copyForThread() })
        case .not(let inner): .not(inner.copyForThread())
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
