import ArgumentParser
import AuditCore
import ClickHouseExport
import LogQuery
import SegmentStore

/// `logq export --to clickhouse URL [QUERY]`: stored events into a ClickHouse table, in time
/// order, in gzip'd JSONEachRow batches, resumable with `--checkpoint` (docs/clickhouse.md).
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Send stored events to ClickHouse (its HTTP interface), resumably.",
        discussion: """
            Events that match the query (every event without one), in time order,
            go to a table with the normalized fields as typed columns and the
            original event (docs/clickhouse.md; --create-table makes it):

              logq export --to clickhouse http://127.0.0.1:8123 --create-table
              logq export --to clickhouse http://ch:8123 --table audit.events \\
                --since 2026-11-01 --until 2026-12-01 --checkpoint nov.ckpt \\
                'source=k8s-audit'

            Batches (--batch rows) are INSERT … FORMAT JSONEachRow, gzip'd. With
            --checkpoint FILE a stopped export resumes where it stopped: the batch
            in flight is looked up in ClickHouse (its logq_batch token) before it
            is sent again, so no row is missing and none is there twice.
            Live events: logq serve --export-clickhouse URL.
            """
    )

    @OptionGroup var options: DataOptions

    @Option(name: .long, help: ArgumentHelp("Where to: clickhouse (the only one for now).", valueName: "system"))
    var to: String

    @Option(name: .long, help: ArgumentHelp("The table, DATABASE.TABLE.", valueName: "name"))
    var table = "logq.events"

    @Flag(name: .long, help: "Create the database and table if they do not exist (CREATE … IF NOT EXISTS).")
    var createTable = false

    @Option(name: .long, help: ArgumentHelp("Export events from this time (30d, 2026-11-01, 2026-11-24T10:00:00Z).", valueName: "time"))
    var since: String?

    @Option(name: .long, help: ArgumentHelp("Export events before this time.", valueName: "time"))
    var until: String?

    @Option(name: .long, help: ArgumentHelp("Rows per INSERT (at least; a batch ends where the event time changes).", valueName: "rows"))
    var batch = 10_000

    @Option(name: .long, help: ArgumentHelp("Keep the position here (fsync'd after each batch) and resume from it.", valueName: "file"))
    var checkpoint: String?

    @Argument(help: ArgumentHelp("ClickHouse's HTTP interface: http://HOST:8123 (-: print the rows as JSONEachRow instead).", valueName: "url"))
    var url: String

    @Argument(help: ArgumentHelp("The query (quote it): a filter, no pipes. Empty: every event.", valueName: "query"))
    var query: [String] = []

    func validate() throws {
        guard to == "clickhouse" else { throw ValidationError("cannot export --to \(to): pass --to clickhouse") }
        guard batch > 0 else { throw ValidationError("--batch takes a number of rows above 0, like 10000") }
        do {
            _ = try ClickHouseTable(table)
        } catch {
            throw ValidationError(error.message)
        }
    }

    func run() throws {
        Logq.tuneAllocator()
        let text = query.joined(separator: " ")
        let now = Environment.now()
        var parsed: Query
        do {
            parsed = try Query.parse(text, now: now)
            if let since { parsed.timeRange.since = try TimeRange.parseBound(since, now: now, name: "--since", column: 0) }
            if let until { parsed.timeRange.until = try TimeRange.parseBound(until, now: now, name: "--until", column: 0) }
        } catch {
            OutputStream.printError("logq: bad query\n" + error.render(query: text))
            throw ExitCode(2)
        }
        guard parsed.pipes.isEmpty else {
            OutputStream.printError("logq: export takes a filter without pipes ('\(text)' has \(parsed.pipes.count)); aggregate in ClickHouse instead")
            throw ExitCode(2)
        }
        let directory = options.directory
        guard directory.exists else {
            OutputStream.printError("logq: no data in \(directory.path): run 'logq ingest PATH' first (or pass --data DIR)")
            throw ExitCode(1)
        }
        if url == "-" {
            try Self.printRows(parsed, directory: directory)
            return
        }
        let started = Environment.now()
        do {
            let target = try ClickHouseTable(table)
            let connection = try ClickHouseConnection(url: url)
            if createTable { try Self.createTable(target, on: connection) }
            // The scope is the query and bounds as typed, so `--since 30d` resumed a day later
            // still finds its checkpoint (whose position decides where the export goes on).
            let scope = HistoryExport.scope(query: text, since: since, until: until)
            let exporter = try ClickHouseExporter(connection: connection, table: target, scope: scope, checkpointPath: checkpoint)
            exporter.onRetry = { error, delay in
                OutputStream.printError("logq: \(error.message); retrying in \(Int(delay)) s")
            }
            var progress = ProgressLine(enabled: Environment.stderrIsTerminal)
            var export = HistoryExport(exporter: exporter, query: parsed, directory: directory, batchSize: batch)
            export.onBatch = { exporter in
                progress.draw(count: exporter.rowsExported) { "export: \(exporter.rowsExported) events, \(exporter.batchesExported) batches, \($0) events/s" }
            }
            let problems = try export.run()
            progress.finish()
            for problem in problems { OutputStream.printError("logq: warning: \(problem)") }
            let seconds = Double(Environment.now() - started) / 1e9
            let rate = seconds > 0 ? Int(Double(exporter.rowsExported) / seconds) : 0
            var line = "logq: exported \(exporter.rowsExported) events in \(exporter.batchesExported) batches to \(target.database).\(target.table) at \(url) in \(String(format1: seconds)) s (\(rate) events/s)"
            if exporter.settledFromEarlierRun > 0 { line += "; the batch in flight at the last stop was already there" }
            OutputStream.printError(line)
        } catch let error as ClickHouseError {
            let hint = error.message.contains("Code: 60:") && !createTable ? " (pass --create-table to create it)" : ""
            OutputStream.printError("logq: \(error.message)\(hint)")
            throw ExitCode(1)
        }
    }

    /// `URL -`: the rows that would be sent, as JSONEachRow on stdout (batch token `stdout`),
    /// for `clickhouse-local`, chdb, or a look.
    static func printRows(_ query: Query, directory: DataDirectory) throws {
        var out = OutputStream(fd: 1)
        var batch = ExportBatch()
        let runner = QueryRunner(executor: QueryExecutor(reader: StoreReader(directory: directory)))
        let outcome = try runner.run(
            query,
            onEvent: { event in
                batch.add(event)
                if batch.count >= 1_000 {
                    out.write(bytes: ClickHouseRow.finish(rows: batch.rows, ends: batch.ends, token: "stdout"))
                    batch.removeAll()
                }
                return true
            },
            onTable: { _ in })
        out.write(bytes: ClickHouseRow.finish(rows: batch.rows, ends: batch.ends, token: "stdout"))
        out.flush()
        for problem in outcome.stats.scan.problems { OutputStream.printError("logq: warning: \(problem)") }
    }

    /// `--create-table`: the database and the table, LowCardinality columns where the server takes them.
    static func createTable(_ table: ClickHouseTable, on connection: ClickHouseConnection) throws(ClickHouseError) {
        let version = try connection.version()
        try connection.execute(table.createDatabaseStatement)
        try connection.execute(table.createStatement(lowCardinality: ClickHouseTable.supportsLowCardinality(version: version)))
    }
}
