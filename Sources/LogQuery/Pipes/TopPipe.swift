import AuditCore
import SegmentStore

/// `| top [N] f…`: the N most frequent values (combinations of values) of the fields, with
/// their counts, most frequent first (ties by value). N defaults to 10.
public struct TopPipe: Sendable, Equatable, CustomStringConvertible {
    /// How many groups to keep.
    public var limit: Int
    /// The fields whose values are counted.
    public var fields: [FieldRef]

    public init(limit: Int, fields: [FieldRef]) {
        self.limit = limit
        self.fields = fields
    }

    static func parse(_ p: inout QueryParser, column: Int) throws(QueryError) -> TopPipe {
        var limit = 10
        if case .word(let w) = p.peek.kind, let n = Int(w) {
            guard n > 0 else { throw QueryError(column: p.peek.column, message: "expected a number ≥ 1 after 'top', found \(n)") }
            limit = n
            p.advance()
        }
        guard p.peekIsWord else {
            throw QueryError(
                column: p.peekIsEnd ? column : p.peek.column,
                message: "expected a field name after 'top\(limit == 10 ? "" : " \(limit)")', found \(p.peek.display)")
        }
        var fields: [FieldRef] = []
        while p.peekIsWord {
            fields.append(try p.fieldName())
            _ = p.accept(.comma)
        }
        return TopPipe(limit: limit, fields: fields)
    }

    /// Counting is a `count by` of the same fields; only the first ``limit`` rows are kept.
    public var counter: CountPipe { CountPipe(by: fields) }

    /// The top rows of a finished count as a table: `count, f…`.
    public func table(_ state: CountPipe.State) -> ResultTable {
        var table = state.table
        if fields.isEmpty { return table }
        table.rows = Array(table.rows.prefix(limit))
        return table
    }

    public var description: String { "top \(limit) " + fields.map(\.description).joined(separator: ",") }
}
