import AuditCore

/// What opening a store repaired.
public struct RecoveryReport: Sendable, Equatable {
    /// Unsealed segments left by a crashed writer, rewritten as sealed ones.
    public var segmentsRecovered = 0
    /// Intact blocks kept from them.
    public var blocksRecovered = 0
    /// Chained segments whose footer a crash kept from the disk, sealed as the chain says.
    public var sealsCompleted = 0
    /// Rewrites whose chain entry was durable but not their rename, finished.
    public var rewritesFinished = 0
    /// Segments outside the chain (or not segments at all) moved to `<data>/quarantine`, as
    /// `<partition>/<file>`: not adopted, not served, reported by `logq verify`.
    public var setAside: [String] = []
    /// Unsealed segments with damaged blocks whose originals were kept in the quarantine
    /// (`<partition>/<file>.damaged`) before their intact blocks were recovered.
    public var damagedKept: [String] = []
    /// Segments already replaced by a compaction a crash interrupted, removed.
    public var replacedRemoved = 0
    /// Half-written rewrites (`.tmp`) removed.
    public var temporariesRemoved = 0
    /// Damaged frames met in recovered segments (their blocks are lost; they were reported).
    public var problems: [String] = []

    public init() {}

    /// Whether anything was repaired.
    public var isEmpty: Bool {
        segmentsRecovered == 0 && sealsCompleted == 0 && rewritesFinished == 0 && replacedRemoved == 0
            && temporariesRemoved == 0 && setAside.isEmpty && damagedKept.isEmpty
    }
}

/// What a rewrite of some of a partition's segments did.
public struct RewriteResult: Sendable, Equatable {
    /// Segments replaced.
    public var segmentsIn = 0
    /// Segments written (0 or 1).
    public var segmentsOut = 0
    /// Blocks copied into the new segment.
    public var blocksKept = 0
    /// Blocks left out (filtered away, or damaged).
    public var blocksDropped = 0
    /// Small blocks merged into full ones (compaction).
    public var blocksMerged = 0
    /// Events in the blocks kept / dropped.
    public var eventsKept = 0
    public var eventsDropped = 0
    /// Segment bytes before and after.
    public var bytesIn = 0
    public var bytesOut = 0
    /// The blocks copied, where from and where to (in the new segment), with their events:
    /// what the journal's rewrite record says.
    var moves: [(move: JournalRecord.Move, events: Int)] = []
    /// The new segment, `<partition>/<file>`, when one was written.
    var newSegment: String?
    /// Damage that made compaction leave a partition as it is (segment, offset, what): copying
    /// only the intact blocks would drop events and hide that they were lost.
    public var refused: [SegmentProblem] = []
    /// Partitions left as they are because the disk had no room for the new segment.
    public var skippedForSpace: [String] = []

    public init() {}

    public static func == (a: RewriteResult, b: RewriteResult) -> Bool {
        a.segmentsIn == b.segmentsIn && a.segmentsOut == b.segmentsOut && a.blocksKept == b.blocksKept && a.blocksMerged == b.blocksMerged
            && a.blocksDropped == b.blocksDropped && a.eventsKept == b.eventsKept && a.eventsDropped == b.eventsDropped
            && a.bytesIn == b.bytesIn && a.bytesOut == b.bytesOut
    }

    mutating func add(_ other: RewriteResult) {
        segmentsIn += other.segmentsIn
        segmentsOut += other.segmentsOut
        blocksKept += other.blocksKept
        blocksDropped += other.blocksDropped
        blocksMerged += other.blocksMerged
        eventsKept += other.eventsKept
        eventsDropped += other.eventsDropped
        bytesIn += other.bytesIn
        bytesOut += other.bytesOut
        refused += other.refused
        skippedForSpace += other.skippedForSpace
    }
}

