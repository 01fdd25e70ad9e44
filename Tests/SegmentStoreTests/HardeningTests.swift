import AuditCore
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

@testable import SegmentStore

/// Issue 13: tamper evidence and damaged stores.
@Suite("Hardening: unknown segments, damaged segments, damaged blocks")
struct HardeningTests {
    let start: Int64 = 1_794_999_600_000_000_000

    /// Three writers: three segments in the first hour, one in the second.
    func store(_ dir: TemporaryDirectory) throws -> DataDirectory {
        let directory = DataDirectory(path: dir.path + "/data")
        var rng = SeededGenerator(seed: 21)
        for hours in [1, 1, 2] {
            let writer = try StoreWriter(directory: directory)
            for _ in 0..<200 { _ = try writer.append(EventBuilder.random(using: &rng, start: start, hours: hours)) }
            try writer.close()
        }
        return directory
    }

    func segmentPaths(_ directory: DataDirectory) throws -> [String] {
        let reader = StoreReader(directory: directory)
        return try reader.partitions().flatMap { try reader.segments(of: $0) }
    }

    func flip(_ path: String, at offset: Int, mask: UInt8 = 0x20) {
        let fd = open(path, O_RDWR)
        var byte: UInt8 = 0
        pread(fd, &byte, 1, off_t(offset))
        byte ^= mask
        pwrite(fd, &byte, 1, off_t(offset))
        close(fd)
    }

    /// Opens a writer, stores one event, closes: what the next ingest does.
    func ingestOne(_ directory: DataDirectory, n: Int = 0) throws {
        let writer = try StoreWriter(directory: directory)
        var fields = FieldValues()
        fields[.id] = "later-\(n)"
        _ = try writer.append(AuditEvent(time: start + 5, source: .k8sAudit, fields: fields, raw: Array("{\"later\":\(n)}".utf8)))
        try writer.close()
    }

    // MARK: 1. segments outside the chain

    @Test("a sealed segment copied in behind the store's back is not adopted by the next writer: verify keeps failing until repair --adopt")
    func copiedSegmentIsNotAdopted() throws {
        let dir = TemporaryDirectory()
        let directory = try store(dir)
        let before = try storedKeys(directory)
        let source = try segmentPaths(directory)[2]
        let copy = PowerLossDisk.parent(source) + "/000099.seg"
        try writeFile(copy, try readFile(source))
        try ingestOne(directory)
        let report = try StoreVerifier(directory: directory).verify()
        #expect(!report.isClean)
        #expect(report.problems.contains { $0.contains("000099.seg") }, "\(report.problems)")
        // Its events are not served as the store's: nothing is doubled.
        let after = try storedKeys(directory)
        #expect(after.values.allSatisfy { $0 == 1 })
        #expect(after.count == before.count + 1)
        try ingestOne(directory, n: 1)
        #expect(try !StoreVerifier(directory: directory).verify().isClean, "still failing after another writer")
        // The deliberate repair adopts it and says so in the chain.
        let repairer = try StoreWriter(directory: directory)
        let repair = try repairer.repair(adopt: true, reason: "test")
        try repairer.close()
        #expect(repair.adopted.contains { $0.contains("000099.seg") }, "\(repair)")
        let repaired = try StoreVerifier(directory: directory).verify()
        #expect(repaired.isClean, "\(repaired.problems)")
        #expect(try ChainLedger(path: directory.chainPath).entries.contains { $0.kind == .repair })
        // The copy held events the store has: adopting it does not store them twice.
        let copied = try #require(try SegmentReader(path: source).footer()).footer.blocks.reduce(0) { $0 + Int($1.eventCount) }
        #expect(repair.duplicates == copied)
        #expect(try storedKeys(directory).values.allSatisfy { $0 == 1 })
    }

