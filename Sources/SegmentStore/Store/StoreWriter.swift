import AuditCore

#if canImport(Glibc)
import Glibc
#endif

/// What became of one appended event.
public enum AppendOutcome: Sendable, Equatable {
    /// New: it will be stored.
    case stored
    /// Same ID and same content as an event already stored (or appended earlier): skipped.
    case duplicate
    /// Same ID as a stored event but other content: kept, and counted.
    case idConflict
}

/// Counts of what a writer did.
public struct WriterStats: Sendable, Equatable {
    /// Events accepted for storage.
    public var stored = 0
    /// Events skipped as duplicates.
    public var duplicates = 0
    /// Events kept although their ID was already stored with other content.
    public var idConflicts = 0
    /// Blocks written.
    public var blocks = 0
    /// Segment bytes written (headers, frames, footers).
    public var bytesWritten = 0
    /// Partitions touched.
    public var partitions = 0
    /// Partitions sealed and let go after they were idle (``StoreWriter/releaseIdlePartitions(idleSeconds:)``).
    public var partitionsReleased = 0
    /// Minutes of dedupe identities let go after they were idle (``StoreWriter/releaseIdleIdentities(idleSeconds:)``).
    public var identityMinutesReleased = 0
    /// Minutes of dedupe identities read back from disk for an event of theirs.
    public var identityMinutesLoaded = 0

    public init() {}
}

/// The single writer of a store: routes events to the partition of their hour, dedupes them,
/// writes blocks, and makes them durable on ``commit()``.
///
/// Durability contract: events passed to ``append(_:)`` are acknowledged only when a later
/// ``commit()`` (or ``close()``) returns: by then their blocks are written, every touched
/// segment is fsync'd, and so is every directory that gained an entry. After a failed fsync
/// the writer refuses all further work (the kernel may have dropped the dirty pages).
public final class StoreWriter {
    private final class Partition {
        let name: String
        let path: String
        var segment: SegmentWriter?
        /// Events waiting for a block, one batch per source (by raw value), so that every block
        /// holds one source and a query for one source skips the others' blocks.
        var buffers = Array(repeating: [AuditEvent](), count: 8)
        var bufferBytes = Array(repeating: 0, count: 8)
        /// All buffered bytes of the partition.
        var bufferedBytes = 0
        /// (identity, content) of the events stored in the partition, by minute: duplicates and conflicts.
        var seen: PartitionIdentities
        /// Whether an event was routed here since the last commit.
        var touched = true
        /// When a commit last followed an event routed here (monotonic ns).
        var lastTouched: UInt64 = 0

        init(name: String, path: String, seen: PartitionIdentities) {
            self.name = name
            self.path = path
            self.seen = seen
        }
    }

    /// The store's folder.
    public let directory: DataDirectory
    private let lock: FileHandle
    private var partitions: [String: Partition] = [:]
    private var bufferedBytes = 0
    private var directoriesToSync: Set<String> = []
    var failure: StoreError?
    /// The store's hash chain; every segment this writer seals is added to it.
    var ledger: ChainLedger
    /// The store's arrival order: every commit, rewrite and drop, in order.
    let journal: CommitJournal
    /// Blocks submitted since the last commit, in submission order (the order they are
    /// appended): (segment, its block number), for the commit's journal record.
    private var uncommitted: [(segment: SegmentWriter, block: Int)] = []
    /// What opening the store repaired (segments of a crashed writer, unfinished rewrites).
    public internal(set) var recovery = RecoveryReport()
    /// Builds, compresses and writes blocks on the encoder threads.
    private let pipeline = BlockPipeline()
    /// Every segment this writer created and still holds, for the bytes-written count.
    private var created: [SegmentWriter] = []
    /// The bytes of the segments sealed and let go by ``releaseIdlePartitions(idleSeconds:)``.
    private var releasedBytes = 0
    /// What the writer has done so far.
    public private(set) var stats = WriterStats()
    /// Damaged blocks met while loading existing IDs for dedupe (reported, skipped).
    public internal(set) var problems: [SegmentProblem] = []
    /// Whether this writer removed `<data>/RESERVE` to make room on a full disk.
    public internal(set) var spaceReleased = false

