import ArgumentParser
import AuditCore
import LogQuery
import SegmentStore

/// `logq 'QUERY'` (the default subcommand).
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Print the stored events that match a query, in time order (the default command).",
        discussion: """
            A query is terms joined by AND, then optional pipes:

              verb=delete since=1h               field=value; since=/until= take 30m, 1h, 7d or a time
              verb=create,update                 a list: any of the values
              name=prod-*                        * is a wildcard
              ns=*   ns!=*                       the field exists (and is not empty) / is missing
              user!=system:kube-scheduler        not equal
              code>=400                          numbers: > >= < <= (code, latency)
              uri~'^/api/v1/namespaces/[^/]+/secrets'   regular expression (~, !~)
              verb=delete or verb=deletecollection      'or', 'not', parentheses
              "db-credentials"                   a word or phrase anywhere in the original event
              objectRef.subresource=exec         any JSON path into the original event
              verb=delete | count by user        pipes: count [by f…] [every 5m], top N f,
                                                 stats count() avg(f) p50(f) p90(f) p99(f) uniq(f) [by f…] [every 1h],
                                                 sort by f [desc], fields f…, head [N], tail [N], limit N

            Fields: source (cloudtrail, k8s-audit, apiserver, controller-manager, scheduler, \
            authenticator, perf), verb (unified: a deleted Deployment and a DeleteBucket are both \
            verb=delete), user, groups, ip, agent, resource, ns, name, subresource, code, reason, \
            decision, latency (ms), account, region, service (eventSource), event (eventName), \
            error (errorCode), cluster, stage, level, id, actor (the IAM role or user behind a \
            call, in both sources, and the service account of an IRSA session), uri; for klog, \
            authenticator and perf events: severity, message, location (file:line), node, kind; \
            timesource (mtime, ingest or envelope when the event carried no time of its own).

            groups and actor hold lists: a term matches when any element does.

            Output: on a terminal a table (coloured unless NO_COLOR is set), otherwise one line \
            per event (time, source, verb, user, what, where, code); -o ndjson / json print the \
            original events, -o csv the columns, -o raw the originals byte for byte.
            Exit status: 0 with matches, 1 with none or when the store cannot be read, 2 for a bad \
            query, 64 for a bad option, 124 when --timeout stopped the query.
            """
    )

    @OptionGroup var options: DataOptions

    @Option(
        name: [.short, .long],
        help: "Output format: table (default on a terminal), text (default otherwise), ndjson, json, csv or raw.")
    var output: String?

    @Flag(name: .long, help: "Print the plan and what was read (partitions, blocks, events, time) to stderr.")
    var explain = false

    @Flag(name: .long, help: "The same as --explain.")
    var stats = false

    @Option(name: .long, help: ArgumentHelp("Stop the query after this long (30s, 5m) with exit status 124. Default: no limit.", valueName: "duration"))
    var timeout: String?

    @Argument(help: ArgumentHelp("The query (quote it). Empty: every event.", valueName: "query"))
    var query: [String] = []

    func validate() throws {
        if let output, OutputFormat(rawValue: output) == nil {
            throw ValidationError(
                "unknown output format '\(output)': use \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let timeout, (DurationParser.parse(timeout) ?? 0) <= 0 {
            throw ValidationError("cannot use --timeout '\(timeout)': pass a duration such as 30s, 5m or 1h")
        }
    }

    func run() throws {
        Logq.tuneAllocator()
        if let timeout, let nanoseconds = DurationParser.parse(timeout) { QueryTimeout.arm(nanoseconds: nanoseconds) }
        let text = query.joined(separator: " ")
        let parsed: Query
        do {
            parsed = try Query.parse(text, now: Environment.now())
        } catch {
            OutputStream.printError("logq: bad query\n" + error.render(query: text))
            throw ExitCode(2)
        }
        let directory = options.directory
        guard directory.exists else {
            OutputStream.printError("logq: no data in \(directory.path): run 'logq ingest PATH' first (or pass --data DIR)")
            throw ExitCode(1)
        }
        let terminal = Environment.stdoutIsTerminal
        let format = output.flatMap(OutputFormat.init(rawValue:)) ?? (terminal ? .table : .text)
        let colour = terminal && Environment.current["NO_COLOR"] == nil
        let out = OutputBox(OutputStream(fd: 1))
        let printer = ResultPrinter(
            format: format, colour: colour, projection: QueryRunner.projection(parsed), write: { out.stream.write(bytes: $0) })
        if format == .table { printer.terminalWidth = Environment.terminalWidth }
        let runner = QueryRunner(executor: QueryExecutor(reader: StoreReader(directory: directory)))
        if explain || stats { OutputStream.printError(Explain.plan(parsed)) }
        let outcome: QueryRunner.Outcome
        do {
            let printsRawOnly = [.raw, .ndjson, .json].contains(format) && QueryRunner.projection(parsed) == nil
            outcome = try runner.run(
                parsed, printsRawOnly: printsRawOnly,
                onEvent: { event in
                    printer.event(event)
                    return true
                },
                onTable: { printer.table($0) })
            printer.finish()
        } catch let error as QueryError {
            out.stream.flush()
            OutputStream.printError("logq: bad query\n" + error.render(query: text))
            throw ExitCode(2)
        } catch {
            out.stream.flush()
            OutputStream.printError("logq: \(error)")
            throw ExitCode(1)
        }
        out.stream.flush()
        for problem in outcome.stats.scan.problems {
            OutputStream.printError("logq: damaged block skipped: \(problem)")
        }
        QueryTimeout.warnAboutRegexLimits()
        if explain || stats { OutputStream.printError(Explain.counters(outcome)) }
        if outcome.stats.eventsMatched == 0 {
            if let hint = EmptyResultHint.reason(for: parsed, reader: StoreReader(directory: directory)) { OutputStream.printError(hint) }
            throw ExitCode(1)
        }
    }
}

/// The CLI's stdout, shared by the printer's write closure.
final class OutputBox {
    var stream: OutputStream
    init(_ stream: OutputStream) { self.stream = stream }
}