extension StoreWriter {
    /// Replaces segments `names` of `partition` by one new sealed segment holding their intact
    /// blocks for which `keep` is true, copied frame by frame (no re-encoding), atomically:
    ///
    /// 1. write `<next>.seg.tmp`, seal it (its footer lists the segments it replaces), fsync it
    ///    and its folder;
    /// 2. add its chain entry and fsync the ledger (write-ahead: the chain names a segment
    ///    before it is visible, so a sealed segment outside the chain is never one of ours);
    /// 3. rename it to `<next>.seg`, fsync the folder: readers now skip the replaced segments;
    ///    record where every block went in the commit journal (followers find blocks there
    ///    that they were told of at their old place) and fsync it;
    /// 4. add a drop entry per replaced segment and fsync the ledger;
    /// 5. remove the replaced segments and fsync the folder.
    ///
    /// A crash before 2 leaves a `.tmp` that the next open removes; between 2 and 3, a chained
    /// `.tmp` that it renames; after 3, the next open finishes 4 and 5 from the new segment's
    /// footer. Nothing is ever visible twice to a reader, and nothing kept is ever missing.
    ///
    /// With `merge` (compaction), blocks of fewer than ``Limits/mergeBlockEvents`` events are
    /// decoded and encoded again as full blocks (``BlockMerger``) instead of copied.
    func rewrite(
        partition: String, segments names: [String], reason: String, merge: Bool = false,
        keep: (BlockHeader, BlockSummary?) -> Bool
    ) throws -> RewriteResult {
        var result = RewriteResult()
        let folder = directory.partitionPath(partition)
        let existing = try FileHandle.listDirectory(folder) ?? []
        let next = (existing.compactMap { FileNames.segmentSequence($0.replacingSuffix(FileNames.temporarySuffix)) }.max() ?? 0) + 1
        let finalName = FileNames.segment(next)
        let temporary = folder + "/" + finalName + FileNames.temporarySuffix
        var output: SegmentWriter?
        var merger = BlockMerger()
        func write(_ merged: [BlockMerger.Merged]) throws {
            for block in merged {
                if output == nil { output = try SegmentWriter(creating: temporary) }
                let to = output!.size
                for origin in block.origins {
                    result.moves.append((JournalRecord.Move(from: origin.from, to: to, rows: origin.rows), origin.rows.count))
                }
                try output!.append(body: block.body)
                result.blocksKept += 1
                result.blocksMerged += block.origins.count
                result.eventsKept += block.events
            }
        }
        for name in names {
            let reader = try SegmentReader(path: folder + "/" + name)
            result.segmentsIn += 1
            result.bytesIn += reader.size
            // Whole frames: a damaged block is reported and left out, not copied on.
            let scan = try reader.forEachBlock(wholeFrames: true) { offset, header, body in
                if keep(header, Block.summary(body)) {
                    let from = BlockLocation(segment: partition + "/" + name, offset: offset)
                    if merge, BlockMerger.isSmall(Int(header.eventCount)), let full = merger.add(body, from: from) {
                        try write(full)
                        return true
                    }
                    if output == nil { output = try SegmentWriter(creating: temporary) }
                    result.moves.append((JournalRecord.Move(from: from, to: output!.size), Int(header.eventCount)))
                    try output!.append(body: Array(body))
                    result.blocksKept += 1
                    result.eventsKept += Int(header.eventCount)
                } else {
                    result.blocksDropped += 1
                    result.eventsDropped += Int(header.eventCount)
                }
                return true
            }
            recovery.problems += scan.problems.map(\.description)
            result.blocksDropped += scan.problems.count
        }
        try write(merger.finish())
        if let output {
            try seal(output, partition: partition, replaces: names)
            try output.sync()
            result.bytesOut = output.size
            output.close()
            try FileHandle.syncDirectory(folder)  // the .tmp outlives a crash once chained
            try ledger.persist()  // step 2, write-ahead
            try FileHandle.rename(temporary, to: folder + "/" + finalName)
            try FileHandle.syncDirectory(folder)
            result.segmentsOut = 1
            result.newSegment = partition + "/" + finalName
            try journal.append(
                .rewrite(segment: partition + "/" + finalName, reason: reason, moves: result.moves.map { $0.move }), now: CommitJournal.now())
        } else if !names.isEmpty {
            try journal.append(.drop(segments: names.map { partition + "/" + $0 }, reason: reason), now: CommitJournal.now())
        }
        for name in names { ledger.drop(segment: partition + "/" + name, reason: reason) }
        try ledger.persist()
        for name in names { try FileHandle.remove(folder + "/" + name) }
        try FileHandle.syncDirectory(folder)
        if output == nil, try (FileHandle.listDirectory(folder) ?? []).isEmpty {
            try FileHandle.removeDirectory(folder)
            try FileHandle.syncDirectory(directory.partitionsPath)
        }
        return result
    }