    @Test("a CHAIN that lost a line in the middle fails verify; repair adopts the orphaned segment and accepts the line, on the record")
    func chainLostMiddleLine() throws {
        let dir = TemporaryDirectory()
        let directory = try store(dir)
        var lines = String(decoding: try readFile(directory.chainPath), as: UTF8.self).split(separator: "\n")
        lines.remove(at: 1)
        try writeFile(directory.chainPath, Array((lines.joined(separator: "\n") + "\n").utf8))
        try ingestOne(directory)
        #expect(try !StoreVerifier(directory: directory).verify().isClean)
        #expect(try storedKeys(directory).count == 401, "the orphaned segment's events are not served")
        let repairer = try StoreWriter(directory: directory)
        let repair = try repairer.repair(adopt: true, reason: "ledger restored by hand")
        try repairer.close()
        #expect(repair.adopted.count == 1)
        #expect(repair.acceptedLines == [2])
        let report = try StoreVerifier(directory: directory).verify()
        #expect(report.isClean, "\(report.problems)")
        #expect(try storedKeys(directory).count == 601)
    }

    @Test("a deleted CHAIN stays a verify failure after the next writer, until repair")
    func deletedChain() throws {
        let dir = TemporaryDirectory()
        let directory = try store(dir)
        #expect(unlink(directory.chainPath) == 0)
        try ingestOne(directory)
        #expect(try !StoreVerifier(directory: directory).verify().isClean)
        let repairer = try StoreWriter(directory: directory)
        _ = try repairer.repair(adopt: true, reason: "test")
        try repairer.close()
        let repaired = try StoreVerifier(directory: directory).verify()
        #expect(repaired.isClean, "\(repaired.problems)")
        #expect(try storedKeys(directory).count == 601)
    }

    @Test("a CHAIN that lost its last line stays a verify failure after the next writer")
    func shortenedChain() throws {
        let dir = TemporaryDirectory()
        let directory = try store(dir)
        var lines = String(decoding: try readFile(directory.chainPath), as: UTF8.self).split(separator: "\n")
        lines.removeLast()
        try writeFile(directory.chainPath, Array((lines.joined(separator: "\n") + "\n").utf8))
        try ingestOne(directory)
        #expect(try !StoreVerifier(directory: directory).verify().isClean)
    }

    @Test("a CHAIN emptied stays a verify failure after the next writer")
    func emptiedChain() throws {
        let dir = TemporaryDirectory()
        let directory = try store(dir)
        try writeFile(directory.chainPath, [])
        try ingestOne(directory)
        #expect(try !StoreVerifier(directory: directory).verify().isClean)
    }

    // MARK: 2. compaction does not launder damage

    @Test("compaction refuses a partition with a damaged block, names it, and loses nothing")
    func compactionRefusesDamage() throws {
        let dir = TemporaryDirectory()
        let directory = try store(dir)
        let victim = try segmentPaths(directory)[1]
        flip(victim, at: 200)
        let before = try StoreStatistics(directory: directory).total.events
        let writer = try StoreWriter(directory: directory)
        let result = try writer.compact()
        try writer.close()
        #expect(result.refused.contains { $0.path == victim }, "\(result.refused)")
        // The damaged hour is left as it is (other hours may still be compacted).
        #expect(FileHandle.exists(victim))
        #expect(try StoreStatistics(directory: directory).total.events == before)
        #expect(try !StoreVerifier(directory: directory).verify().isClean)
    }

