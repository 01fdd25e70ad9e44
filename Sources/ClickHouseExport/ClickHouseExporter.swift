#if canImport(Glibc)
import Glibc
#endif

/// Delivers batches to a ClickHouse table at least once, and exactly once across retries and
/// crashes, through an ``ExportCheckpoint``:
///
/// 1. Before a batch is sent, the checkpoint records it as pending (its token, rows and end
///    position), durably. Every row of the batch carries the token in `logq_batch`.
/// 2. After ClickHouse acknowledged the insert, the checkpoint records the end as done.
/// 3. A batch whose outcome is unknown (a crash, a dropped connection, a timeout) is looked up
///    before anything is sent again: `SELECT count() … WHERE logq_batch = token`. All its
///    rows there: it is done. None: it is sent again. Some: an error, never a guess.
///
/// ClickHouse 18.16 has no `insert_deduplication_token` for plain MergeTree tables, so the
/// lookup, not the server, makes retries exact. Without a checkpoint file the same holds
/// within one run (the pending batch is kept in memory).
public final class ClickHouseExporter {
    public let connection: ClickHouseConnection
    public let table: ClickHouseTable
    /// The checkpoint file; nil: kept in memory only (no resume after a crash).
    public let checkpointPath: String?
    public private(set) var checkpoint: ExportCheckpoint
    /// Rows and batches acknowledged by ClickHouse in this run.
    public private(set) var rowsExported = 0
    public private(set) var batchesExported = 0
    /// Sends that failed (and were retried or gave up) in this run.
    public private(set) var failures = 0
    /// Batches of an earlier run found in ClickHouse on resume (acknowledged before a crash).
    public private(set) var settledFromEarlierRun = 0
    /// Called after each failed attempt, with the error and the seconds until the next one.
    public var onRetry: (ClickHouseError, Double) -> Void = { _, _ in }

    /// Opens the export of `scope` to `table`: the checkpoint at `checkpointPath` if there is
    /// one (it must be for the same target and scope), else a new one.
    public init(connection: ClickHouseConnection, table: ClickHouseTable, scope: String, checkpointPath: String?) throws(ClickHouseError) {
        self.connection = connection
        self.table = table
        self.checkpointPath = checkpointPath
        let target = "\(connection.url) \(table.database).\(table.table)"
        if let checkpointPath, let saved = try ExportCheckpoint.load(checkpointPath) {
            guard saved.target == target, saved.scope == scope else {
                throw ClickHouseError.checkpoint(
                    checkpointPath,
                    "it belongs to another export (target '\(saved.target)', scope '\(saved.scope)'; this one is '\(target)', '\(scope)'): pass another --checkpoint file, or remove it to start again")
            }
            checkpoint = saved
        } else {
            checkpoint = ExportCheckpoint(target: target, scope: scope)
            if let checkpointPath { try checkpoint.save(checkpointPath) }
        }
    }

    /// The position after the last acknowledged batch; nil before the first.
    public var done: String? { checkpoint.done }

    /// Rows of the batch `token` in the table.
    public func rowsInTable(_ pending: ExportCheckpoint.Pending) throws(ClickHouseError) -> Int {
        let sql = "SELECT count() FROM \(table.qualified) WHERE time >= toDateTime(\(pending.firstSecond)) AND time <= toDateTime(\(pending.lastSecond)) AND logq_batch = '\(pending.token)'"
        let answer = try connection.value(sql)
        guard let count = Int(answer) else {
            throw ClickHouseError(.rejected, "ClickHouse at \(connection.url) answered '\(answer.prefix(80))' to a count of batch \(pending.token)")
        }
        return count
    }