    /// Opens (creating if needed) the store at `directory` and takes its writer lock.
    public init(directory: DataDirectory) throws {
        self.directory = directory
        if ShipManifest.isShipped(directory) { throw StoreError.shippedCopy(directory.path) }
        var toSync: Set<String> = []
        if try FileHandle.makeDirectory(directory.path) {
            toSync.insert(Self.parentDirectory(directory.path))
        }
        if try FileHandle.makeDirectory(directory.partitionsPath) {
            toSync.insert(directory.path)
        }
        directoriesToSync = toSync
        lock = try FileHandle.openLockFile(directory.lockPath)
        guard try lock.tryLockExclusive() else { throw StoreError.locked(directory.lockPath) }
        ledger = try ChainLedger(path: directory.chainPath)
        journal = try CommitJournal(directory: directory)
        for path in directoriesToSync.sorted(by: { $0.count > $1.count }) {
            try FileHandle.syncDirectory(path)
        }
        directoriesToSync.removeAll()
        try recover()
        ensureReserve()
    }

    deinit {
        pipeline.stop()
        lock.close()
    }

    /// Routes `event` to its partition, unless it is a duplicate.
    public func append(_ event: AuditEvent) throws -> AppendOutcome {
        if let failure { throw failure }
        let partition = try self.partition(for: event.time)
        partition.touched = true
        let minute = partition.seen.minute(of: event.time)
        if !partition.seen.isLoaded(minute) { try loadIdentities(minute: minute, into: partition) }
        let found = partition.seen.insert(minute: minute, id: event.identityKey, content: event.contentHash)
        if found == .duplicate {
            stats.duplicates += 1
            return .duplicate
        }
        let source = Int(event.source.rawValue)
        let size = event.raw.count + 64
        partition.buffers[source].append(event)
        partition.bufferBytes[source] += size
        partition.bufferedBytes += size
        bufferedBytes += size
        stats.stored += 1
        if partition.buffers[source].count >= Limits.eventsPerBlock || partition.bufferBytes[source] >= Limits.blockRawBytes {
            try flush(partition, source: source)
        }
        if bufferedBytes > Limits.writerBufferedBytes,
            let largest = partitions.values.max(by: { $0.bufferedBytes < $1.bufferedBytes })
        {
            try flushAll(largest)
        }
        if found == .conflict {
            stats.idConflicts += 1
            return .idConflict
        }
        return .stored
    }

    /// Writes every buffered event and makes everything written so far durable.
    /// Returns only when all of it is fsync'd.
    public func commit() throws {
        if let failure { throw failure }
        do {
            for partition in partitions.values where partition.bufferedBytes > 0 {
                try flushAll(partition)
            }
            try drainPipeline()
            stats.bytesWritten = releasedBytes + created.reduce(0) { $0 + $1.size }
            for partition in partitions.values {
                try partition.segment?.sync()
            }
            // Deepest folders first: a new segment's entry, then a new partition's entry.
            for path in directoriesToSync.sorted(by: { $0.count > $1.count }) {
                try FileHandle.syncDirectory(path)
            }
            directoriesToSync.removeAll()
            // Only now that the blocks are durable may followers see them named.
            if !uncommitted.isEmpty {
                let blocks = uncommitted.map { entry -> JournalRecord.Committed in
                    let index = entry.segment.indexEntry(entry.block)
                    return JournalRecord.Committed(
                        location: BlockLocation(segment: segmentKey(entry.segment.path), offset: Int(index.offset)),
                        events: Int(index.eventCount))
                }
                try journal.append(.commit(blocks), now: CommitJournal.now())
                uncommitted.removeAll()
            }
            let now = Self.monotonicNanos()
            for partition in partitions.values where partition.touched {
                partition.touched = false
                partition.lastTouched = now
            }
        } catch let error as StoreError where error.code == .fsyncFailed {
            failure = error
            throw error
        }
    }

    /// `<partition>/<file>` of a segment path under this store (a `.tmp` suffix left out).
    func segmentKey(_ path: String) -> String {
        String(path.dropFirst(directory.partitionsPath.count + 1)).replacingSuffix(FileNames.temporarySuffix)
    }

    /// Commits, seals every open segment into the hash chain, makes that durable, and
    /// releases the lock.
    public func close() throws {
        try commit()
        do {
            // The chain names each segment before its footer is written (write-ahead): a crash
            // in between leaves a chained segment without a footer, which the next open
            // finishes; a sealed segment the chain does not name is then never one of ours.
            var sealing: [(SegmentWriter, Partition, SegmentSeal)] = []
            for partition in partitions.values.sorted(by: { $0.name < $1.name }) {
                guard let segment = partition.segment else { continue }
                sealing.append((segment, partition, chainSeal(segment, partition: partition.name)))
            }
            try ledger.persist()
            for (segment, partition, seal) in sealing {
                try segment.seal(seal)
                try segment.sync()
                segment.close()
                partition.segment = nil
            }
        } catch let error as StoreError {
            failure = error
            throw error
        }
        pipeline.stop()
        stats.bytesWritten = releasedBytes + created.reduce(0) { $0 + $1.size }
        journal.close()
        lock.close()
    }

