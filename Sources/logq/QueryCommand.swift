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

            Tail-follow (-f): the last matches, then every new one as soon as it is stored, in the \
            order events arrive (late ones marked), until Ctrl-C:

              logq -f 'verb=delete ns=prod'              last 10, then live (-n N: last N; -n 0: none)
              logq -f --since 1h 'code>=400'             every match of the last hour, then live
              logq -f 'code>=400 | count by user every 1m'   a table per window when it closes
              logq -f --cursor ~/.logq-pos 'code=403'    resume where it stopped (or --cursor-token T)

            Output: on a terminal a table (coloured unless NO_COLOR is set), otherwise one line \
            per event (time, source, verb, user, what, where, code); -o ndjson / json print the \
            original events, -o csv the columns, -o raw the originals byte for byte.
            Exit status: 0 with matches, 1 with none or when the store cannot be read, 2 for a bad \
            query, 3 with --strict when the store is damaged, 64 for a bad option, 124 when \
            --timeout stopped the query; -f exits 0 on Ctrl-C. An answer computed over a damaged \
            store (a damaged block skipped, a segment missing, cut short, unreadable or outside \
            the hash chain) says so on stderr ('logq: warning: …'); --strict makes that an error.
            """
    )

    @OptionGroup var options: StoresOptions

    @OptionGroup var remote: RemoteOptions

    @Option(
        name: [.short, .long],
        help: "Output format: table (default on a terminal), text (default otherwise), ndjson, json, csv or raw.")
    var output: String?

    @Flag(name: .long, help: "Print the plan and what was read (partitions, blocks, events, time) to stderr.")
    var explain = false

    @Flag(name: .long, help: "The same as --explain.")
    var stats = false

    @Flag(name: [.customShort("f"), .long], help: "Follow: print the last matches, then every new match as soon as it is durable, until Ctrl-C.")
    var follow = false

    @Option(name: [.customShort("n"), .long], help: ArgumentHelp("With -f, how many of the last matches to print first (0: none).", valueName: "N"))
    var lines = 10

    @Option(name: .long, help: ArgumentHelp("With -f, print every match since this time (30m, 1h, 2026-11-24T10:00:00Z) before following, instead of the last -n.", valueName: "time"))
    var since: String?

    @Option(name: .long, help: ArgumentHelp("With -f, save the position after each printed batch in FILE and resume from it (no history then).", valueName: "file"))
    var cursor: String?

    @Option(name: .long, help: ArgumentHelp("With -f, resume at a position logq -f printed on Ctrl-C (no history then).", valueName: "token"))
    var cursorToken: String?

    @Option(name: .long, help: ArgumentHelp("With -f and '| count … every D', wait this long after a window ends before printing it, for events still arriving (default 2s).", valueName: "duration"))
    var grace = "2s"

    @Flag(name: .long, help: "With -f, poll the store every 100 ms instead of waiting for file-system notifications.")
    var poll = false

    @Flag(name: .long, help: "Fail (exit 3) when the answer was computed over a damaged store.")
    var strict = false

    @Option(name: .long, help: ArgumentHelp("Stop the query after this long (30s, 5m) with exit status 124. Default: no limit.", valueName: "duration"))
    var timeout: String?

    @Argument(help: ArgumentHelp("The query (quote it). Empty: every event.", valueName: "query"))
    var query: [String] = []

    func validate() throws {
        if !follow, since != nil || cursor != nil || cursorToken != nil || poll {
            throw ValidationError("--since, --cursor, --cursor-token and --poll go with -f (follow); for a time window without -f put since= in the query")
        }
        if follow, lines < 0 { throw ValidationError("-n takes 0 or more") }
        if follow, options.isSeveral { throw ValidationError("-f follows one store: give one --data (several stores are for queries without -f)") }
        if DurationParser.parse(grace) == nil { throw ValidationError("--grace \(grace) is not a duration like 2s or 1m") }
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
        let terminalFormat = output.flatMap(OutputFormat.init(rawValue:)) ?? (Environment.stdoutIsTerminal ? .table : .text)
        if let client = try remote.client() {
            if follow {
                try RemoteFollow(client: client, text: text, format: terminalFormat, last: lines, cursorToken: cursorToken).run()
            } else {
                try RemoteQuery.run(client: client, text: text, format: terminalFormat, strict: strict)
            }
            return
        }
        let directory = options.directory
        for store in options.directories where !store.exists && !follow {
            OutputStream.printError("logq: no data in \(store.path): run 'logq ingest PATH' first (or pass --data DIR)")
            throw ExitCode(1)
        }
        let terminal = Environment.stdoutIsTerminal
        let format = output.flatMap(OutputFormat.init(rawValue:)) ?? (terminal ? .table : .text)
        let colour = terminal && Environment.current["NO_COLOR"] == nil
        if follow {
            var from: Int64?
            if let since {
                let now = Environment.now()
                guard let time = DurationParser.parse(since).map({ now - $0 }) ?? Timestamp.parse(since) else {
                    throw ValidationError("--since \(since) is neither a duration (30m, 7d) nor a time (2026-11-24T10:00:00Z)")
                }
                from = time
            }
            try FollowMode(
                text: text, query: parsed, directory: directory, format: format, colour: colour, last: lines, since: from,
                cursorFile: cursor, cursorToken: cursorToken, grace: DurationParser.parse(grace) ?? 2_000_000_000, polling: poll,
                stats: stats || explain
            ).run()
            return
        }
        let out = OutputBox(OutputStream(fd: 1))
        let printer = ResultPrinter(
            format: format, colour: colour, projection: QueryRunner.projection(parsed), write: { out.stream.write(bytes: $0) })
        if format == .table { printer.terminalWidth = Environment.terminalWidth }
        let runner = QueryRunner(executor: QueryExecutor(readers: options.directories.map { StoreReader(directory: $0) }))
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
            OutputStream.printError("logq: warning: \(problem)")
        }
        QueryTimeout.warnAboutRegexLimits()
        if explain || stats { OutputStream.printError(Explain.counters(outcome)) }
        if strict && !outcome.stats.scan.problems.isEmpty {
            OutputStream.printError("logq: the store is damaged (see the warnings); the answer above may be incomplete")
            throw ExitCode(3)
        }
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
