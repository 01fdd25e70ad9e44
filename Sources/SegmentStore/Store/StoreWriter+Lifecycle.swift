import AuditCore

/// How long events are kept: a default for every source and overrides per source
/// (`--keep 30d`, `--keep cloudtrail=3y,k8s-audit=400d,perf=14d`). A source with neither is
/// kept forever.
public struct RetentionPolicy: Sendable, Equatable {
    /// Kept for this long (ns) when the source has no override; nil: forever.
    public var defaultKeep: Int64?
    /// Per source, by raw value: kept for this long (ns).
    public var perSource: [UInt8: Int64] = [:]

    public init(defaultKeep: Int64? = nil, perSource: [SourceKind: Int64] = [:]) {
        self.defaultKeep = defaultKeep
        for (source, keep) in perSource { self.perSource[source.rawValue] = keep }
    }

    /// Parses `30d` or `cloudtrail=3y,k8s-audit=400d` (several specs add up); throws a message
    /// naming the bad part.
    public init(parsing specs: [String]) throws(RetentionPolicyError) {
        for spec in specs {
            for part in spec.split(separator: ",").map(String.init) where !part.isEmpty {
                if let eq = part.firstIndex(of: "=") {
                    let name = String(part[..<eq])
                    let value = String(part[part.index(after: eq)...])
                    guard let source = SourceKind(name: name) else {
                        let known = SourceKind.allCases.map(\.name).joined(separator: ", ")
                        throw RetentionPolicyError(message: "unknown source '\(name)' in '\(part)'; sources are \(known)")
                    }
                    guard let keep = DurationParser.parse(value), keep > 0 else {
                        throw RetentionPolicyError(message: "'\(value)' in '\(part)' is not a duration like 30d, 400d or 3y")
                    }
                    perSource[source.rawValue] = keep
                } else {
                    guard let keep = DurationParser.parse(part), keep > 0 else {
                        throw RetentionPolicyError(message: "'\(part)' is not a duration like 30d or 3y, nor source=duration")
                    }
                    defaultKeep = keep
                }
            }
        }
    }

    /// How long events of `source` (raw value) are kept, nil for forever.
    public func keep(_ source: UInt8) -> Int64? { perSource[source] ?? defaultKeep }

    /// Whether a partition ending at `end` (ns) has expired for `source` at `now`.
    func expired(_ source: UInt8, partitionEnd end: Int64, now: Int64) -> Bool {
        guard let keep = keep(source) else { return false }
        return end < now - keep
    }
}

public struct RetentionPolicyError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// What retention did.
public struct RetentionReport: Sendable, Equatable {
    /// Partitions removed whole.
    public var partitionsDropped = 0
    /// Partitions rewritten without the expired sources' blocks.
    public var partitionsTrimmed = 0
    /// Events and segment bytes removed.
    public var eventsDropped = 0
    public var bytesFreed = 0
    /// Commit journal files removed (older than ``Limits/journalKeep``).
    public var journalFilesRemoved = 0
    /// Partitions left as they are because they hold damage that a rewrite would hide (the
    /// damaged segment and offset), or whose damaged blocks' sources cannot be told.
    public var refused: [SegmentProblem] = []
    /// Partitions that needed trimming (a rewrite) but the disk had no room; whole-hour
    /// removals still ran.
    public var skippedForSpace: [String] = []
    /// Whether `<data>/RESERVE` was given up to record removals on a full disk.
    public var reserveReleased = false

    public init() {}
}

