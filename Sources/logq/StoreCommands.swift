import ArgumentParser
import AuditCore
import SegmentStore

/// Opens the store's writer for a maintenance command, with the messages a user needs when it
/// cannot, and reports what opening it repaired.
enum MaintenanceWriter {
    static func open(_ directory: DataDirectory, creating: Bool = false) throws -> StoreWriter {
        guard creating || directory.exists else {
            OutputStream.printError("logq: no store at \(directory.path) (nothing ingested yet; give --data or set $LOGQ_DATA)")
            throw ExitCode(1)
        }
        let writer: StoreWriter
        do {
            writer = try StoreWriter(directory: directory)
        } catch {
            OutputStream.printError("logq: \(error)")
            throw ExitCode(1)
        }
        reportRecovery(writer.recovery)
        return writer
    }

    /// One stderr line per repair a writer made when it opened the store after a crash.
    static func reportRecovery(_ r: RecoveryReport) {
        guard !r.isEmpty else { return }
        var parts: [String] = []
        if r.segmentsRecovered > 0 { parts.append("\(r.segmentsRecovered) unsealed segment\(r.segmentsRecovered == 1 ? "" : "s") of a crashed writer sealed (\(r.blocksRecovered) intact blocks kept)") }
        if r.sealsCompleted > 0 { parts.append("\(r.sealsCompleted) chained segment\(r.sealsCompleted == 1 ? "" : "s") sealed") }
        if r.rewritesFinished > 0 { parts.append("\(r.rewritesFinished) chained rewrite\(r.rewritesFinished == 1 ? "" : "s") put in place") }
        if r.replacedRemoved > 0 { parts.append("an interrupted compaction finished (\(r.replacedRemoved) old segment\(r.replacedRemoved == 1 ? "" : "s") removed)") }
        if r.temporariesRemoved > 0 { parts.append("\(r.temporariesRemoved) unfinished rewrite\(r.temporariesRemoved == 1 ? "" : "s") removed") }
        if !parts.isEmpty { OutputStream.printError("logq: recovered after a crash: " + parts.joined(separator: "; ")) }
        for key in r.setAside {
            OutputStream.printError(
                "logq: warning: \(key) is not in the hash chain (copied in, forged, or its chain line was lost): set aside in quarantine/\(key), not served; 'logq verify' fails until 'logq repair --adopt' or you delete it")
        }
        for problem in r.problems { OutputStream.printError("logq: damaged data not recovered: \(problem)") }
    }
}

/// `logq verify`
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the store against its hash chain and checksums.",
        discussion: """
            Every sealed segment records the SHA-256 of its content and its place in the store's \
            hash chain (<data>/CHAIN). verify walks the chain and reports any segment altered, \
            removed, added or reordered, any chain line changed, and any block whose checksum \
            fails. It prints the chain head: keep it somewhere else (a ticket, another machine) and \
            pass it back with --expect-head to prove the history was not rewritten as a whole, \
            which the chain alone cannot.

            Removals by retention and compaction are part of the chain, not hidden.

            With --cloudtrail DIR it checks a local copy of a CloudTrail trail instead: every log \
            file's SHA-256 (of its uncompressed bytes) against its digest file, missing and unlisted \
            log files, the chain of digests, and with --public-key the SHA256withRSA signature of \
            every digest a later digest vouches for (the newest digest's signature lives in S3 \
            metadata, not in the copy). See docs/cloudtrail-verify.md.

            Exit status: 0 clean, 4 when anything failed verification, 1 when the store (or the \
            trail, or a key file) cannot be read.
            """
    )

    @OptionGroup(title: "CloudTrail trail copy") var trail: CloudTrailVerifyOptions

    @OptionGroup var options: DataOptions

    @Option(name: .long, help: ArgumentHelp("Fail unless the chain head equals this (64 hex digits).", valueName: "sha256"))
    var expectHead: String?

    @Flag(name: .long, help: "Also list notes (segments being written, leftovers readers skip).")
    var verbose = false

    func validate() throws {
        if trail.cloudtrail == nil, !trail.publicKeys.isEmpty || trail.bucket != nil {
            throw ValidationError("--public-key and --bucket go with --cloudtrail DIR (the local copy of a trail)")
        }
        if let expectHead, SHA256Digest(hex: expectHead) == nil {
            throw ValidationError("--expect-head takes the 64 hex digits 'logq verify' printed as the chain head")
        }
    }

    func run() throws {
        if let copy = trail.cloudtrail {
            let status = runCloudTrailVerify(directory: copy, options: trail)
            if status != 0 { throw ExitCode(status) }
            return
        }
        let directory = options.directory
        guard directory.exists else {
            OutputStream.printError("logq: no store at \(directory.path) (nothing ingested yet; give --data or set $LOGQ_DATA)")
            throw ExitCode(1)
        }
        let report: VerifyReport
        do {
            report = try StoreVerifier(directory: directory).verify(expectHead: expectHead.flatMap { SHA256Digest(hex: $0) })
        } catch {
            OutputStream.printError("logq: \(error)")
            throw ExitCode(1)
        }
        var out = OutputStream(fd: 1)
        for problem in report.problems { out.write("FAIL \(problem)\n") }
        if verbose { for note in report.notes { out.write("note \(note)\n") } }
        out.write(
            "\(report.isClean ? "verified" : "NOT verified"): \(report.segments) segment\(report.segments == 1 ? "" : "s"), "
                + "\(report.blocks) blocks, \(report.events) events, \(report.chainEntries) chain entries; "
                + "\(report.problems.count) problem\(report.problems.count == 1 ? "" : "s")\n")
        out.write("chain head \(report.head)\n")
        out.flush()
        if !report.isClean { throw ExitCode(4) }
    }
}