    @Test("recovering a crashed writer's segment with a damaged block keeps the original aside: verify does not call the store clean")
    func recoveryKeepsDamagedOriginal() throws {
        let dir = TemporaryDirectory()
        let directory = DataDirectory(path: dir.path + "/data")
        var rng = SeededGenerator(seed: 31)
        let first = (0..<300).map { _ in EventBuilder.random(using: &rng, start: start, hours: 1) }
        let second = (0..<300).map { _ in EventBuilder.random(using: &rng, start: start, hours: 1) }
        let partition = directory.partitionPath(Timestamp.hourName(start))
        _ = try FileHandle.makeDirectory(directory.path)
        _ = try FileHandle.makeDirectory(directory.partitionsPath)
        _ = try FileHandle.makeDirectory(partition)
        let segment = try SegmentWriter(creating: partition + "/000001.seg")
        try segment.append(events: first.filter { $0.time >= start && $0.time < start + Timestamp.nanosPerHour })
        try segment.append(events: second.filter { $0.time >= start && $0.time < start + Timestamp.nanosPerHour })
        try segment.sync()
        segment.close()
        flip(partition + "/000001.seg", at: SegmentFormat.headerSize + SegmentFormat.frameHeaderSize + 100)
        let writer = try StoreWriter(directory: directory)
        #expect(writer.recovery.blocksRecovered == 1)
        try writer.close()
        let report = try StoreVerifier(directory: directory).verify()
        #expect(!report.isClean, "a recovery that lost a damaged block must not verify clean")
        #expect(report.problems.contains { $0.contains("000001.seg") && $0.contains("damaged") }, "\(report.problems)")
        // repair does not adopt it again (its intact blocks are already back).
        let repairer = try StoreWriter(directory: directory)
        let repair = try repairer.repair(adopt: true, reason: "seen")
        try repairer.close()
        #expect(repair.adopted.isEmpty)
    }

    // MARK: 3. a damaged or stray segment is contained

    @Test("a segment with a bad header is skipped and named; ingest, queries, compaction, retention, stats and verify keep working")
    func badHeaderContained() throws {
        let dir = TemporaryDirectory()
        let directory = try store(dir)
        let paths = try segmentPaths(directory)
        // A stray file in the first hour, and a chained segment of it whose header magic is damaged.
        let stray = PowerLossDisk.parent(paths[0]) + "/000050.seg"
        try writeFile(stray, Array("NOTASEGMENT-at-all-garbage-garbage".utf8))
        flip(paths[1], at: 2)
        func scanAll() throws -> (count: Int, problems: [SegmentProblem]) {
            var count = 0
            var problems: [SegmentProblem] = []
            let reader = StoreReader(directory: directory)
            for partition in try reader.partitions() {
                problems += try reader.scan(partition: partition) { _ in
                    count += 1
                    return true
                }.problems
            }
            return (count, problems)
        }
        let before = try scanAll()
        #expect(before.count > 0 && before.count < 600, "the damaged segment's events are not read")
        #expect(before.problems.contains { $0.path == stray }, "\(before.problems)")
        #expect(before.problems.contains { $0.path == paths[1] && $0.message.contains("bad magic") }, "\(before.problems)")
        let stats = try StoreStatistics(directory: directory)
        #expect(stats.problems.count == 2)
        // A writer opens, sets the stray aside (it is not in the chain), leaves the chained one, ingests.
        let writer = try StoreWriter(directory: directory)
        #expect(writer.recovery.setAside.contains { $0.hasSuffix("000050.seg") }, "\(writer.recovery)")
        try writer.close()
        try ingestOne(directory)
        let after = try scanAll()
        #expect(after.count == before.count + 1)
        #expect(after.problems.contains { $0.path == paths[1] })
        let maintainer = try StoreWriter(directory: directory)
        let compacted = try maintainer.compact()
        #expect(compacted.refused.contains { $0.path == paths[1] }, "the damaged hour is left as it is")
        _ = try maintainer.applyRetention(RetentionPolicy(defaultKeep: Timestamp.nanosPerHour), now: start + 400 * Timestamp.nanosPerHour)
        try maintainer.close()
        let report = try StoreVerifier(directory: directory).verify()
        #expect(report.problems.contains { $0.contains("000050.seg") }, "\(report.problems)")
        #expect(report.problems.contains { $0.contains(String(paths[1].split(separator: "/").last!)) }, "\(report.problems)")
    }

    // MARK: 4. dedupe does not depend on reading a damaged block as healthy

    /// Byte range of column `column` of the block at `frame` (offset of its frame).
    func columnRange(_ path: String, frame: Int, column: Int) throws -> Range<Int> {
        let bytes = try readFile(path)
        let body = frame + SegmentFormat.frameHeaderSize
        var r = body + BlockHeader.size
        func u32(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 }
        let summary = u32(r)
        r += 4 + summary
        let columns = Int(bytes[r]) | Int(bytes[r + 1]) << 8
        r += 2
        var payload = r + columns * 13 + 4
        for k in 0..<columns {
            let compressed = u32(r + k * 13 + 1)
            if k == column { return payload..<(payload + compressed) }
            payload += compressed
        }
        fatalError("no column \(column)")
    }