    /// Seals the open segment of every partition no event was routed to for `idleSeconds`
    /// (counted in commits that followed its last event), and lets the partition go with its
    /// dedupe table: the memory of a long-running writer then follows the hours it is writing,
    /// not every hour it ever wrote. An event for a released hour later opens the partition
    /// again: its IDs are read back from disk (dedupe holds) and a new segment is started.
    /// Call right after ``commit()``; does nothing while blocks are uncommitted. Returns how
    /// many partitions were released.
    @discardableResult
    public func releaseIdlePartitions(idleSeconds: Double) throws -> Int {
        if let failure { throw failure }
        guard uncommitted.isEmpty else { return 0 }
        let now = Self.monotonicNanos()
        let idle = partitions.values.filter {
            !$0.touched && $0.bufferedBytes == 0 && Double(now &- $0.lastTouched) / 1e9 >= idleSeconds
        }.sorted { $0.name < $1.name }
        guard !idle.isEmpty else { return 0 }
        do {
            // As in close(): the chain names each segment before its footer is written.
            var sealing: [(SegmentWriter, Partition, SegmentSeal)] = []
            for partition in idle {
                guard let segment = partition.segment else { continue }
                sealing.append((segment, partition, chainSeal(segment, partition: partition.name)))
            }
            if !sealing.isEmpty { try ledger.persist() }
            for (segment, partition, seal) in sealing {
                try segment.seal(seal)
                try segment.sync()
                segment.close()
                partition.segment = nil
                releasedBytes += segment.size
                created.removeAll { $0 === segment }
            }
        } catch let error as StoreError {
            failure = error
            throw error
        }
        for partition in idle { partitions[partition.name] = nil }
        if let last = lastPartition, idle.contains(where: { $0 === last.partition }) { lastPartition = nil }
        stats.partitionsReleased += idle.count
        return idle.count
    }

    /// Partitions this writer holds open (with their dedupe tables).
    public var openPartitions: Int { partitions.count }

    /// Whether partitions that already have segments when opened read their dedupe identities
    /// back a minute at a time, when an event of that minute comes (for a long-running writer
    /// that calls ``releaseIdleIdentities(idleSeconds:)``), rather than all at once (for a
    /// batch ingest that will likely touch every minute of the hour anyway).
    public var loadsIdentitiesByMinute = false

    /// Lets go of the dedupe identities of every minute no event came for in `idleSeconds`;
    /// an event of such a minute later reads them back from the partition's blocks first.
    /// Call after ``commit()`` (the minutes' events must be on disk); returns how many minutes.
    @discardableResult
    public func releaseIdleIdentities(idleSeconds: Double) throws -> Int {
        if let failure { throw failure }
        guard uncommitted.isEmpty else { return 0 }
        let now = Self.monotonicNanos()
        let idle = UInt64(max(0, idleSeconds) * 1e9)
        var released = 0
        for partition in partitions.values where partition.bufferedBytes == 0 {
            released += partition.seen.release(idle: idle, now: now)
        }
        stats.identityMinutesReleased += released
        return released
    }

    /// Dedupe identities held in memory, over every open partition.
    public var identitiesHeld: Int { partitions.values.reduce(0) { $0 + $1.seen.count } }

    static func monotonicNanos() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    /// Seals `segment` as the chain's next entry (the ledger line is persisted by the caller
    /// before the segment becomes visible: see ``rewrite(partition:segments:reason:keep:)``).
    func seal(_ segment: SegmentWriter, partition: String, replaces: [String] = []) throws {
        try segment.seal(chainSeal(segment, partition: partition, replaces: replaces))
    }

    /// Adds `segment`'s chain entry (not yet persisted) and returns the seal its footer records.
    func chainSeal(_ segment: SegmentWriter, partition: String, replaces: [String] = []) -> SegmentSeal {
        let name = String(segment.path.split(separator: "/").last!).replacingSuffix(FileNames.temporarySuffix)
        return ledger.seal(
            segment: partition + "/" + name, contentHash: segment.contentHash, blocks: segment.blockCount,
            events: segment.eventCount, replaces: replaces)
    }

    /// Writes every buffered block (not fsync'd, not committed): what a crash before the next
    /// commit leaves on disk, for tests of recovery.
    func flushForTesting() throws {
        for partition in partitions.values { try flushAll(partition) }
        try drainPipeline()
    }

    /// Stops without sealing or syncing anything more and releases the lock: what a crash
    /// leaves, for tests of recovery.
    func abandonForTesting() {
        pipeline.stop()
        for partition in partitions.values { partition.segment?.close() }
        journal.close()
        lock.close()
    }