/// `logq stats`
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Show partitions, segments, blocks, events and bytes of the store.",
        discussion: "Reads block headers only: fast on any store size."
    )

    @OptionGroup var options: DataOptions

    @Flag(name: .long, help: "One line per partition as well as the totals.")
    var partitions = false

    func run() throws {
        let directory = options.directory
        guard directory.exists else {
            OutputStream.printError("logq: no store at \(directory.path) (nothing ingested yet; give --data or set $LOGQ_DATA)")
            throw ExitCode(1)
        }
        let stats: StoreStatistics
        do {
            stats = try StoreStatistics(directory: directory)
        } catch {
            OutputStream.printError("logq: \(error)")
            throw ExitCode(1)
        }
        for problem in stats.problems { OutputStream.printError("logq: warning: not counted: \(problem)") }
        var out = OutputStream(fd: 1)
        if partitions {
            out.write(pad("partition", 16) + pad("segments", 10) + pad("blocks", 10) + pad("events", 12) + pad("bytes", 12) + "\n")
            for p in stats.partitions {
                out.write(pad(p.name, 16) + pad("\(p.segments)", 10) + pad("\(p.blocks)", 10) + pad("\(p.events)", 12) + pad(IngestCommand.bytes(p.bytes), 12) + "\n")
            }
            out.write("\n")
        }
        let t = stats.total
        out.write("store        \(directory.path)\n")
        out.write("partitions   \(stats.partitions.count)" + (stats.partitions.isEmpty ? "" : " (\(stats.partitions.first!.name) … \(stats.partitions.last!.name))") + "\n")
        out.write("segments     \(t.segments) (\(t.unsealed) being written or unsealed)\n")
        out.write("blocks       \(t.blocks) (\(t.blocks == 0 ? 0 : t.events / t.blocks) events per block on average)\n")
        out.write("events       \(t.events)\n")
        for (source, count) in stats.eventsBySource.sorted(by: { $0.key < $1.key }) {
            out.write("  \(pad(source.name, 19))\(count)\n")
        }
        out.write("on disk      \(IngestCommand.bytes(t.bytes))" + (t.events > 0 ? ", \(t.bytes / t.events) B per event" : "") + "\n")
        if t.bytes > 0 {
            let ratio = Double(t.columnBytes) / Double(t.bytes)
            out.write("uncompressed \(IngestCommand.bytes(t.columnBytes)) of columns: \(String(format1(ratio)))× compression\n")
        }
        out.write("chain        \(stats.chainEntries) entries, head \(stats.head)\n")
        out.flush()
    }

    private func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
    private func format1(_ v: Double) -> String {
        let tenths = Int((v * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}

/// `logq retention`
struct RetentionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "Delete events older than what you keep, per source.",
        discussion: """
            --keep 30d keeps 30 days of every source; --keep cloudtrail=3y,k8s-audit=400d,perf=14d \
            sets a span per source (units: s m h d w y; y = 365 days); both can be given, the \
            per-source spans win. A source with no span is kept forever.

            Whole hours (partitions) go when their last hour is older than the span; in an hour \
            where only some sources expired, the others are kept. Every removal is recorded in \
            the hash chain, so 'logq verify' stays clean and shows what was removed.
            """
    )

    @OptionGroup var options: DataOptions

    @Option(name: .long, help: ArgumentHelp("How long to keep events: 30d, or source=span,… (repeatable).", valueName: "span"))
    var keep: [String] = []

    @Flag(name: .long, help: "Say what would be deleted without deleting it.")
    var dryRun = false

    func validate() throws {
        guard !keep.isEmpty else { throw ValidationError("say how long to keep events, e.g. --keep 30d or --keep cloudtrail=3y,k8s-audit=400d") }
        do { _ = try RetentionPolicy(parsing: keep) } catch { throw ValidationError("--keep: \(error)") }
    }

    func run() throws {
        let policy = try! RetentionPolicy(parsing: keep)
        let directory = options.directory
        let now = Environment.now()
        if dryRun {
            let stats = try StoreStatistics(directory: directory)
            var out = OutputStream(fd: 1)
            for p in stats.partitions {
                let expired = p.sources.filter { policy.keep($0.rawValue).map { p.end < now - $0 } ?? false }
                guard !expired.isEmpty else { continue }
                out.write("\(p.name): would delete \(expired.map(\.name).joined(separator: ", "))\(expired.count == p.sources.count ? " (whole hour)" : "")\n")
            }
            out.flush()
            return
        }
        let writer = try MaintenanceWriter.open(directory)
        do {
            let r = try writer.applyRetention(policy, now: now)
            try writer.close()
            var out = OutputStream(fd: 1)
            out.write("retention: \(r.partitionsDropped) hour\(r.partitionsDropped == 1 ? "" : "s") deleted, \(r.partitionsTrimmed) trimmed; \(r.eventsDropped) events, \(IngestCommand.bytes(r.bytesFreed)) freed\n")
            out.flush()
        } catch {
            OutputStream.printError("logq: retention failed: \(error); nothing recorded as removed is lost from the chain, run it again")
            throw ExitCode(1)
        }
    }
}

