import AuditCore

/// What `logq verify` found.
public struct VerifyReport: Sendable {
    /// Evidence of damage or tampering, one line each, naming the file and what differs.
    public var problems: [String] = []
    /// Facts that are not problems (a writer is running, leftovers readers ignore).
    public var notes: [String] = []
    /// Entries in the chain ledger, and its head (the last link).
    public var chainEntries = 0
    public var head = SHA256Digest.zero
    /// Segments, blocks and events checked.
    public var segments = 0
    public var blocks = 0
    public var events = 0

    public init() {}

    /// Whether nothing was found wrong.
    public var isClean: Bool { problems.isEmpty }
}

/// Checks a store against its hash chain and its checksums:
///
/// - every ledger line links to the one before (no line altered, removed or reordered);
/// - every chained, not dropped segment exists, its footer's seal matches its ledger entry
///   (number and previous link: no segment renamed or swapped), and the SHA-256 of its content
///   matches (no byte altered);
/// - every segment on disk is in the chain (none added behind the store's back), except one a
///   running writer has not sealed yet; a segment that does not open is named, not fatal;
/// - the quarantine is empty (writers set aside there what the chain does not name, and it
///   stays a failure until `logq repair --adopt` or its removal);
/// - every block's CRC checks and its columns decode;
/// - optionally, the head equals one recorded elsewhere earlier.
///
/// What it cannot prove: someone able to rewrite the whole store can rebuild a consistent chain;
/// only a head kept outside the store (`--expect-head`) detects that. Events dropped by retention or
/// compaction are recorded as such, not hidden.
public struct StoreVerifier: Sendable {
    public let directory: DataDirectory

    public init(directory: DataDirectory) {
        self.directory = directory
    }

    public func verify(expectHead: SHA256Digest? = nil) throws -> VerifyReport {
        var report = VerifyReport()
        let ledger = try ChainLedger(path: directory.chainPath)
        let accepted = ledger.acceptedProblemLines
        for problem in ledger.problems {
            if problem.line < accepted {
                report.notes.append("\(problem) (accepted by the repair at CHAIN line \(accepted))")
            } else {
                report.problems.append(problem.description)
            }
        }
        report.chainEntries = ledger.entries.count
        report.head = ledger.head
        let live = ledger.liveSegments
        let writerRunning = try Self.writerIsRunning(directory)
        let reader = StoreReader(directory: directory)
        var seen: Set<String> = []
        var replacedByLive: Set<String> = []
        var onDisk: [(key: String, reader: SegmentReader)] = []
        for partition in try reader.partitions() {
            for path in try reader.segments(of: partition) {
                let key = partition.name + "/" + String(path.split(separator: "/").last!)
                let segment: SegmentReader
                do {
                    segment = try SegmentReader(path: path)
                } catch {
                    // Named and skipped: one unreadable file must not stop the check of the rest.
                    seen.insert(key)
                    report.problems.append("\(key): cannot be read (\(error)); \(live[key].map { "chained as #\($0.sequence) with \($0.events) events" } ?? "not in the chain")")
                    continue
                }
                onDisk.append((key, segment))
                if live[key] != nil, let names = segment.footer()?.footer.seal?.replaces {
                    for name in names { replacedByLive.insert(partition.name + "/" + name) }
                }
            }
        }
        for (key, segment) in onDisk {
            report.segments += 1
            let footer = segment.footer()
            if let entry = live[key] {
                seen.insert(key)
                if footer == nil && writerRunning {
                    report.notes.append("\(key): chained as #\(entry.sequence) and being sealed by the running writer")
                    continue
                }
                check(segment, key: key, footer: footer, against: entry, into: &report)
            } else if replacedByLive.contains(key) {
                report.notes.append("\(key): replaced by a compaction that a crash interrupted; readers skip it, the next writer removes it")
                continue
            } else if footer == nil && writerRunning {
                report.notes.append("\(key): being written by the running writer; sealed and chained when it finishes")
            } else if footer == nil {
                report.problems.append("\(key): unsealed segment outside the chain (left by a crashed writer; the next ingest recovers it) or added behind the store's back")
            } else {
                report.problems.append("\(key): sealed segment that is not in the chain: added behind the store's back, or its ledger lines were removed")
            }
            checkBlocks(segment, key: key, into: &report)
        }
        for (key, entry) in live.sorted(by: { $0.value.sequence < $1.value.sequence }) where !seen.contains(key) {
            if writerRunning && FileHandle.exists(directory.partitionsPath + "/" + key + FileNames.temporarySuffix) {
                report.notes.append("\(key): chained as #\(entry.sequence) and being renamed into place by the running writer")
                continue
            }
            report.problems.append("\(key): missing: sealed as #\(entry.sequence) with \(entry.events) events (CHAIN line \(entry.line)) and removed without a chain entry")
        }
        for key in try reader.quarantined() {
            if key.hasSuffix(FileNames.damagedSuffix) {
                report.problems.append(
                    "\(FileNames.quarantine)/\(key): a crashed writer's segment with damaged blocks: its intact blocks were recovered, the damaged ones are lost; delete it once seen")
                continue
            }
            report.problems.append(
                "\(FileNames.quarantine)/\(key): set aside by a writer: not in the chain (copied in, forged, or its chain line was lost); inspect it, then 'logq repair --adopt' or delete it")
        }
        if let expectHead, expectHead != ledger.head {
            report.problems.append("chain head is \(ledger.head), expected \(expectHead): the history differs from the one recorded")
        }
        return report
    }

    private func check(_ segment: SegmentReader, key: String, footer: (offset: Int, footer: SegmentFooter)?, against entry: ChainLedger.Entry, into report: inout VerifyReport) {
        guard let footer else {
            report.problems.append("\(key): chained as #\(entry.sequence) but its footer is missing or damaged (the file was altered or cut)")
            return
        }
        guard let seal = footer.footer.seal else {
            report.problems.append("\(key): chained as #\(entry.sequence) but its footer carries no seal (the file was replaced)")
            return
        }
        if seal.sequence != entry.sequence || seal.previousLink != entry.previous {
            report.problems.append(
                "\(key): its seal says #\(seal.sequence) but the chain has #\(entry.sequence) at this name (segments were renamed, swapped or reordered)")
        }
        let actual = segment.contentHash(upTo: footer.offset)
        if let recorded = entry.contentHash, actual != recorded {
            report.problems.append("\(key): altered: content SHA-256 is \(actual), the chain recorded \(recorded) (CHAIN line \(entry.line))")
        } else if seal.contentHash != actual {
            report.problems.append("\(key): its footer's content hash \(seal.contentHash) does not match its content \(actual)")
        }
    }

    private func checkBlocks(_ segment: SegmentReader, key: String, into report: inout VerifyReport) {
        do {
            let result = try segment.forEachBlock(wholeFrames: true) { offset, header, body in
                report.blocks += 1
                report.events += Int(header.eventCount)
                guard let view = BlockView(body: body), view.loadAll() else {
                    report.problems.append("\(key) block at byte \(offset): its columns do not decode")
                    return true
                }
                return true
            }
            report.problems += result.problems.map { "\(key) block at byte \($0.offset): \($0.message)" }
        } catch {
            report.problems.append("\(key): \(error)")
        }
    }

    /// Whether a writer holds the store's lock right now.
    static func writerIsRunning(_ directory: DataDirectory) throws -> Bool {
        guard FileHandle.exists(directory.lockPath) else { return false }
        let lock = try FileHandle.openLockFile(directory.lockPath)
        defer { lock.close() }
        return try !lock.tryLockShared()
    }
}
