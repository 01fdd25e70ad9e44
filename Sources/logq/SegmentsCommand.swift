import ArgumentParser
import SegmentStore

/// `logq segments …`: what to do with sealed segments as files.
struct SegmentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segments",
        abstract: "Work with sealed segments as files (ship them to another folder).",
        subcommands: [ShipSegmentsCommand.self]
    )
}

/// `logq segments ship DEST`
struct ShipSegmentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ship",
        abstract: "Copy the sealed segments, and the chain that proves them, to another folder.",
        discussion: """
            Sealed segments never change, so they can live anywhere: DEST is another folder (an \
            object-store mount, an rsync target). ship copies every segment the store's hash chain \
            holds sealed (never the open one, never one whose content does not match its seal) \
            and the chain itself; DEST becomes a read-only store:

              logq segments ship /mnt/archive/logq --data ./data
              logq --data /mnt/archive/logq 'verb=delete'            # query the copy
              logq --data ./data --data /mnt/archive/logq 'verb=delete'   # both, each event once
              logq verify --data /mnt/archive/logq

            Run it again at any time: segments already there byte for byte are skipped, new ones \
            copied. A file at DEST with other bytes than the sealed segment is never overwritten: \
            the ship stops before writing anything and names it. Each segment is written to a \
            temporary name, fsync'd and renamed, and the chain goes first, so a crash leaves DEST \
            a valid store and the next run finishes the job.

            Retention and compaction at the source do not touch DEST: it keeps what it was given \
            (an archive), and 'logq verify' on it says which of its segments the source has \
            dropped since. See docs/shipping.md.

            Exit status: 0 shipped, 1 when nothing could be shipped (no store, DEST refused), 4 \
            when a segment was left out because it is damaged at the source.
            """
    )

    @OptionGroup var options: DataOptions

    @Argument(help: ArgumentHelp("The folder to ship to (created if missing).", valueName: "dest"))
    var destination: String

    func run() throws {
        let source = options.directory
        let shipper = SegmentShipper(source: source, destination: DataDirectory(path: destination))
        var line = ProgressLine(enabled: Environment.stderrIsTerminal)
        let report: ShipReport
        do {
            report = try shipper.ship { progress in
                line.draw(force: progress.done == progress.total) { _ in
                    "ship: \(progress.done)/\(progress.total) segments, \(IngestCommand.bytes(progress.bytes)) copied, \(progress.segment)"
                }
            }
        } catch {
            line.finish()
            OutputStream.printError("logq: \(error)")
            throw ExitCode(1)
        }
        line.finish()
        for line in report.notShipped { OutputStream.printError("logq: warning: not shipped: \(line)") }
        var out = OutputStream(fd: 1)
        out.write(
            "shipped \(report.shipped.count) segment\(report.shipped.count == 1 ? "" : "s") (\(IngestCommand.bytes(report.bytesShipped))) to \(destination), "
                + "\(report.alreadyThere) already there, \(report.notShipped.count) not shipped; "
                + "chain \(report.chainEntries) entries, head \(report.head)\n")
        out.flush()
        if report.sourceDamaged { throw ExitCode(4) }
    }
}
