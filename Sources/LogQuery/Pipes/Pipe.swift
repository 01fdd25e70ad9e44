/// A stage after the filter: `| count by user`, `| sort by code desc`, `| head 10`.
///
/// Pipes run in order. `count`, `top` and `stats` aggregate the events into a table (at most
/// one per query); `sort`, `head`/`limit`, `tail` and `fields` apply to events before an
/// aggregate and to its rows after it.
public enum Pipe: Sendable, Equatable, CustomStringConvertible {
    case count(CountPipe)
    case top(TopPipe)
    case stats(StatsPipe)
    case limit(LimitPipe)
    case tail(TailPipe)
    case sort(SortPipe)
    case fields(FieldsPipe)

    static let names = "count, top, stats, sort, fields, head, tail, limit"

    static func parse(_ p: inout QueryParser) throws(QueryError) -> Pipe {
        let token = p.peek
        guard case .word(let name) = token.kind else {
            throw QueryError(column: token.column, message: "expected a pipe name (\(names)) after '|', found \(token.display)")
        }
        p.advance()
        let aggregates = ["count", "top", "stats"].contains(name)
        if aggregates, p.aggregated {
            throw QueryError(column: token.column, message: "expected one aggregate per query, found a second one: '\(name)' after an earlier count, top or stats")
        }
        let pipe: Pipe
        switch name {
        case "count": pipe = .count(try CountPipe.parse(&p))
        case "top": pipe = .top(try TopPipe.parse(&p, column: token.column))
        case "stats": pipe = .stats(try StatsPipe.parse(&p, column: token.column))
        case "limit", "head": pipe = .limit(try LimitPipe.parse(&p, name: name))
        case "tail": pipe = .tail(try TailPipe.parse(&p))
        case "sort": pipe = .sort(try SortPipe.parse(&p, column: token.column))
        case "fields": pipe = .fields(try FieldsPipe.parse(&p))
        default:
            throw QueryError(column: token.column, message: "expected a pipe name (\(names)) after '|', found '\(name)'")
        }
        switch pipe {
        case .count(let c): p.tableColumns = (c.every == nil ? [] : ["time"]) + ["count"] + c.by.map(\.description)
        case .top(let t): p.tableColumns = ["count"] + t.fields.map(\.description)
        case .stats(let s): p.tableColumns = (s.every == nil ? [] : ["time"]) + s.by.map(\.description) + s.functions.map(\.description)
        case .fields(let f) where p.aggregated: p.tableColumns = f.columns
        default: break
        }
        return pipe
    }

    /// Whether this pipe turns events into a table.
    public var aggregates: Bool {
        switch self {
        case .count, .top, .stats: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .count(let c): c.description
        case .top(let t): t.description
        case .stats(let s): s.description
        case .limit(let l): l.description
        case .tail(let t): t.description
        case .sort(let s): s.description
        case .fields(let f): f.description
        }
    }
}
