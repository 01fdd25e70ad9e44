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
        guard let range = query.timeRange.closedRange, (try? reader.partitions(in: range))?.isEmpty == true else { return nil }
        return "logq: no events stored in the time range asked; the store spans "
            + "\(Timestamp.format(first.start, fractionDigits: 0)) to \(Timestamp.format(last.end + 1, fractionDigits: 0))"
    }
}