    @Test("a damaged column that dedupe does not need leaves re-ingested events duplicates, not stored twice")
    func dedupeAfterDamage() throws {
        let dir = TemporaryDirectory()
        let directory = DataDirectory(path: dir.path + "/data")
        var rng = SeededGenerator(seed: 4)
        let events = (0..<300).map { _ in EventBuilder.random(using: &rng, start: start, hours: 1) }
        let writer = try StoreWriter(directory: directory)
        for e in events { _ = try writer.append(e) }
        try writer.close()
        let path = try segmentPaths(directory)[0]
        let user = try columnRange(path, frame: SegmentFormat.headerSize, column: 1 + Field.user.rawValue)
        #expect(user.count > 4)
        flip(path, at: user.lowerBound + user.count / 2)
        let again = try StoreWriter(directory: directory)
        var outcomes: [AppendOutcome: Int] = [:]
        for e in events { outcomes[try again.append(e), default: 0] += 1 }
        try again.close()
        #expect(outcomes[.duplicate] == 300, "\(outcomes)")
        #expect(again.problems.contains { $0.path == path }, "the damage is reported: \(again.problems)")
    }

    /// Events a reader that decodes only the `verb` column sees in the store (blocks whose view
    /// is damaged are skipped, as the query engine does).
    func eventsSeenByVerbReader(_ directory: DataDirectory) throws -> Int {
        let reader = StoreReader(directory: directory)
        var seen = 0
        for partition in try reader.partitions() {
            for body in try reader.collectBlocks(partition: partition).bodies {
                guard let view = BlockView(body: body) else { continue }
                _ = view.column(.verb)
                if !view.damaged { seen += view.count }
            }
        }
        return seen
    }

    @Test("a damaged id column: no query uses the block, so its events ingested again are seen once")
    func damagedIdColumn() throws {
        let dir = TemporaryDirectory()
        let directory = DataDirectory(path: dir.path + "/data")
        var rng = SeededGenerator(seed: 41)
        let events = (0..<300).map { _ in EventBuilder.random(using: &rng, start: start, hours: 1) }
        let writer = try StoreWriter(directory: directory)
        for e in events { _ = try writer.append(e) }
        try writer.close()
        #expect(try eventsSeenByVerbReader(directory) == 300)
        let path = try segmentPaths(directory)[0]
        let id = try columnRange(path, frame: SegmentFormat.headerSize, column: 1 + Field.id.rawValue)
        flip(path, at: id.lowerBound + id.count / 2)
        // The first block holds the events of one source (blocks keep sources apart).
        let hidden = 300 - (try eventsSeenByVerbReader(directory))
        #expect(hidden > 0 && hidden < 300, "a block with unreadable identities answers no query")
        let again = try StoreWriter(directory: directory)
        var outcomes: [AppendOutcome: Int] = [:]
        for e in events { outcomes[try again.append(e), default: 0] += 1 }
        try again.close()
        // Stored (an `idConflict` is stored too: random events may share an ID).
        #expect((outcomes[.stored] ?? 0) + (outcomes[.idConflict] ?? 0) == hidden, "\(outcomes), \(hidden) hidden")
        #expect(outcomes[.duplicate] == 300 - hidden, "\(outcomes), \(hidden) hidden")
        #expect(again.problems.contains { $0.path == path && $0.message.contains("dedupe cannot see") }, "\(again.problems)")
        #expect(try eventsSeenByVerbReader(directory) == 300, "each event is seen once")
    }

