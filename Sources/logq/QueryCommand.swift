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
              user!=system:kube-scheduler        not equal
              code>=400                          numbers: > >= < <= (code, latency)
              uri~'^/api/v1/namespaces/[^/]+/secrets'   regular expression (~, !~)
              verb=delete or verb=deletecollection      'or', 'not', parentheses
              "db-credentials"                   a word or phrase anywhere in the original event
              verb=delete | count by user        pipes: count [by f…], fields f…, limit N

            Fields: source (cloudtrail, k8s-audit), verb (unified: a deleted Deployment and a \
            DeleteBucket are both verb=delete), user, groups, ip, agent, resource, ns, name, \
            subresource, code, reason, decision, latency (ms), account, region, service \
            (eventSource), event (eventName), error (errorCode), cluster, stage, level, id, actor \
            (the IAM role or user behind a call, in both sources), uri.

            Output: one line per event (time, source, verb, user, what, where, code); \
            -o ndjson prints the original events as JSON lines, -o raw byte for byte.
            Exit status: 0 with matches, 1 with none, 2 for a bad query or option.
            """
    )

    @OptionGroup var options: DataOptions

    @Option(name: [.short, .long], help: "Output format: text, ndjson or raw.")
    var output: String = "text"

    @Flag(name: .long, help: "Print what was read (partitions, blocks, events) to stderr.")
    var stats = false

    @Argument(help: ArgumentHelp("The query (quote it). Empty: every event.", valueName: "query"))
    var query: [String] = []

    func validate() throws {
        guard OutputFormat(rawValue: output) != nil else {
            throw ValidationError("unknown output format '\(output)': use text, ndjson or raw")
        }
    }

    func run() throws {
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
        let format = OutputFormat(rawValue: output)!
        var out = OutputStream(fd: 1)
        var limit = Int.max
        var counter: CountPipe.State?
        var projection: FieldsPipe?
        for pipe in parsed.pipes {
            switch pipe {
            case .limit(let l): limit = min(limit, l.count)
            case .count(let c): counter = CountPipe.State(pipe: c)
            case .fields(let f): projection = f
            }
        }
        var printed = 0
        let executor = QueryExecutor(reader: StoreReader(directory: directory))
        let result: QueryStats
        var matched = 0
        do {
            if let initial = counter {
                // Aggregations read the grouped fields of matching rows in place, on every core.
                let (counted, stats) = try executor.aggregate(
                    parsed, initial: initial, add: { state, view, rows in state.add(view, rows) },
                    merge: { total, part in total.merge(part) })
                result = stats
                let counter = counted
                let rows = Array(counter.rows.prefix(limit))
                matched = rows.count
                let by = counter.pipe.by
                let lines = format == .text ? EventFormatter.countTable(rows, by: by) : EventFormatter.countJSON(rows, by: by)
                for line in lines { out.write(line + "\n") }
            } else {
                result = try executor.run(parsed) { event in
                    guard printed < limit else { return false }
                    printed += 1
                    if let projection {
                        out.write((format == .text ? projection.text(event) : projection.json(event)) + "\n")
                        return printed < limit
                    }
                    switch format {
                    case .text: out.write(EventFormatter.line(event) + "\n")
                    case .ndjson: out.write(bytes: EventFormatter.ndjson(event) + [0x0A])
                    case .raw: out.write(bytes: event.raw + [0x0A])
                    }
                    return printed < limit
                }
                matched = printed
            }
        } catch {
            out.flush()
            OutputStream.printError("logq: \(error)")
            throw ExitCode(1)
        }
        out.flush()
        for problem in result.scan.problems {
            OutputStream.printError("logq: damaged block skipped: \(problem)")
        }
        if stats {
            let s = result.scan
            OutputStream.printError(
                "logq: \(s.partitions) partitions, \(s.segments) segments, \(s.blocksRead) blocks (\(s.blocksSkipped) skipped by time, \(s.blocksPruned) by their value sets, \(s.blocksDecoded) decoded), \(result.eventsScanned) events scanned, \(result.eventsMatched) matched")
        }
        if matched == 0 { throw ExitCode(1) }
    }
}