    /// Decides a pending batch (from a crash, or a send whose answer was lost): done when all
    /// its rows are in the table, dropped from the checkpoint when none are.
    /// Returns whether it was done.
    @discardableResult
    public func settlePending() throws(ClickHouseError) -> Bool {
        guard let pending = checkpoint.pending else { return false }
        // An insert whose client died (SIGKILL) may still be running in ClickHouse: its rows
        // are not counted until it ends, so wait for it first (its query_id is the token).
        for _ in 0..<600 {
            let running = try connection.value("SELECT count() FROM system.processes WHERE query_id = '\(pending.token)'")
            guard running != "0" else { break }
            usleep(100_000)
        }
        let found = try rowsInTable(pending)
        if found == pending.rows {
            checkpoint.done = pending.end
            checkpoint.pending = nil
            try save()
            return true
        }
        guard found == 0 else {
            throw ClickHouseError(
                .partialBatch,
                "batch \(pending.token) is in \(table.qualified) at \(connection.url) with \(found) of its \(pending.rows) rows; remove them (ALTER TABLE \(table.qualified) DELETE WHERE logq_batch = '\(pending.token)') and run the export again")
        }
        checkpoint.pending = nil
        try save()
        return false
    }

    /// Sends `batch` (the events after ``done`` up to position `end`); returns once ClickHouse
    /// acknowledged it (or it was found there) and the checkpoint says so. Retries what can
    /// be retried — an unreachable server, and with `retryRejected` an error answer — after
    /// 1, 2, 4 … 30 s, `maxAttempts` times in all (nil: until `shouldStop`). Returns false when
    /// stopped first.
    public func deliver(
        _ batch: ExportBatch, end: String, maxAttempts: Int? = 5, retryRejected: Bool = false, shouldStop: () -> Bool = { false }
    ) throws(ClickHouseError) -> Bool {
        precondition(!batch.isEmpty, "an empty batch has no token")
        precondition(checkpoint.pending == nil, "resume() settles an earlier run's pending batch before the first delivery")
        let token = "\(checkpoint.id)-\(checkpoint.done ?? "0")-\(end)"
        let pending = ExportCheckpoint.Pending(
            token: token, rows: batch.count, end: end, firstSecond: ExportBatch.second(batch.firstTime),
            lastSecond: ExportBatch.second(batch.lastTime))
        var attempts = 0
        var delay = 1.0
        while true {
            do {
                if checkpoint.pending != nil {
                    // An earlier attempt may have landed: look before sending again.
                    if try settlePending() {
                        acknowledged(batch)
                        return true
                    }
                }
                checkpoint.pending = pending
                try save()
                try connection.insert(into: table, rows: ClickHouseRow.finish(rows: batch.rows, ends: batch.ends, token: token), queryID: token)
                checkpoint.done = end
                checkpoint.pending = nil
                try save()
                acknowledged(batch)
                return true
            } catch let error where error.code == .unreachable || (retryRejected && error.code == .rejected) {
                failures += 1
                attempts += 1
                if let maxAttempts, attempts >= maxAttempts { throw error }
                onRetry(error, delay)
                if Self.sleep(seconds: delay, unless: shouldStop) { return false }
                delay = min(delay * 2, 30)
            } catch {
                failures += 1
                throw error
            }
        }
    }

    private func acknowledged(_ batch: ExportBatch) {
        rowsExported += batch.count
        batchesExported += 1
    }

    /// Settles a batch left pending by an earlier run, retrying an unreachable server like
    /// ``deliver(_:end:maxAttempts:retryRejected:shouldStop:)``.
    public func resume(maxAttempts: Int? = 5, shouldStop: () -> Bool = { false }) throws(ClickHouseError) {
        var attempts = 0
        var delay = 1.0
        while checkpoint.pending != nil {
            do {
                if try settlePending() { settledFromEarlierRun += 1 }
            } catch let error where error.code == .unreachable {
                attempts += 1
                if let maxAttempts, attempts >= maxAttempts { throw error }
                onRetry(error, delay)
                if Self.sleep(seconds: delay, unless: shouldStop) { return }
                delay = min(delay * 2, 30)
            }
        }
    }

    private func save() throws(ClickHouseError) {
        if let checkpointPath { try checkpoint.save(checkpointPath) }
    }

    /// Sleeps `seconds` in steps of 50 ms; true when `stop` said so first.
    static func sleep(seconds: Double, unless stop: () -> Bool) -> Bool {
        var left = seconds
        while left > 0 {
            if stop() { return true }
            usleep(50_000)
            left -= 0.05
        }
        return stop()
    }
}
