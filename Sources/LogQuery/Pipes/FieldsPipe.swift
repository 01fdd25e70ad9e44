import AuditCore

/// `| fields f…`: prints only the named fields of each event, tab-separated (text output) or
/// as a JSON object per event (`-o ndjson`). After an aggregate, keeps the named columns.
public struct FieldsPipe: Sendable, Equatable, CustomStringConvertible {
    /// The fields to print, in order.
    public var fields: [FieldRef]
    /// The names to keep, as written: the fields' names, or an aggregate's columns.
    public var columns: [String]

    public init(fields: [FieldRef]) {
        self.fields = fields
        columns = fields.map(\.description)
    }

    /// After an aggregate: keeps these columns (`count`, `user`, `p99(latency)`).
    public init(columns: [String]) {
        fields = []
        self.columns = columns
    }

    static func parse(_ p: inout QueryParser) throws(QueryError) -> FieldsPipe {
        guard p.peekIsWord else {
            throw QueryError(column: p.peek.column, message: "expected a field name after 'fields', found \(p.peek.display)")
        }
        if p.aggregated {
            var columns: [String] = []
            repeat {
                columns.append(try p.columnName())
                _ = p.accept(.comma)
            } while p.peekIsWord
            return FieldsPipe(columns: columns)
        }
        var fields: [FieldRef] = []
        repeat {
            fields.append(try p.fieldName())
            _ = p.accept(.comma)
        } while p.peekIsWord
        return FieldsPipe(fields: fields)
    }

    /// The selected values of `event`, tab-separated ("-" for absent).
    public func text(_ event: AuditEvent) -> String {
        fields.map { field in
            let value = field.value(in: event)
            return value.isEmpty ? "-" : value
        }.joined(separator: "\t")
    }

    /// The selected values of `event` as a JSON object (absent fields omitted).
    public func json(_ event: AuditEvent) -> String {
        let members = fields.compactMap { field -> String? in
            let value = field.value(in: event)
            return value.isEmpty ? nil : EventFormatter.jsonString(field.description) + ":" + EventFormatter.jsonString(value)
        }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// Keeps the columns of `table` named by ``fields``, in that order.
    func apply(_ table: ResultTable, column: Int) throws(QueryError) -> ResultTable {
        var indexes: [Int] = []
        for name in columns {
            guard let i = table.column(named: name) else {
                throw QueryError(
                    column: column,
                    message: "cannot keep '\(name)': expected one of the columns \(table.columns.joined(separator: ", "))")
            }
            indexes.append(i)
        }
        return ResultTable(
            columns: indexes.map { table.columns[$0] }, numeric: indexes.map { table.numeric[$0] },
            rows: table.rows.map { row in indexes.map { row[$0] } })
    }

    public var description: String { "fields " + columns.joined(separator: ",") }
}
