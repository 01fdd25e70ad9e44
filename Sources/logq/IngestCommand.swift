import ArgumentParser
import AuditIngest
import SegmentStore

/// `logq ingest PATH…`
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Store the events of files, directories or stdin.",
        discussion: """
            Reads Kubernetes audit events (JSON lines, single Events, EventLists; audit.k8s.io v1 \
            and v1beta1) and CloudTrail records (S3 delivery files {"Records":[…]}, one record per \
            line, JSON arrays), plain or gzip, told apart by content. Directories are read \
            recursively; '-' reads stdin.

            Events go to one partition per UTC hour of event time. Ingest returns only after \
            everything stored is fsync'd. Ingesting the same input again stores nothing twice: an \
            event is a duplicate when its ID (CloudTrail eventID; audit auditID + stage) and its \
            content match a stored one. The same ID with other content is kept and counted as an \
            ID conflict.

            A malformed line or an unknown record is reported with file, line and byte offset and \
            skipped; the events around it are stored.

            Exit status: 0 when the inputs were read (rejections are reported on stderr); 1 when \
            an input could not be read or the store failed; 3 with --strict when anything was rejected.
            """
    )

    @OptionGroup var options: DataOptions

    @Flag(name: .long, help: "Exit with status 3 when any event was rejected.")
    var strict = false

    @Option(name: .long, help: "Print at most this many rejections per input (all are counted).")
    var maxErrors = 5

    @Argument(help: ArgumentHelp("Files or directories to read ('-' for stdin).", valueName: "path"))
    var paths: [String]

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("name at least one file or directory to ingest, or '-' for stdin") }
        guard maxErrors >= 0 else { throw ValidationError("--max-errors must be 0 or more") }
    }

    func run() throws {
        let directory = options.directory
        let writer: StoreWriter
        do {
            writer = try StoreWriter(directory: directory)
        } catch {
            OutputStream.printError("logq: \(error)")
            throw ExitCode(1)
        }
        var shownPerFile: [String: Int] = [:]
        var inputErrors = 0
        var skipped: [String] = []
        let ingestor = Ingestor(
            writer: writer,
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
            })
        do {
            try ingestor.ingest(paths: paths)
            try writer.close()
        } catch {
            OutputStream.printError("logq: \(error)")
            OutputStream.printError("logq: ingest failed; events acknowledged by earlier runs are safe, this run's events may be partly stored (run it again: duplicates are skipped)")
            throw ExitCode(1)
        }
        for problem in writer.problems {
            OutputStream.printError("logq: damaged block skipped: \(problem)")
        }
        if !skipped.isEmpty {
            OutputStream.printError("logq: skipped \(skipped.count) input\(skipped.count == 1 ? "" : "s") that \(skipped.count == 1 ? "is" : "are") not JSON: " + skipped.joined(separator: ", "))
        }
        let s = ingestor.summary
        var out = OutputStream(fd: 1)
        out.write(
            "ingested \(s.inputs - s.skippedInputs) input\(s.inputs - s.skippedInputs == 1 ? "" : "s") (\(Self.bytes(s.bytes))) into \(directory.path): "
                + "\(s.stored) stored, \(s.duplicates) duplicate\(s.duplicates == 1 ? "" : "s") skipped, "
                + "\(s.idConflicts) ID conflict\(s.idConflicts == 1 ? "" : "s") kept, \(s.rejected) rejected"
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
