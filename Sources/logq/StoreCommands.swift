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
        for key in r.damagedKept {
            OutputStream.printError("logq: warning: a crashed writer's segment had damaged blocks; its intact blocks were recovered, the original is kept as quarantine/\(key)")
        }
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

            A writer never adopts a sealed segment the chain does not name (copied in, forged, \
            or its chain line lost: CHAIN deleted, emptied or cut): it sets it aside in \
            <data>/quarantine, and verify fails naming it until 'logq repair --adopt' or its \
            removal. A segment that cannot be read (bad header, another format) is named, and \
            the rest is still checked.

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

    @OptionGroup var options: StoresOptions

    @Option(name: .long, help: ArgumentHelp("Fail unless the chain head equals this (64 hex digits).", valueName: "sha256"))
    var expectHead: String?

    @Flag(name: .long, help: "Also list notes (segments being written, leftovers readers skip).")
    var verbose = false

    func validate() throws {
        if trail.cloudtrail == nil, !trail.publicKeys.isEmpty || trail.bucket != nil {
            throw ValidationError("--public-key and --bucket go with --cloudtrail DIR (the local copy of a trail)")
        }
        if expectHead != nil, options.isSeveral {
            throw ValidationError("--expect-head checks the chain of one store: give one --data")
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
        var failed = false
        for directory in options.directories {
            if options.isSeveral {
                var out = OutputStream(fd: 1)
                out.write("store \(directory.path)\n")
                out.flush()
            }
            failed = try verify(directory) || failed
        }
        if options.isSeveral {
            // Across the stores: a shipped copy's chain must be a prefix of its source's.
            let across = try StoreVerifier.crossCheck(options.directories)
            var out = OutputStream(fd: 1)
            for problem in across.problems { out.write("FAIL \(problem)\n") }
            for note in across.notes { out.write("note \(note)\n") }
            out.write("\(failed || !across.problems.isEmpty ? "NOT verified" : "verified"): \(options.directories.count) stores\n")
            out.flush()
            failed = failed || !across.problems.isEmpty
        }
        if failed { throw ExitCode(4) }
    }

    /// Verifies one store (a shipped copy by its own rules) and prints the report; true when it failed.
    private func verify(_ directory: DataDirectory) throws -> Bool {
        guard directory.exists else {
            OutputStream.printError("logq: no store at \(directory.path) (nothing ingested yet; give --data or set $LOGQ_DATA)")
            throw ExitCode(1)
        }
        let report: VerifyReport
        do {
            report = try StoreVerifier.verify(directory, expectHead: expectHead.flatMap { SHA256Digest(hex: $0) })
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
        return !report.isClean
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

            On a full disk whole hours are still deleted (the writer keeps a few MiB in \
            <data>/RESERVE to record the removals); hours that need a rewrite are skipped and \
            named. Hours holding damaged blocks are not rewritten (that would hide lost events): \
            they are named and exit status is 4.
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
        var refusedForDamage = false
        do {
            let r = try writer.applyRetention(policy, now: now)
            refusedForDamage = !r.refused.isEmpty
            try writer.close()
            var out = OutputStream(fd: 1)
            out.write("retention: \(r.partitionsDropped) hour\(r.partitionsDropped == 1 ? "" : "s") deleted, \(r.partitionsTrimmed) trimmed; \(r.eventsDropped) events, \(IngestCommand.bytes(r.bytesFreed)) freed\n")
            out.flush()
            if r.reserveReleased {
                OutputStream.printError("logq: warning: the disk is full: the space held in \(FileNames.reserve) was used to record the removals (the next writer takes it back once there is room)")
            }
            for name in r.skippedForSpace {
                OutputStream.printError("logq: warning: \(name): not trimmed: no free space for its rewrite (whole hours were still deleted); free some space and run retention again")
            }
            for problem in r.refused {
                OutputStream.printError("logq: warning: left as it is (damaged; a rewrite would hide lost events): \(problem)")
            }
        } catch {
            OutputStream.printError("logq: retention failed: \(error); nothing recorded as removed is lost from the chain, run it again")
            throw ExitCode(1)
        }
        if refusedForDamage { throw ExitCode(4) }
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

            An hour holding a damaged block or an unreadable segment is not merged (copying only \
            the intact blocks would lose events and leave a store that verifies clean): it is \
            named with the segment and byte offset, and the exit status is 4.
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
        var refusedForDamage = false
        do {
            let r = try writer.compact(minimumSegments: minSegments)
            try writer.close()
            var out = OutputStream(fd: 1)
            out.write("compacted \(r.segmentsIn) segment\(r.segmentsIn == 1 ? "" : "s") into \(r.segmentsOut): \(r.blocksKept) blocks, \(r.eventsKept) events, \(IngestCommand.bytes(r.bytesIn)) → \(IngestCommand.bytes(r.bytesOut))\n")
            out.flush()
            for name in r.skippedForSpace {
                OutputStream.printError("logq: warning: \(name): not compacted: no free space for the merged segment")
            }
            for problem in r.refused {
                OutputStream.printError("logq: hour not compacted, damaged: \(problem)")
            }
            refusedForDamage = !r.refused.isEmpty
        } catch {
            OutputStream.printError("logq: compaction failed: \(error); the store is intact (old segments stay until the new one is durable)")
            throw ExitCode(1)
        }
        if refusedForDamage {
            OutputStream.printError("logq: hours with damaged blocks were left as they are (a merge would drop their events unseen); run 'logq verify'")
            throw ExitCode(4)
        }
    }
}

/// `logq repair`
struct RepairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Adopt segments set aside as outside the hash chain, on purpose and on the record.",
        discussion: """
            A writer never adopts a sealed segment that the hash chain (<data>/CHAIN) does not \
            name: one copied in, forged, or whose chain line was lost (CHAIN deleted, emptied or \
            cut). It moves it to <data>/quarantine/<hour>/, where queries do not read it, and \
            'logq verify' fails until you decide. Inspect it; then either delete it, or run \
            'logq repair --adopt --reason "..."': each segment there is rewritten into its hour \
            as a new sealed, chained segment, and a 'repair' line in the chain records where it \
            came from and your reason. Damaged chain lines are accepted the same way (recorded, \
            and reported by verify as notes from then on).

            The chain then vouches for the adopted events from the repair on, not for where they \
            came from: keep the reason meaningful (a ticket, who restored what from where).

            Exit status: 0 done, 1 when the store cannot be opened or written.
            """
    )

    @OptionGroup var options: DataOptions

    @Flag(name: .long, help: "Add the segments in <data>/quarantine to the chain.")
    var adopt = false

    @Option(name: .long, help: ArgumentHelp("Why (recorded in the chain): a ticket, who restored what.", valueName: "text"))
    var reason: String

    func validate() throws {
        guard adopt else { throw ValidationError("say what to repair: --adopt adds the segments in <data>/quarantine to the chain (inspect them first)") }
        guard !reason.allSatisfy(\.isWhitespace) else { throw ValidationError("give a --reason; it is recorded in the chain") }
    }

    func run() throws {
        let writer = try MaintenanceWriter.open(options.directory)
        do {
            let r = try writer.repair(adopt: adopt, reason: reason)
            try writer.close()
            var out = OutputStream(fd: 1)
            for line in r.adopted { out.write("adopted \(line)\n") }
            if !r.acceptedLines.isEmpty { out.write("accepted damaged CHAIN lines \(r.acceptedLines.map(String.init).joined(separator: ", "))\n") }
            out.write("repair: \(r.adopted.count) segment\(r.adopted.count == 1 ? "" : "s") adopted, \(r.notAdopted.count) not; recorded in the chain\n")
            out.flush()
            for line in r.notAdopted { OutputStream.printError("logq: not adopted: \(line)") }
            for problem in r.problems { OutputStream.printError("logq: warning: damaged block not adopted: \(problem)") }
        } catch {
            OutputStream.printError("logq: repair failed: \(error)")
            throw ExitCode(1)
        }
    }
}