    @Test("a damaged raw column with intact IDs: events ingested again are duplicates")
    func damagedRawColumn() throws {
        let dir = TemporaryDirectory()
        let directory = DataDirectory(path: dir.path + "/data")
        var rng = SeededGenerator(seed: 42)
        let events = (0..<300).map { _ in EventBuilder.random(using: &rng, start: start, hours: 1) }
        let writer = try StoreWriter(directory: directory)
        for e in events { _ = try writer.append(e) }
        try writer.close()
        let path = try segmentPaths(directory)[0]
        let raw = try columnRange(path, frame: SegmentFormat.headerSize, column: 1 + Field.fieldCount)
        #expect(raw.count > 4)
        flip(path, at: raw.lowerBound + raw.count / 2)
        let again = try StoreWriter(directory: directory)
        var outcomes: [AppendOutcome: Int] = [:]
        for e in events { outcomes[try again.append(e), default: 0] += 1 }
        try again.close()
        #expect(outcomes[.duplicate] == 300, "\(outcomes)")
        #expect(again.problems.contains { $0.path == path && $0.message.contains("taken as a duplicate") }, "\(again.problems)")
        #expect(try eventsSeenByVerbReader(directory) == 300)
    }

    // MARK: 5. a damaged frame length loses only its block

    @Test(
        "a damaged frame length (into the next block, past the end of the file) is reported and loses no block",
        arguments: [(false, 300), (true, 300), (false, 1 << 22), (true, 1 << 22)])
    func frameLengthFlip(sealed: Bool, delta: Int) throws {
        let dir = TemporaryDirectory()
        var rng = SeededGenerator(seed: 12)
        let first = (0..<300).map { _ in EventBuilder.random(using: &rng, hours: 1) }
        let second = (0..<300).map { _ in EventBuilder.random(using: &rng, hours: 1) }
        let third = (0..<300).map { _ in EventBuilder.random(using: &rng, hours: 1) }
        let path = dir.path + "/000001.seg"
        let writer = try SegmentWriter(creating: path)
        try writer.append(events: first)
        try writer.append(events: second)
        try writer.append(events: third)
        if sealed { try writer.seal(nil) }
        try writer.sync()
        writer.close()
        var bytes = try readFile(path)
        let at = SegmentFormat.headerSize + 4
        let length = Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24
        for k in 0..<4 { bytes[at + k] = UInt8(truncatingIfNeeded: (length + delta) >> (8 * k)) }
        try writeFile(path, bytes)
        let reader = try SegmentReader(path: path)
        var read: [AuditEvent] = []
        let result = try reader.forEachBlock { _, _, body in
            read += Block.decode(body) ?? []
            return true
        }
        #expect(result.problems.count == 1)
        #expect(result.problems.first?.message.contains("damaged frame length") == true)
        let same = sortedForComparison(read) == sortedForComparison(first + second + third)
        #expect(same, "read \(read.count) events, problems \(result.problems)")
    }

    @Test("a chained segment deleted or cut is reported to readers of its hour")
    func missingSegmentReported() throws {
        let dir = TemporaryDirectory()
        let directory = try store(dir)
        let paths = try segmentPaths(directory)
        #expect(unlink(paths[0]) == 0)
        #expect(truncate(paths[1], 100) == 0)
        let problems = try StoreReader(directory: directory).integrityProblems()
        #expect(problems.contains { $0.path == paths[0] && $0.message.contains("missing") }, "\(problems)")
        #expect(problems.contains { $0.path == paths[1] && $0.message.contains("cut short") }, "\(problems)")
        #expect(problems.count == 2, "\(problems)")
    }
}

/// A disk with no free space: every write under `root` fails with ENOSPC unless it fits in
/// the bytes freed by removing `<data>/RESERVE` (`freed`, less than the file: the rest went to
/// other users of the disk).
final class FullDisk: IOObserver, @unchecked Sendable {
    private let root: String
    private let freed: Int
    private var budget = 0
    private(set) var refused = 0

    init(root: String, freed: Int) {
        self.root = root
        self.freed = freed
    }

    func willPerform(_ operation: IOOperation) -> Int32 {
        switch operation {
        case .write(let path, _, let bytes) where path.hasPrefix(root + "/"):
            guard bytes.count <= budget else {
                refused += 1
                return ENOSPC
            }
            budget -= bytes.count
            return 0
        case .remove(let path) where path.hasPrefix(root + "/") && path.hasSuffix("/" + FileNames.reserve):
            budget += freed
            return 0
        default:
            return 0
        }
    }
}

