/// A stage after the filter: `| count by user`, `| limit 10`.
public enum Pipe: Sendable, Equatable, CustomStringConvertible {
    case count(CountPipe)
    case limit(LimitPipe)
    case fields(FieldsPipe)

    static func parse(_ p: inout QueryParser) throws(QueryError) -> Pipe {
        let token = p.peek
        guard case .word(let name) = token.kind else {
            throw QueryError(column: token.column, message: "expected a pipe name (count, fields, limit, head) after '|', found \(token.display)")
        }
        p.advance()
        switch name {
        case "count": return .count(try CountPipe.parse(&p))
        case "limit", "head": return .limit(try LimitPipe.parse(&p, name: name))
        case "fields": return .fields(try FieldsPipe.parse(&p))
        default:
            throw QueryError(column: token.column, message: "expected a pipe name (count, fields, limit, head) after '|', found '\(name)'")
        }
    }

    public var description: String {
        switch self {
        case .count(let c): c.description
        case .limit(let l): l.description
        case .fields(let f): f.description
        }
    }
}
