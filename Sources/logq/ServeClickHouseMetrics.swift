import ClickHouseExport
import Foundation
import LogServer
import MetricsAgg

/// `logq serve --export-clickhouse`: the live export's counters on the server's `/metrics` (in
/// its health registry, so remote write sends them too), as remote write has its own series:
///
/// - `logq_clickhouse_export_events_total`, `logq_clickhouse_export_batches_total`: rows and
///   batches ClickHouse acknowledged since the server started;
/// - `logq_clickhouse_export_retries_total`: attempts that failed (ClickHouse down, or an error
///   answer), each retried after 1 s doubling to 30 s;
/// - `logq_clickhouse_export_failures_total`: errors that stopped the export until a restart;
/// - `logq_clickhouse_export_lag_seconds`: 0 when everything committed was sent, else how long
///   since it last was; `logq_clickhouse_export_last_success_timestamp_seconds`.
///
/// Copied from ``LiveExport/counters`` once a second (and once more at stop), on a thread of
/// its own: a scrape sees them at most a second old.
final class ClickHouseExportMetrics: @unchecked Sendable {
    private let export: LiveExport
    private let health: ServerHealthMetrics
    private let events: MetricFamily
    private let batches: MetricFamily
    private let retries: MetricFamily
    private let failures: MetricFamily
    private let lag: MetricFamily
    private let lastSuccess: MetricFamily
    /// The counters as last copied (the families are counters: they get the difference).
    private var published = LiveExport.Counters()
    private let stopped = DispatchSemaphore(value: 0)
    private let ended = DispatchSemaphore(value: 0)

    init(export: LiveExport, health: ServerHealthMetrics) {
        self.export = export
        self.health = health
        (events, batches, retries, failures, lag, lastSuccess) = health.withRegistry { registry in
            let events = registry.family(
                "logq_clickhouse_export_events", help: "Events ClickHouse acknowledged (--export-clickhouse) since the server started.",
                kind: .counter, labels: [])
            let batches = registry.family(
                "logq_clickhouse_export_batches", help: "Batches ClickHouse acknowledged since the server started.", kind: .counter, labels: [])
            let retries = registry.family(
                "logq_clickhouse_export_retries",
                help: "Attempts to send a batch that failed (ClickHouse unreachable, or an error answer), each retried after 1 s doubling to 30 s.",
                kind: .counter, labels: [])
            let failures = registry.family(
                "logq_clickhouse_export_failures",
                help: "Errors that stopped the export (the server log says why); it goes on after a restart.", kind: .counter, labels: [])
            let lag = registry.family(
                "logq_clickhouse_export_lag_seconds",
                help: "0 when every committed event was sent to ClickHouse, else seconds since that was last so.", kind: .gauge, labels: [])
            let last = registry.family(
                "logq_clickhouse_export_last_success_timestamp_seconds",
                help: "When ClickHouse last acknowledged a batch, epoch seconds (0: never).", kind: .gauge, labels: [])
            for family in [events, batches, retries, failures] { family.add([], 0) }
            lag.set([], 0, at: Int64.min + 1)
            last.set([], 0, at: Int64.min + 1)
            return (events, batches, retries, failures, lag, last)
        }
    }

    /// Copies the counters once a second until ``stop()``.
    func start() {
        let thread = Thread { [self] in
            while stopped.wait(timeout: .now() + 1) == .timedOut { publish() }
            publish()
            ended.signal()
        }
        thread.name = "logq-clickhouse-metrics"
        thread.start()
    }

    /// Copies the counters a last time and ends the thread.
    func stop() {
        stopped.signal()
        ended.wait()
    }

    /// Brings the families up to date with the export's counters.
    private func publish() {
        let now = Date()
        let counters = export.counters
        let nanos = Int64(now.timeIntervalSince1970 * 1e9)
        health.withRegistry { _ in
            events.add([], Double(counters.rows - published.rows))
            batches.add([], Double(counters.batches - published.batches))
            retries.add([], Double(counters.failures - published.failures))
            failures.add([], Double(counters.stops - published.stops))
            lag.set([], counters.lagSeconds(now: now), at: nanos)
            if let success = counters.lastSuccess { lastSuccess.set([], success.timeIntervalSince1970, at: nanos) }
        }
        published = counters
    }
}