    /// Brings the store to a clean state after a crash: removes unfinished rewrites and
    /// finishes chained ones, writes the footers a crash kept from chained segments, finishes
    /// interrupted compactions, and rewrites the unsealed segments of crashed writers as
    /// sealed, chained ones (their intact blocks: every acknowledged event is in an intact,
    /// fsync'd block).
    ///
    /// Nothing outside the chain is adopted: the chain names every segment before its footer
    /// is written, so a sealed segment it does not name was copied in, forged, or lost its
    /// chain line (CHAIN deleted, emptied or cut). Those, and files that are not segments, are
    /// set aside in `<data>/quarantine` (see ``setAside(partition:name:)``) until a deliberate
    /// ``repair(adopt:reason:)``; `logq verify` fails until then.
    func recover() throws {
        let reader = StoreReader(directory: directory)
        struct Found {
            var partition: String
            var name: String
            var footer: SegmentFooter?
            var key: String { partition + "/" + name }
        }
        let live = ledger.liveSegments
        var found: [Found] = []
        var unreadable: [Found] = []
        for partition in try reader.partitions() {
            let folder = directory.partitionPath(partition.name)
            var changed = false
            for name in try FileHandle.listDirectory(folder) ?? [] where name.hasSuffix(FileNames.segmentSuffix + FileNames.temporarySuffix) {
                if try finishChainedRewrite(partition: partition.name, temporary: name, live: live) {
                    recovery.rewritesFinished += 1
                } else {
                    try FileHandle.remove(folder + "/" + name)
                    recovery.temporariesRemoved += 1
                }
                changed = true
            }
            if changed { try FileHandle.syncDirectory(folder) }
            for path in try reader.segments(of: partition) {
                let name = String(path.split(separator: "/").last!)
                let key = partition.name + "/" + name
                let segment: SegmentReader
                do {
                    segment = try SegmentReader(path: path)
                } catch let error as StoreError where error.code == .corrupt || error.code == .unsupportedVersion {
                    recovery.problems.append(error.message)
                    unreadable.append(Found(partition: partition.name, name: name, footer: nil))
                    continue
                }
                var footer = segment.footer()?.footer
                if footer == nil, let entry = live[key], try completeSeal(path: path, entry: entry) {
                    footer = try SegmentReader(path: path).footer()?.footer
                    recovery.sealsCompleted += 1
                }
                found.append(Found(partition: partition.name, name: name, footer: footer))
            }
        }
        // Rewrites a crash interrupted after the rename: finish removing what they replace.
        var removed: Set<String> = []
        for segment in found {
            guard let seal = segment.footer?.seal, ledger.liveSegments[segment.key] != nil else { continue }
            for name in seal.replaces {
                let replaced = segment.partition + "/" + name
                guard found.contains(where: { $0.key == replaced }), !removed.contains(replaced) else { continue }
                ledger.drop(segment: replaced, reason: "compaction")
                try ledger.persist()
                try FileHandle.remove(directory.partitionPath(segment.partition) + "/" + name)
                try FileHandle.syncDirectory(directory.partitionPath(segment.partition))
                removed.insert(replaced)
                recovery.replacedRemoved += 1
            }
        }
        try ledger.persist()
        let chained = ledger.liveSegments
        let orphans = found.filter { !removed.contains($0.key) && chained[$0.key] == nil }
        // Sealed, or not a segment at all, and not in the chain: never ours; set aside.
        for segment in orphans.filter({ $0.footer != nil }) + unreadable.filter({ chained[$0.key] == nil }) {
            try setAside(partition: segment.partition, name: segment.name)
        }
        // Unsealed and not in the chain: the active segment of a crashed writer. Its intact
        // blocks are rewritten; when some are damaged the original is kept aside first, so
        // the loss stays on the record (`logq verify` fails) instead of vanishing with it.
        for segment in orphans where segment.footer == nil {
            try keepIfDamaged(partition: segment.partition, name: segment.name)
        }
        let unsealed = orphans.filter { $0.footer == nil }
        // Blocks of a crashed writer that reached the disk after its last commit are durable
        // only now: they get a commit record of their own, so followers see them once.
        let journaled = unsealed.isEmpty ? [] : try journaledBlocks(in: Set(unsealed.map(\.key)))
        var recovered: [JournalRecord.Committed] = []
        for (partition, segments) in Dictionary(grouping: unsealed, by: \.partition).sorted(by: { $0.key < $1.key }) {
            let entriesBefore = ledger.entries.count
            let result = try rewrite(partition: partition, segments: segments.map(\.name), reason: "recovery") { _, _ in true }
            recovery.segmentsRecovered += result.segmentsIn
            recovery.blocksRecovered += result.blocksKept
            // On the record: these blocks had no seal to check; the chain says where they came from.
            let sealed = ledger.entries[entriesBefore...].first { $0.kind == .seal }?.sequence ?? 0
            for segment in segments { ledger.repair(subject: segment.key, sequence: sealed, reason: "recovered-unsealed") }
            try ledger.persist()
            if let newSegment = result.newSegment {
                for (move, events) in result.moves where !journaled.contains(move.from) {
                    recovered.append(JournalRecord.Committed(location: BlockLocation(segment: newSegment, offset: move.to), events: events))
                }
            }
        }
        if !recovered.isEmpty { try journal.append(.commit(recovered), now: CommitJournal.now()) }
    }

    /// The blocks of `segments` that commit records name (read from the whole journal: only
    /// after a crash).
    private func journaledBlocks(in segments: Set<String>) throws -> Set<BlockLocation> {
        let reader = JournalReader(directory: directory)
        try reader.seek(after: 0)
        var found: Set<BlockLocation> = []
        while case let records = try reader.poll(limit: 4096), !records.isEmpty {
            for record in records {
                guard case .commit(let blocks) = record.kind else { continue }
                for block in blocks where segments.contains(block.location.segment) { found.insert(block.location) }
            }
        }
        return found
    }
}