    private func drainPipeline() throws {
        do {
            try pipeline.drain()
        } catch let error as StoreError {
            failure = error
            throw error
        }
    }

    /// The partition of the last event and the hour it covers: events come in runs of one
    /// hour, and naming the hour costs more than the rest of routing an event.
    private var lastPartition: (hour: Int64, partition: Partition)?

    private func partition(for time: Int64) throws -> Partition {
        let hourNanos: Int64 = 3_600_000_000_000
        let hour = time >= 0 ? time / hourNanos : (time + 1) / hourNanos - 1
        if let last = lastPartition, last.hour == hour { return last.partition }
        let found = try namedPartition(for: time)
        lastPartition = (hour, found)
        return found
    }

    private func namedPartition(for time: Int64) throws -> Partition {
        let name = FileNames.partition(containing: time)
        if let existing = partitions[name] { return existing }
        let start = Timestamp.parseHourName(name) ?? time
        let stored = try (FileHandle.listDirectory(directory.partitionPath(name)) ?? []).contains { FileNames.segmentSequence($0) != nil }
        let byMinute = loadsIdentitiesByMinute && stored
        let seen = PartitionIdentities(hourStart: start, loaded: !byMinute, now: Self.monotonicNanos())
        let partition = Partition(name: name, path: directory.partitionPath(name), seen: seen)
        if stored && !byMinute { try loadIdentities(into: partition) }
        partitions[name] = partition
        stats.partitions += 1
        return partition
    }

    /// Reads the IDs of the events already stored in a partition, for dedupe. Per partition, so
    /// memory is bounded by the partitions this writer touches, not by the store.
    private func loadIdentities(into partition: Partition) throws {
        let reader = StoreReader(directory: directory)
        let report = try reader.identities(partition: PartitionInfo(name: partition.name, start: partition.seen.hourStart)) { time, id, content in
            partition.seen.insertLoading(time: time, id: id, content: content)
        }
        noteLoadProblems(report.problems)
    }

    /// Reads back the IDs of the events stored in one minute of a partition (released, or not
    /// loaded yet). Every event of that minute is on disk: minutes are released only after a
    /// commit, and an event of a minute not loaded loads it before it is stored. Blocks the
    /// encoder threads are still writing hold none of its events, and a reader skips them.
    private func loadIdentities(minute: Int, into partition: Partition) throws {
        partition.seen.startLoading(minute)
        let reader = StoreReader(directory: directory)
        let range = partition.seen.range(ofMinute: minute)
        let report = try reader.identities(partition: PartitionInfo(name: partition.name, start: partition.seen.hourStart), range: range) {
            _, id, content in
            partition.seen.insert(minute: minute, id: id, content: content)
        }
        stats.identityMinutesLoaded += 1
        noteLoadProblems(report.problems)
    }

    /// Keeps each damaged block met while loading IDs once, however many minutes read it.
    private func noteLoadProblems(_ found: [SegmentProblem]) {
        for problem in found where !problems.contains(problem) { problems.append(problem) }
    }

    private func flushAll(_ partition: Partition) throws {
        for source in partition.buffers.indices where !partition.buffers[source].isEmpty {
            try flush(partition, source: source)
        }
    }

    private func flush(_ partition: Partition, source: Int) throws {
        guard !partition.buffers[source].isEmpty else { return }
        let segment = try openSegment(partition)
        do {
            // Columns are built and compressed on the encoder threads.
            try pipeline.submit(partition.buffers[source], to: segment)
            uncommitted.append((segment, segment.submittedBlocks))
            segment.submittedBlocks += 1
        } catch let error as StoreError {
            failure = error
            throw error
        }
        stats.blocks += 1
        bufferedBytes -= partition.bufferBytes[source]
        partition.bufferedBytes -= partition.bufferBytes[source]
        partition.buffers[source] = []
        partition.bufferBytes[source] = 0
    }

    private func openSegment(_ partition: Partition) throws -> SegmentWriter {
        if let segment = partition.segment { return segment }
        if try FileHandle.makeDirectory(partition.path) {
            directoriesToSync.insert(directory.partitionsPath)
        }
        let existing = try FileHandle.listDirectory(partition.path) ?? []
        let next = (existing.compactMap(FileNames.segmentSequence).max() ?? 0) + 1
        let segment = try SegmentWriter(creating: partition.path + "/" + FileNames.segment(next))
        directoriesToSync.insert(partition.path)
        created.append(segment)
        partition.segment = segment
        return segment
    }

    static func parentDirectory(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

extension String {
    /// The string without `suffix` when it ends with it.
    func replacingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
