import AuditCore

/// `| fields f…`: prints only the named fields of each event, tab-separated (text output) or
/// as a JSON object per event (`-o ndjson`).
public struct FieldsPipe: Sendable, Equatable {
    /// The fields to print, in order.
    public var fields: [FieldRef]

    public init(fields: [FieldRef]) {
        self.fields = fields
    }

    static func parse(_ p: inout QueryParser) throws(QueryError) -> FieldsPipe {
        guard p.peekIsWord else {
            throw QueryError(column: p.peek.column, message: "expected a field name after 'fields', found \(p.peek.display)")
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

    public var description: String { "fields " + fields.map(\.description).joined(separator: ",") }
}