/// Issue 13 tests that install the process-wide I/O seam: in the DurabilityTests suite, whose
/// tests run one at a time (an observer is process-wide).
extension DurabilityTests {
    var hardeningStart: Int64 { 1_794_999_600_000_000_000 }

    @Test("retention drops whole hours on a full disk, giving up the reserve for its chain lines; trims are skipped and said")
    func retentionOnFullDisk() throws {
        let dir = TemporaryDirectory()
        let directory = DataDirectory(path: dir.path + "/data")
        let hour = Timestamp.nanosPerHour
        let writer = try StoreWriter(directory: directory)
        for n in 0..<50 {
            var fields = FieldValues()
            fields[.id] = "e\(n)"
            // Hour 0: k8s only (goes whole); hour 1: k8s and cloudtrail (needs a trim).
            _ = try writer.append(AuditEvent(time: hardeningStart + Int64(n), source: .k8sAudit, fields: fields, raw: Array("{\"n\":\(n)}".utf8)))
            _ = try writer.append(AuditEvent(time: hardeningStart + hour + Int64(n), source: .k8sAudit, fields: fields, raw: Array("{\"m\":\(n)}".utf8)))
            _ = try writer.append(AuditEvent(time: hardeningStart + hour + Int64(n), source: .cloudtrail, fields: fields, raw: Array("{\"c\":\(n)}".utf8)))
        }
        try writer.close()
        #expect(FileHandle.exists(directory.reservePath))
        let disk = FullDisk(root: dir.path, freed: 1_000)
        IOHooks.observer = disk
        defer { IOHooks.observer = nil }
        let maintainer = try StoreWriter(directory: directory)
        let report = try maintainer.applyRetention(try RetentionPolicy(parsing: ["k8s-audit=1d"]), now: hardeningStart + 48 * hour)
        try maintainer.close()
        IOHooks.observer = nil
        #expect(report.partitionsDropped == 1)
        #expect(report.reserveReleased)
        #expect(report.skippedForSpace == [Timestamp.hourName(hardeningStart + hour)], "\(report)")
        #expect(disk.refused > 0)
        let verify = try StoreVerifier(directory: directory).verify()
        #expect(verify.isClean, "\(verify.problems)")
        #expect(try StoreStatistics(directory: directory).total.events == 100)
    }
    @Test("a crash between a segment's chain line and its footer is finished by the next writer: sealed as chained, verify clean")
    func chainedWithoutFooter() throws {
        let dir = TemporaryDirectory()
        let directory = DataDirectory(path: dir.path + "/data")
        var rng = SeededGenerator(seed: 44)
        let events = (0..<200).map { _ in EventBuilder.random(using: &rng, start: hardeningStart, hours: 1) }
        let disk = PowerLossDisk(root: dir.path)
        IOHooks.observer = disk
        let writer = try StoreWriter(directory: directory)
        for e in events { _ = try writer.append(e) }
        // The footer write fails, as if the power went right after the chain line was fsync'd.
        let footer = withUnsafeBytes(of: SegmentFormat.footerMagic.littleEndian) { Array($0) }
        disk.failNext { if case .write(let path, _, let bytes) = $0 { path.hasSuffix(FileNames.segmentSuffix) && Array(bytes.prefix(4)) == footer } else { false } }
        #expect(throws: StoreError.self) { try writer.close() }
        IOHooks.observer = nil
        writer.abandonForTesting()
        let chained = try ChainLedger(path: directory.chainPath)
        #expect(chained.entries.count == 1, "the chain line is durable before the footer")
        let next = try StoreWriter(directory: directory)
        #expect(next.recovery.sealsCompleted == 1, "\(next.recovery)")
        #expect(next.recovery.setAside.isEmpty)
        try next.close()
        let report = try StoreVerifier(directory: directory).verify()
        #expect(report.isClean, "\(report.problems)")
        #expect(try storedKeys(directory).count == Set(events.map(EventKey.init)).count)
    }
}
