import AuditCore
import Foundation
import LogQuery
import SegmentStore

/// `logq serve --export-clickhouse URL`: every event, in the store's arrival order (its commit
/// journal, as `logq -f` reads it), into a ClickHouse table, on a thread of its own.
///
/// Positions are journal cursors, kept in a checkpoint in the data directory
/// (`checkpoints/clickhouse-<hash of URL and table>`), so a restart resumes after the last
/// acknowledged batch, and a batch in flight at a crash is looked up before it is sent again
/// (``ClickHouseExporter``). A first start exports from the journal's first record. A batch is
/// sent when it has `batchSize` rows or its oldest row waited `flushSeconds`. While ClickHouse
/// is down or refuses, the batch is retried (1 s doubling to 30 s) and the store is not read
/// further: nothing is dropped, the export catches up when ClickHouse is back.
public final class LiveExport: @unchecked Sendable {
    // `stopping`, `thread` and the counters are read and written under `lock`.
    private let lock = NSLock()
    private var stopping = false
    private var thread: Thread?
    private let done = DispatchSemaphore(value: 0)
    private var state = Counters()

    public let url: String
    public let table: ClickHouseTable
    public let batchSize: Int
    public let flushSeconds: Double
    /// Where problems are reported (stderr in `logq serve`).
    public let report: @Sendable (String) -> Void

    /// What the export did since the process started (on the server's `/metrics` as
    /// `logq_clickhouse_export_*`).
    public struct Counters: Sendable {
        /// Rows ClickHouse acknowledged.
        public var rows = 0
        /// Batches ClickHouse acknowledged.
        public var batches = 0
        /// Attempts to send that failed (each retried).
        public var failures = 0
        /// Errors that stopped the export (a batch half in the table, a checkpoint of another
        /// export): it does not go on until the server is restarted.
        public var stops = 0
        /// The last failure's message, if any.
        public var lastError: String?
        /// When ClickHouse last acknowledged a batch; nil before the first.
        public var lastSuccess: Date?
        /// When the export started.
        public var started = Date()
        /// When the export last found nothing committed left to send; nil before it first did.
        public var caughtUpAt: Date?
        /// Whether it had nothing left to send at its last look at the journal.
        public var caughtUp = false

        public init() {}

        /// How far behind the store the export is, in seconds: 0 when it had sent everything
        /// committed at its last look (it looks every 0.1 s when idle), else the time since it
        /// last had (or since it started). Grows while ClickHouse is down.
        public func lagSeconds(now: Date = Date()) -> Double {
            caughtUp ? 0 : max(0, now.timeIntervalSince(caughtUpAt ?? started))
        }
    }

    public init(url: String, table: ClickHouseTable, batchSize: Int = 10_000, flushSeconds: Double = 1, report: @escaping @Sendable (String) -> Void) {
        self.url = url
        self.table = table
        self.batchSize = batchSize
        self.flushSeconds = flushSeconds
        self.report = report
    }

    public var counters: Counters { lock.withLock { state } }

    /// The checkpoint of an export to `url` and `table` from `directory`.
    public static func checkpointPath(directory: DataDirectory, url: String, table: ClickHouseTable) -> String {
        let hash = Hash64.hash(Array("\(url) \(table.database).\(table.table)".utf8))
        let hex = String(hash, radix: 16)
        return directory.path + "/checkpoints/clickhouse-" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Starts following `directory` on a thread of its own.
    public func start(directory: DataDirectory) {
        let thread = Thread { [self] in
            do {
                try run(directory)
            } catch {
                report("logq: export to ClickHouse stopped: \(error)")
                lock.withLock {
                    state.lastError = "\(error)"
                    state.stops += 1
                    state.caughtUp = false
                }
            }
            done.signal()
        }
        thread.name = "logq-clickhouse"
        lock.withLock {
            self.thread = thread
            state.started = Date()
        }
        thread.start()
    }

    /// Stops after the batch in flight and waits for the thread to end.
    public func stop() {
        let started = lock.withLock {
            stopping = true
            return thread != nil
        }
        if started { done.wait() }
    }

    private var shouldStop: Bool { lock.withLock { stopping } }

    private func run(_ directory: DataDirectory) throws {
        let connection = try ClickHouseConnection(url: url)
        let path = Self.checkpointPath(directory: directory, url: url, table: table)
        _ = try FileHandle.makeDirectory(directory.path + "/checkpoints")
        let exporter = try ClickHouseExporter(connection: connection, table: table, scope: "live", checkpointPath: path)
        exporter.onRetry = { [self] error, delay in
            lock.withLock {
                state.failures += 1
                state.lastError = error.message
            }
            report("logq: export to ClickHouse: \(error.message); retrying in \(Int(delay)) s")
        }
        try exporter.resume(maxAttempts: nil) { self.shouldStop }
        let start: JournalCursor
        if let done = exporter.done {
            guard let cursor = JournalCursor(done) else {
                throw ClickHouseError.checkpoint(path, "its position '\(done)' is not a journal cursor")
            }
            start = cursor
        } else {
            start = JournalCursor(record: 1)
        }
        let arrivals = try ArrivalReader(directory: directory, from: start)
        let live = try LiveQuery(Query(), parts: .all)
        var batch = ExportBatch()
        var oldest = Date()
        while !shouldStop {
            let blocks = try arrivals.next(maxBlocks: 64)
            for warning in arrivals.takeWarnings() { report("logq: export to ClickHouse: \(warning)") }
            var problems: [SegmentProblem] = []
            for match in live.matches(blocks, problems: &problems) {
                if batch.isEmpty { oldest = Date() }
                batch.add(match.event)
            }
            for problem in problems { report("logq: export to ClickHouse: damaged block skipped: \(problem)") }
            let due = batch.count >= batchSize || (!batch.isEmpty && (blocks.isEmpty || -oldest.timeIntervalSinceNow >= flushSeconds))
            if due {
                guard try exporter.deliver(batch, end: "\(arrivals.cursor)", maxAttempts: nil, retryRejected: true, shouldStop: { self.shouldStop }) else {
                    return
                }
                lock.withLock {
                    state.rows = exporter.rowsExported
                    state.batches = exporter.batchesExported
                    state.lastSuccess = Date()
                }
                batch.removeAll()
            }
            if blocks.isEmpty && batch.isEmpty {
                lock.withLock {
                    state.caughtUp = true
                    state.caughtUpAt = Date()
                }
            } else if !blocks.isEmpty {
                lock.withLock { state.caughtUp = false }
            }
            if !due && blocks.isEmpty {
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        // Stopping: what was read and not sent is read again at the next start.
    }
}
