import AuditCore
import LogQuery
import SegmentStore

/// `logq export --to clickhouse`: the stored events that match a query, in time order, in
/// batches through a ``ClickHouseExporter``.
///
/// A batch ends at a change of event time (after at least `batchSize` rows), so a position is
/// one number: the time of the batch's last event, every event at or before it exported. A
/// resumed export reads from the next nanosecond. It exports what the store holds when it
/// reads: events stored later with a time already passed are the live export's to send
/// (`logq serve --export-clickhouse`).
public struct HistoryExport {
    public let exporter: ClickHouseExporter
    public let query: Query
    public let directory: DataDirectory
    public let batchSize: Int
    /// Called after each acknowledged batch.
    public var onBatch: (ClickHouseExporter) -> Void = { _ in }

    /// The checkpoint scope of an export of `text` between `since` and `until` as typed (nil: open).
    public static func scope(query text: String, since: String?, until: String?) -> String {
        "history since=\(since ?? "-") until=\(until ?? "-") query=\(text)"
    }

    public init(exporter: ClickHouseExporter, query: Query, directory: DataDirectory, batchSize: Int) {
        self.exporter = exporter
        self.query = query
        self.directory = directory
        self.batchSize = batchSize
    }

    /// Exports every match after the checkpoint's position; returns the scan's problems
    /// (damaged blocks skipped), for the caller to report.
    public func run() throws -> [SegmentProblem] {
        try exporter.resume()
        var window = query
        if let done = exporter.done {
            guard let time = Int64(done) else {
                throw ClickHouseError(.checkpoint, "the checkpoint's position '\(done)' is not a time in ns; it belongs to a live export")
            }
            window.timeRange.since = max(window.timeRange.since ?? .min, time + 1)
        }
        if window.timeRange.isEmpty { return [] }
        var batch = ExportBatch()
        var failure: (any Error)?
        var previous = Int64.min
        let runner = QueryRunner(executor: QueryExecutor(reader: StoreReader(directory: directory)))
        let outcome = try runner.run(
            window,
            onEvent: { event in
                if batch.count >= batchSize, event.time != batch.latestAdded {
                    do {
                        _ = try exporter.deliver(batch, end: String(batch.latestAdded))
                    } catch {
                        failure = error
                        return false
                    }
                    onBatch(exporter)
                    batch.removeAll()
                }
                guard event.time >= previous else {
                    // Positions are times: an out-of-order scan would lose events on resume.
                    failure = ClickHouseError(.usage, "the scan returned an event at \(event.time) after one at \(previous); export needs time order")
                    return false
                }
                previous = event.time
                batch.add(event)
                return true
            },
            onTable: { _ in })
        if let failure { throw failure }
        if !batch.isEmpty {
            _ = try exporter.deliver(batch, end: String(batch.latestAdded))
            onBatch(exporter)
        }
        return outcome.stats.scan.problems
    }
}
