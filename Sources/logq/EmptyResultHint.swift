import AuditCore
import LogQuery
import SegmentStore

/// Why a query matched nothing, when the store can tell: printed on stderr.
enum EmptyResultHint {
    /// The reason, or nil when there is none to give: the store holds no events, or none in
    /// the query's time window (naming the hours it spans).
    static func reason(for query: Query, reader: StoreReader) -> String? {
        guard let all = try? reader.partitions() else { return nil }
        guard let first = all.first, let last = all.last else { return "logq: the store holds no events: run 'logq ingest PATH' first" }
        if let range = query.timeRange.closedRange, (try? reader.partitions(in: range))?.isEmpty == true {
            return "logq: no events stored in the time range asked; the store spans "
                + "\(Timestamp.format(first.start, fractionDigits: 0)) to \(Timestamp.format(last.end + 1, fractionDigits: 0))"
        }
        return missingValue(query, reader: reader)
    }

    /// For a term `field=value` the query must meet (under no `or` or `not`), on a field the
    /// block summaries list: that no block holds the value, and the nearest value they hold.
    /// Summaries list up to 128 distinct values per field and block; when one lists too many
    /// the value may still be stored, and only a near value is offered.
    static func missingValue(_ query: Query, reader: StoreReader) -> String? {
        var terms: [(field: Field, value: String)] = []
        func collect(_ expression: FilterExpression) {
            switch expression {
            case .and(let parts): parts.forEach(collect)
            case .field(let f):
                if case .field(let field) = f.field, f.op == .equal, f.values.count == 1, !f.values[0].contains("*") {
                    terms.append((field, f.values[0]))
                }
            default: break
            }
        }
        collect(query.filter)
        guard !terms.isEmpty, let partitions = try? reader.partitions(in: query.timeRange.closedRange) else { return nil }
        for term in terms {
            var seen: Set<[UInt8]> = []
            var complete = true
            for partition in partitions {
                guard let (bodies, _) = try? reader.collectBlocks(partition: partition, range: query.timeRange.closedRange) else { return nil }
                for body in bodies {
                    guard let summary = Block.summary(body.bytes), let values = summary.distinct(term.field) else {
                        complete = false
                        continue
                    }
                    seen.formUnion(values)
                }
            }
            let wanted = Array(term.value.utf8)
            guard !seen.contains(wanted) else { continue }
            let allowed = max(1, term.value.count / 4)
            var near: (value: String, distance: Int)?
            for bytes in seen {
                let value = String(decoding: bytes, as: UTF8.self)
                let distance = CommandLineRewrite.editDistance(value, term.value)
                guard distance <= allowed else { continue }
                if let best = near, best.distance < distance || (best.distance == distance && best.value < value) { continue }
                near = (value, distance)
            }
            let suggestion = near.map { " (did you mean \(term.field.name)=\($0.value)?)" } ?? ""
            if complete {
                return "logq: no event in the range asked has \(term.field.name)=\(term.value)\(suggestion)"
            } else if !suggestion.isEmpty {
                return "logq: no match\(suggestion)"
            }
        }
        return nil
    }
}