extension StoreWriter {
    /// Removes what `policy` no longer keeps at `now` (ns): partitions whose every source has
    /// expired are deleted whole; partitions where only some sources expired are rewritten
    /// without those sources' blocks (each block holds one source). Every removal is recorded
    /// in the hash chain. Granularity is the partition (one UTC hour): a partition goes when its
    /// last hour is older than the kept span.
    public func applyRetention(_ policy: RetentionPolicy, now: Int64) throws -> RetentionReport {
        if let failure { throw failure }
        var report = RetentionReport()
        let reader = StoreReader(directory: directory)
        for partition in try reader.partitions() {
            var damage: [SegmentProblem] = []
            let readers = try reader.openSegments(of: partition, problems: &damage)
            var sources: UInt8 = 0
            var events = 0
            var bytes = 0
            for segment in readers {
                bytes += segment.size
                damage += try segment.forEachBlock(wholeFrames: true) { _, header, body in
                    sources |= Block.summary(body)?.sources ?? 0
                    events += Int(header.eventCount)
                    return true
                }.problems
            }
            let present = (0..<8).map(UInt8.init).filter { sources & (1 << $0) != 0 }
            let expired = present.filter { policy.expired($0, partitionEnd: partition.end, now: now) }
            guard !expired.isEmpty else { continue }
            let names = readers.map { String($0.path.split(separator: "/").last!) }
            // Damaged blocks' sources are unknown: the hour goes whole only when every source
            // has expired; a rewrite would drop them unseen, so none is done.
            let everySourceExpired = (0..<8).allSatisfy { policy.expired(UInt8($0), partitionEnd: partition.end, now: now) }
            if expired.count == present.count && (damage.isEmpty || everySourceExpired) {
                if damage.contains(where: { $0.offset < 0 }) {
                    report.refused += damage  // a file that is not a segment: leave the hour to a person
                    continue
                }
                try withReserve { try dropPartition(partition.name, segments: names) }
                report.partitionsDropped += 1
                report.eventsDropped += events
                report.bytesFreed += bytes
            } else if !damage.isEmpty {
                report.refused += damage
            } else {
                let mask = expired.reduce(UInt8(0)) { $0 | 1 << $1 }
                let result: RewriteResult
                do {
                    result = try rewrite(partition: partition.name, segments: names, reason: "retention") { _, summary in
                        guard let summary else { return true }
                        return summary.sources & mask == 0
                    }
                } catch let error as StoreError where error.isNoSpace {
                    abandonRewrite(partition: partition.name)
                    report.skippedForSpace.append(partition.name)
                    continue
                }
                report.partitionsTrimmed += 1
                report.eventsDropped += result.eventsDropped
                report.bytesFreed += result.bytesIn - result.bytesOut
            }
        }
        report.journalFilesRemoved = try journal.removeFiles(olderThan: now - Limits.journalKeep)
        report.reserveReleased = spaceReleased
        return report
    }

    /// Removes a whole partition: chain entries first (so a crash never leaves a segment gone
    /// without its record), then the files, then the folder.
    private func dropPartition(_ name: String, segments: [String]) throws {
        let folder = directory.partitionPath(name)
        for segment in segments { ledger.drop(segment: name + "/" + segment, reason: "retention") }
        try ledger.persist()
        try journal.append(.drop(segments: segments.map { name + "/" + $0 }, reason: "retention"), now: CommitJournal.now())
        for entry in try FileHandle.listDirectory(folder) ?? [] { try FileHandle.remove(folder + "/" + entry) }
        try FileHandle.syncDirectory(folder)
        try FileHandle.removeDirectory(folder)
        try FileHandle.syncDirectory(directory.partitionsPath)
    }

    /// Merges the sealed segments of each partition that has at least `minimumSegments` into one
    /// (blocks copied as they are), atomically; see ``rewrite(partition:segments:reason:keep:)``.
    /// Partitions given by name only, when `only` is set.
    public func compact(minimumSegments: Int = 2, only: Set<String>? = nil) throws -> RewriteResult {
        if let failure { throw failure }
        var total = RewriteResult()
        let reader = StoreReader(directory: directory)
        for partition in try reader.partitions() where only?.contains(partition.name) ?? true {
            var damage: [SegmentProblem] = []
            let sealed = try reader.openSegments(of: partition, problems: &damage).filter { $0.footer() != nil }
            // One segment is compacted too when it holds small blocks to merge: two or more in
            // a segment a writer wrote; in a rewritten one (a merging compaction leaves at most
            // one small block per source) more than there are sources, e.g. after a recovery.
            let small = sealed.contains { segment in
                guard let footer = segment.footer()?.footer else { return false }
                let count = footer.blocks.filter { BlockMerger.isSmall(Int($0.eventCount)) }.count
                return footer.seal?.replaces.isEmpty ?? true ? count >= 2 : count > SourceKind.allCases.count
            }
            guard sealed.count >= max(2, minimumSegments) || (sealed.count == 1 && small) else { continue }
            // A rewrite copies intact blocks only: over damage it would drop events and leave
            // a store that verifies clean. Such a partition is left as it is, and named.
            for segment in sealed { damage += try segment.forEachBlock(wholeFrames: true) { _, _, _ in true }.problems }
            guard damage.isEmpty else {
                total.refused += damage
                continue
            }
            let names = sealed.map { String($0.path.split(separator: "/").last!) }
            do {
                total.add(try rewrite(partition: partition.name, segments: names, reason: "compaction", merge: true) { _, _ in true })
            } catch let error as StoreError where error.isNoSpace {
                // Merging needs room for the new segment before the old ones go: leave this
                // hour as it is (retention frees space without it).
                abandonRewrite(partition: partition.name)
                total.skippedForSpace.append(partition.name)
            }
        }
        return total
    }
}
