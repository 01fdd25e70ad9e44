/// `| limit N` (also `| head N`): stops after the first N events (10 when N is omitted).
public struct LimitPipe: Sendable, Equatable {
    public var count: Int

    public init(count: Int) {
        self.count = count
    }

    static func parse(_ p: inout QueryParser, name: String = "limit") throws(QueryError) -> LimitPipe {
        guard case .word(let w) = p.peek.kind, let n = Int(w) else {
            if p.peekIsEnd || p.peek.kind == .pipe { return LimitPipe(count: 10) }
            throw QueryError(column: p.peek.column, message: "expected a number of events after '\(name)', found \(p.peek.display)")
        }
        guard n >= 0 else { throw QueryError(column: p.peek.column, message: "expected a number ≥ 0 after '\(name)', found \(n)") }
        p.advance()
        return LimitPipe(count: n)
    }

    public var description: String { "limit \(count)" }
}
