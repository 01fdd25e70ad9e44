import ArgumentParser
import AuditCore
import AuditIngest
import SegmentStore

#if canImport(Glibc)
import Glibc
#endif

/// `logq ingest PATH…`
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Store the events of files, directories or stdin.",
        discussion: """
            Reads Kubernetes audit events (JSON lines, single Events, EventLists; audit.k8s.io v1 \
            and v1beta1), CloudTrail records (S3 delivery files {"Records":[…]}, one record per \
            line, JSON arrays, `aws cloudtrail lookup-events` output, EventBridge envelopes), \
            CloudWatch Logs shapes (subscription payloads, also base64 gzip; `aws logs \
            filter-log-events` output; export lines '<time> <event>'), klog lines of \
            kube-apiserver, kube-controller-manager and kube-scheduler, aws-iam-authenticator \
            lines and Container Insights performance events (EMF), plain or gzip, told apart by \
            content (--format forces one). CloudTrail digest files are recognised and not stored. \
            Directories are read recursively; glob patterns are expanded ('logs/*.json.gz'); '-' \
            reads stdin. Files of the CloudTrail S3 layout (AWSLogs/<acct>/CloudTrail/<region>/ \
            YYYY/MM/DD/) outside --region / --since / --until are not opened.

            Events go to one partition per UTC hour of event time. Ingest returns only after \
            everything stored is fsync'd. Ingesting the same input again stores nothing twice: an \
            event is a duplicate when its ID (CloudTrail eventID; audit auditID + stage) and its \
            content match a stored one. The same ID with other content is kept and counted as an \
            ID conflict.

            A malformed line or an unknown record is reported with file, line and byte offset and \
            kept in the quarantine (<data>/rejects.jsonl, listed by 'logq rejects'); the events \
            around it are stored. Inputs holding nothing logq reads (a LICENSE) are reported as \
            unrecognised. Events without any time are stored at the file's modification time \
            (stdin: the time of ingest) and marked timesource=mtime (ingest).

            Exit status: 0 when the inputs were read (rejections are reported on stderr); 1 when \
            an input could not be read or the store failed; 3 with --strict when anything was rejected.
            """
    )

    @OptionGroup var options: DataOptions

    @OptionGroup var remote: RemoteOptions

    @Flag(name: .long, help: "Exit with status 3 when any event was rejected.")
    var strict = false

    @Option(name: .long, help: "Print at most this many rejections per input (all are counted).")
    var maxErrors = 5

    @Option(name: .long, help: ArgumentHelp("Read every input as this format: \(InputFormat.names).", valueName: "name"))
    var format = "auto"

    @Option(name: .long, help: ArgumentHelp("Reject single events or lines longer than this (bytes; K/M suffixes).", valueName: "size"))
    var maxLine = "1M"

    @Option(name: .long, help: ArgumentHelp("Skip events before this (30m, 7d, or a time); prunes S3-layout days.", valueName: "time"))
    var since: String?

    @Option(name: .long, help: ArgumentHelp("Skip events after this (30m, 7d, or a time); prunes S3-layout days.", valueName: "time"))
    var until: String?

    @Option(name: .long, help: ArgumentHelp("Read only S3-layout files of these regions (repeat or comma-separate).", valueName: "region"))
    var region: [String] = []

    @Flag(name: .long, inversion: .prefixedNo, help: "Show a progress line on stderr (default: when stderr is a terminal).")
    var progress: Bool?

    @Flag(name: .long, help: "Follow growing files (JSON or text lines): survive rotation, resume at checkpoints; stop with Ctrl-C.")
    var follow = false

    @Option(
        name: [.long, .customLong("commit-interval")],
        help: ArgumentHelp(
            "With --follow, seconds between reads; each read that found events is committed (fsync'd) and becomes visible to 'logq -f' (default 0.1).",
            valueName: "seconds"))
    var interval = 0.1

    @Argument(help: ArgumentHelp("Files, directories or glob patterns to read ('-' for stdin).", valueName: "path"))
    var paths: [String]

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("name at least one file or directory to ingest, or '-' for stdin") }
        guard maxErrors >= 0 else { throw ValidationError("--max-errors must be 0 or more") }
        guard InputFormat(rawValue: format) != nil else {
            throw ValidationError("--format \(format) is not a format; use one of: \(InputFormat.names)")
        }
        guard let size = Self.size(maxLine), size >= 1024 else {
            throw ValidationError("--max-line \(maxLine) is not a size of at least 1K; use bytes with an optional K or M suffix, e.g. 1M")
        }
        _ = size
        let window = try timeWindow(now: 0)
        if let since = window.since, let until = window.until, since > until {
            throw ValidationError("pass --since earlier than --until")
        }
    }

    /// Follow mode: poll the files until killed. Each poll's events are durable before its
    /// checkpoints are saved, so killing logq at any moment loses and repeats nothing.
    func runFollow(
        writer: StoreWriter, directory: DataDirectory, options: IngestOptions, quarantine: Quarantine,
        correlator: ActorCorrelator, actorsPath: String
    ) throws {
        guard !paths.contains("-") else { throw ValidationError("--follow reads files; pipe stdin with 'logq ingest -' instead") }
        let follower = Follower(
            paths: paths, writer: writer, directory: directory, options: options, quarantine: quarantine,
            onRejection: { OutputStream.printError("logq: \($0)") })
        var out = OutputStream(fd: 1)
        // Ctrl-C / SIGTERM: finish the poll, then close the store (its segments sealed).
        FollowSignals.install()
        while !FollowSignals.stopRequested {
            do {
                let events = try follower.poll()
                try correlator.save(to: actorsPath)
                if events > 0 {
                    let s = follower.summary
                    out.write("followed: \(s.stored) stored, \(s.duplicates) duplicates skipped, \(s.rejected) rejected so far\n")
                    out.flush()
                }
            } catch {
                OutputStream.printError("logq: \(error)")
                throw ExitCode(1)
            }
            usleep(UInt32(max(0.01, interval) * 1_000_000))
        }
        do {
            try writer.close()
        } catch {
            OutputStream.printError("logq: \(error)")
            throw ExitCode(1)
        }
        let s = follower.summary
        OutputStream.printError("logq: stopped following: \(s.stored) stored, \(s.duplicates) duplicates skipped, \(s.rejected) rejected")
    }

    /// `--since` / `--until` as ns UTC: durations count back from `now`.
    func timeWindow(now: Int64) throws -> (since: Int64?, until: Int64?) {
        func parse(_ text: String?, _ flag: String) throws -> Int64? {
            guard let text else { return nil }
            if let duration = DurationParser.parse(text) { return now - duration }
            if let time = Timestamp.parse(text) { return time }
            throw ValidationError("\(flag) \(text) is neither a duration (30m, 7d) nor a time (2025-03-02T10:00:00Z)")
        }
        return (try parse(since, "--since"), try parse(until, "--until"))
    }

    /// `1048576`, `512K`, `1M`, `2MiB` → bytes.
    static func size(_ text: String) -> Int? {
        let digits = text.prefix { $0.isNumber }
        guard let value = Int(digits) else { return nil }
        switch text.dropFirst(digits.count).uppercased() {
        case "": return value
        case "K", "KB", "KIB": return value << 10
        case "M", "MB", "MIB": return value << 20
        default: return nil
        }
    }

    func run() throws {
        if let client = try remote.client() {
            guard !follow else { throw ValidationError("--follow with --server is not supported yet; ingest the files once, or run 'logq ingest --follow' beside the server's store") }
            try RemoteIngest(client: client, paths: paths, strict: strict).run()
            return
        }
        let directory = options.directory
        let writer: StoreWriter
        do {
            writer = try StoreWriter(directory: directory)
        } catch {
            OutputStream.printError("logq: \(error)")
            throw ExitCode(1)
        }
        MaintenanceWriter.reportRecovery(writer.recovery)
        var ingestOptions = IngestOptions()
        ingestOptions.format = InputFormat(rawValue: format) ?? .auto
        ingestOptions.maxLineBytes = Self.size(maxLine) ?? JSONValueReader.defaultMaxLineBytes
        let window = try timeWindow(now: Environment.now())
        ingestOptions.since = window.since
        ingestOptions.until = window.until
        ingestOptions.regions = Set(region.flatMap { $0.split(separator: ",").map(String.init) })
        let actorsPath = directory.path + "/" + FileNames.actors
        let correlator = ActorCorrelator(loading: actorsPath)
        ingestOptions.correlator = correlator
        let quarantine = Quarantine(directory: directory, now: Environment.now())
        var shownPerFile: [String: Int] = [:]
        var inputErrors = 0
        var skipped: [String] = []
        var warnedPerFile: [String: Int] = [:]
        let ingestor = Ingestor(
            writer: writer,
            options: ingestOptions,
            quarantine: quarantine,
            onRejection: { rejection in
                let shown = shownPerFile[rejection.file, default: 0]
                shownPerFile[rejection.file] = shown + 1
                if shown < maxErrors {
                    OutputStream.printError("logq: \(rejection)")
                } else if shown == maxErrors {
                    OutputStream.printError("logq: \(rejection.file): more rejections not shown (see the summary; raise --max-errors to see them)")
                }
            },
            onInputError: { error in
                inputErrors += 1
                OutputStream.printError("logq: \(error)")
            },
            onSkippedInput: { name, reason in
                skipped.append("\(name) (\(reason))")
            },
            onWarning: { file, message in
                let shown = warnedPerFile[file, default: 0]
                warnedPerFile[file] = shown + 1
                if shown < maxErrors {
                    OutputStream.printError("logq: warning: \(message)")
                } else if shown == maxErrors {
                    OutputStream.printError("logq: \(file): more warnings not shown (raise --max-errors to see them)")
                }
            })
        if follow {
            try runFollow(writer: writer, directory: directory, options: ingestOptions, quarantine: quarantine, correlator: correlator, actorsPath: actorsPath)
            return
        }
        var bar = ProgressLine(enabled: progress ?? Environment.stderrIsTerminal)
        ingestor.onProgress = { bar.update($0) }
        do {
            try ingestor.ingest(paths: paths)
            bar.finish()
            try writer.close()
            try correlator.save(to: actorsPath)
            try quarantine.flush()
        } catch {
            bar.finish()
            OutputStream.printError("logq: \(error)")
            OutputStream.printError("logq: ingest failed; events acknowledged by earlier runs are safe, this run's events may be partly stored (run it again: duplicates are skipped)")
            throw ExitCode(1)
        }
        for problem in writer.problems {
            OutputStream.printError("logq: warning: \(problem)")
        }
        for input in skipped {
            OutputStream.printError("logq: unrecognised input skipped: \(input)")
        }
        let s = ingestor.summary
        var out = OutputStream(fd: 1)
        out.write(
            "ingested \(s.inputs - s.skippedInputs) input\(s.inputs - s.skippedInputs == 1 ? "" : "s") (\(Self.bytes(s.bytes))) into \(directory.path): "
                + "\(s.stored) stored, \(s.duplicates) duplicate\(s.duplicates == 1 ? "" : "s") skipped, "
                + "\(s.idConflicts) ID conflict\(s.idConflicts == 1 ? "" : "s") kept, \(s.rejected) rejected"
                + (s.rejected > 0 ? " (see logq rejects)" : "")
                + (s.digests > 0 ? ", \(s.digests) digest file\(s.digests == 1 ? "" : "s") not stored" : "")
                + (s.outsideWindow > 0 ? ", \(s.outsideWindow) outside --since/--until" : "")
                + (s.skippedInputs > 0 ? ", \(s.skippedInputs) unrecognised input\(s.skippedInputs == 1 ? "" : "s")" : "")
                + (s.skippedDirectories > 0
                    ? ", \(s.skippedDirectories) director\(s.skippedDirectories == 1 ? "y" : "ies") read already (symlink loop or alias) skipped" : "")
                + (s.invalidUTF8 > 0 ? ", \(s.invalidUTF8) event\(s.invalidUTF8 == 1 ? "" : "s") with invalid UTF-8 stored as is" : "")
                + (s.prunedPaths > 0 ? ", \(s.prunedPaths) S3 folder\(s.prunedPaths == 1 ? "" : "s") or file\(s.prunedPaths == 1 ? "" : "s") skipped by --region/--since/--until" : "")
                + (inputErrors > 0 ? ", \(inputErrors) input\(inputErrors == 1 ? "" : "s") unreadable" : "") + "\n")
        out.flush()
        if inputErrors > 0 { throw ExitCode(1) }
        if strict && s.rejected > 0 { throw ExitCode(3) }
    }

    static func bytes(_ n: Int) -> String {
        if n < 1024 { return "\(n) B" }
        if n < 1 << 20 { return "\(n / 1024) KiB" }
        let tenths = n * 10 / (1 << 20)
        return "\(tenths / 10).\(tenths % 10) MiB"
    }
}
