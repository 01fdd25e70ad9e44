import ArgumentParser
import AuditCore
import LogQuery
import MetricsAgg
import SegmentStore

#if canImport(Glibc)
import Glibc
#endif

/// `logq metrics`: the aggregations of `/metrics`, ad hoc over a stored range.
struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Compute the /metrics aggregations over stored events: API-server, CloudTrail, Container Insights, rules.",
        discussion: """
            Folds the stored events that match a query (or a rule of --rules) into the same series \
            'logq serve' exposes on /metrics, and prints them:

              logq metrics 'since=1h'                            every family over the last hour
              logq metrics --metric apiserver_request 'since=1d' one family (a name prefix)
              logq metrics --rules rules.txt secret_deleted every 1h -o csv   a rule, hour by hour
              logq metrics -o prom 'source=perf'                 Prometheus text, as a scrape sees it

            'every 5m' prints the series of each window of event time. A rules file holds one rule \
            per line, 'name: query [by field,…]' (see docs/metrics.md).
            """
    )

    @OptionGroup var options: DataOptions

    @Argument(help: "A query (filter and since=/until=), or the name of a rule of --rules; then optionally 'every DURATION'.")
    var query: [String] = []

    @Option(name: .long, help: ArgumentHelp("A rules file: each rule becomes logq_rule_matches_total{rule=…}.", valueName: "file"))
    var rules: String?

    @Option(name: .long, help: ArgumentHelp("Only families whose name starts with this.", valueName: "prefix"))
    var metric: String?

    @Option(name: [.short, .customLong("output")], help: "Output: table, csv, json, prom (Prometheus text 0.0.4) or openmetrics.")
    var output: String = "table"

    @Option(name: .long, help: ArgumentHelp("Render the result this many times and print the median render time and series count to stderr (how the scrape cost is measured).", visibility: .hidden))
    var benchRender: Int?

    func validate() throws {
        guard ["table", "csv", "json", "prom", "openmetrics"].contains(output) else {
            throw ValidationError("unknown output '\(output)': pass -o table, csv, json, prom or openmetrics")
        }
    }

    func run() throws {
        let loaded = try loadRules()
        var words = query.flatMap { $0.split(separator: " ").map(String.init) }
        var window: Int64?
        if words.count >= 2, words[words.count - 2] == "every" {
            guard let width = DurationParser.parse(words[words.count - 1]), width > 0 else {
                OutputStream.printError("logq: 'every \(words[words.count - 1])' is not a duration: pass e.g. every 5m, every 1h")
                throw ExitCode(2)
            }
            window = width
            words.removeLast(2)
        }
        let text = words.joined(separator: " ")
        let parsed: Query
        let selected: [MetricRule]
        var prefix = metric
        do {
            let choice = try Self.choose(words, rules: loaded)
            parsed = choice.query
            selected = choice.rules
            // A rule asked for by name: only its counter unless --metric says otherwise.
            if choice.byRule, prefix == nil { prefix = "logq_rule_matches" }
        } catch {
            OutputStream.printError("logq: bad query\n" + error.render(query: text))
            throw ExitCode(2)
        }
        guard parsed.pipes.isEmpty else {
            OutputStream.printError("logq: 'logq metrics' takes a filter without pipes: use 'every 5m' for windows and --metric to pick families")
            throw ExitCode(2)
        }
        var windows: [Int64: MetricsAggregator] = [:]
        let executor = QueryExecutor(reader: StoreReader(directory: options.directory))
        do {
            try executor.run(parsed, parts: .all) { event in
                let key = window.map { event.time - ((event.time % $0) + $0) % $0 } ?? 0
                let aggregator = windows[key] ?? MetricsAggregator(rules: selected)
                windows[key] = aggregator
                aggregator.add(event)
                return true
            }
        } catch {
            OutputStream.printError("logq: cannot read the store at \(options.directory.path): \(error)")
            throw ExitCode(1)
        }
        if windows.isEmpty { windows[0] = MetricsAggregator(rules: selected) }
        if let runs = benchRender, let aggregator = windows.first?.value {
            Self.benchmarkRender(aggregator, runs: max(1, runs))
        }
        print(windows.sorted { $0.key < $1.key }, windowed: window != nil, prefix: prefix)
    }

    /// The query `words` ask for: a rule's filter when the first word names a rule of `rules`
    /// (and-ed with the rest, e.g. `since=1h`), else the words as a query with every rule.
    static func choose(_ words: [String], rules: [MetricRule]) throws(QueryError) -> (query: Query, rules: [MetricRule], byRule: Bool) {
        if let first = words.first, let rule = rules.first(where: { $0.name == first }) {
            var rest = try Query.parse(words.dropFirst().joined(separator: " "), now: Environment.now())
            rest.filter = .and([rule.filter, rest.filter])
            return (rest, [rule], true)
        }
        return (try Query.parse(words.joined(separator: " "), now: Environment.now()), rules, false)
    }

    private func loadRules() throws -> [MetricRule] {
        try Self.loadRules(rules)
    }

    /// The rules of the file at `rules` (none when nil); a clear error and exit 1 when it cannot be read.
    static func loadRules(_ rules: String?) throws -> [MetricRule] {
        guard let rules else { return [] }
        let text: String
        do {
            let handle = try FileHandle.openForReading(rules)
            defer { handle.close() }
            var bytes: [UInt8] = []
            try handle.read(into: &bytes, count: try handle.size(), at: 0)
            text = String(decoding: bytes, as: UTF8.self)
        } catch {
            OutputStream.printError("logq: cannot read rules file \(rules): \(error)")
            throw ExitCode(1)
        }
        do {
            return try RuleFile.parse(text, file: rules)
        } catch {
            OutputStream.printError("logq: \(error)")
            throw ExitCode(2)
        }
    }

    private func print(_ windows: [(key: Int64, value: MetricsAggregator)], windowed: Bool, prefix: String?) {
        var out = OutputStream(fd: 1)
        if output == "prom" || output == "openmetrics" {
            let format: ExpositionFormat = output == "prom" ? .text : .openMetrics
            for (start, aggregator) in windows {
                if windowed { out.write("# window \(Timestamp.format(start, fractionDigits: 0))\n") }
                var text = String(decoding: aggregator.render(format), as: UTF8.self)
                if let prefix { text = Self.keepFamilies(text, prefix: prefix) }
                out.write(text)
            }
            out.flush()
            return
        }
        var rows: [[String]] = []
        for (start, aggregator) in windows {
            for family in aggregator.registry.families where prefix.map({ family.name.hasPrefix($0) }) ?? true {
                let names = family.constantLabels.map(\.name) + family.labelNames
                let constants = family.constantLabels.map(\.value)
                for sample in aggregator.samples(family.id) {
                    let labels = zip(names, constants + sample.labels).map { "\($0)=\($1)" }.joined(separator: ",")
                    // A histogram as its observation count and sum.
                    var pairs = [(family.name, sample.value)]
                    if case .histogram = family.kind {
                        pairs = [(family.name + "_count", Double(family.observations(sample.labels) ?? 0)), (family.name + "_sum", sample.value)]
                    }
                    for (name, value) in pairs {
                        var row = [name, labels, Self.number(value)]
                        if windowed { row.insert(Timestamp.format(start, fractionDigits: 0), at: 0) }
                        rows.append(row)
                    }
                }
            }
        }
        var header = ["metric", "labels", "value"]
        if windowed { header.insert("window", at: 0) }
        switch output {
        case "csv":
            out.write(CSV.record(header))
            for row in rows { out.write(CSV.record(row)) }
        case "json":
            out.write("[")
            for (k, row) in rows.enumerated() {
                let pairs = zip(header, row).map { name, cell in
                    "\(EventFormatter.jsonString(name)):\(name == "value" ? cell : EventFormatter.jsonString(cell))"
                }
                out.write((k == 0 ? "\n" : ",\n") + "{" + pairs.joined(separator: ",") + "}")
            }
            out.write("\n]\n")
        default:
            let numeric = header.map { $0 == "value" }
            let table = TableText(header: header, rows: rows, numeric: numeric, colour: false)
            out.write(table.header(header) + "\n")
            for row in rows { out.write(table.row(row) + "\n") }
        }
        out.flush()
    }

    /// Renders `aggregator` `runs` times in each format and prints the median, min and max
    /// times (ns clock, monotonic) with the series count and body size to stderr.
    static func benchmarkRender(_ aggregator: MetricsAggregator, runs: Int) {
        for format in [ExpositionFormat.text, .openMetrics] {
            var times: [Int64] = []
            var bytes = 0
            for _ in 0..<runs {
                let start = Self.monotonic()
                bytes = aggregator.render(format).count
                times.append(Self.monotonic() - start)
            }
            times.sort()
            let ms = { (ns: Int64) in String(Double(ns / 1000) / 1000) }
            OutputStream.printError(
                "render \(format == .text ? "text 0.0.4" : "OpenMetrics"): \(aggregator.registry.seriesCount) series, \(bytes) bytes, median \(ms(times[times.count / 2])) ms (min \(ms(times[0])), max \(ms(times[times.count - 1])), \(runs) runs)")
        }
    }

    static func monotonic() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// The families of a text exposition whose name starts with `prefix`.
    static func keepFamilies(_ text: String, prefix: String) -> String {
        var out = ""
        for line in text.split(separator: "\n") {
            let name = line.hasPrefix("# ") ? line.split(separator: " ").dropFirst(2).first.map(String.init) ?? "" : String(line)
            if name.hasPrefix(prefix) || line == "# EOF" { out += line + "\n" }
        }
        return out
    }

    /// A value as JSON and tables show it: integers without a fraction.
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return value.isFinite ? String(value) : "null"
    }
}