/// `logq compact`
struct CompactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Merge the small segments of each hour into one.",
        discussion: """
            Every ingest run adds a segment to each hour it touches; many small runs (or webhook \
            batches) leave many small segments, which slow queries. compact merges them: it writes \
            the new segment, fsyncs it, renames it into place, records it in the hash chain and \
            only then removes the old ones. A crash at any point leaves either the old segments or \
            the new one visible, never both and never neither; the next writer finishes the job.
            """
    )

    @OptionGroup var options: DataOptions

    @Option(name: .long, help: "Merge an hour only when it has at least this many segments.")
    var minSegments = 2

    func validate() throws {
        guard minSegments >= 2 else { throw ValidationError("--min-segments must be 2 or more") }
    }

    func run() throws {
        let writer = try MaintenanceWriter.open(options.directory)
        do {
            let r = try writer.compact(minimumSegments: minSegments)
            try writer.close()
            var out = OutputStream(fd: 1)
            out.write("compacted \(r.segmentsIn) segment\(r.segmentsIn == 1 ? "" : "s") into \(r.segmentsOut): \(r.blocksKept) blocks, \(r.eventsKept) events, \(IngestCommand.bytes(r.bytesIn)) → \(IngestCommand.bytes(r.bytesOut))\n")
            out.flush()
        } catch {
            OutputStream.printError("logq: compaction failed: \(error); the store is intact (old segments stay until the new one is durable)")
            throw ExitCode(1)
        }
    }
}
