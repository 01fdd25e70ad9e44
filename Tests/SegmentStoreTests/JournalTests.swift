import AuditCore
import Testing
import TestSupport

@testable import SegmentStore

/// The commit journal (the store's arrival order) and reading the store through it.
@Suite("Commit journal and arrival order")
struct JournalTests {
    let hour = Timestamp.nanosPerHour
    let start: Int64 = 1_794_999_600_000_000_000

    func event(_ n: Int, at time: Int64, _ source: SourceKind = .k8sAudit) -> AuditEvent {
        var fields = FieldValues()
        fields[.id] = "e-\(n)"
        return AuditEvent(time: time, source: source, fields: fields, raw: Array("{\"n\":\(n)}".utf8))
    }

    /// The `n` of every event of the blocks read after `cursor`, in arrival order.
    func arrivals(_ directory: DataDirectory, after cursor: JournalCursor) throws -> (ns: [Int], warnings: [String], cursor: JournalCursor) {
        let reader = try ArrivalReader(directory: directory, from: cursor)
        var ns: [Int] = []
        while case let blocks = try reader.next(maxBlocks: 3), !blocks.isEmpty {
            for block in blocks {
                let view = try #require(BlockView(body: block.body))
                #expect(view.loadAll())
                for i in block.rows ?? Array(0..<view.count) {
                    let raw = String(decoding: view.event(i).raw, as: UTF8.self)
                    ns.append(Int(raw.dropFirst(5).dropLast())!)
                }
            }
        }
        return (ns, reader.takeWarnings(), reader.cursor)
    }

    @Test("records round-trip through their text, and a torn or altered line does not parse")
    func recordText() throws {
        let records = [
            JournalRecord(sequence: 7, time: 123, kind: .commit([.init(location: BlockLocation(segment: "2026-11-24T12/000003.seg", offset: 16), events: 40)])),
            JournalRecord(sequence: 8, time: 124, kind: .rewrite(segment: "2026-11-24T12/000004.seg", reason: "compaction", moves: [.init(from: BlockLocation(segment: "2026-11-24T12/000003.seg", offset: 16), to: 16)])),
            JournalRecord(sequence: 9, time: 125, kind: .drop(segments: ["2026-11-24T12/000004.seg"], reason: "retention")),
        ]
        for record in records {
            let line = Array(record.line.utf8.dropLast())
            #expect(JournalRecord.parse(line) == record)
            #expect(JournalRecord.parse(line.dropLast(3)) == nil)
            var altered = line
            altered[4] ^= 0x01
            #expect(JournalRecord.parse(altered) == nil)
        }
    }

    @Test("each commit records the blocks it made durable, in order, and a reader gets them after any cursor")
    func commitsInOrder() throws {
        let dir = TemporaryDirectory()
        let directory = DataDirectory(path: dir.path + "/data")
        let writer = try StoreWriter(directory: directory)
        for n in 0..<5 { _ = try writer.append(event(n, at: start + Int64(n))) }
        try writer.commit()
        // A late event (an older hour) and a new hour in the second commit.
        _ = try writer.append(event(5, at: start - 5 * hour))
        _ = try writer.append(event(6, at: start + 2 * hour))
        try writer.commit()
        try writer.commit()  // nothing new: no record
        try writer.close()
        #expect(try ArrivalReader.head(of: directory) == 2)
        let all = try arrivals(directory, after: JournalCursor(record: 1))
        #expect(all.ns == [0, 1, 2, 3, 4, 5, 6] || all.ns == [0, 1, 2, 3, 4, 6, 5])
        #expect(all.cursor == JournalCursor(record: 3))
        let second = try arrivals(directory, after: JournalCursor(record: 2))
        #expect(Set(second.ns) == [5, 6])
        // Mid-record: the first block of record 2 done.
        let rest = try arrivals(directory, after: JournalCursor(record: 2, block: 1))
        #expect(rest.ns.count == 1 && second.ns.contains(rest.ns[0]))
        #expect(try arrivals(directory, after: JournalCursor(record: 3)).ns.isEmpty)
    }

    @Test("a reader positioned before a compaction reads each event once, at its new place")
    func compactionMovesBlocks() throws {
        let dir = TemporaryDirectory()
        let directory = DataDirectory(path: dir.path + "/data")
        for run in 0..<3 {
            let writer = try StoreWriter(directory: directory)
            for n in 0..<4 { _ = try writer.append(event(run * 10 + n, at: start + Int64(run * 10 + n))) }
            try writer.close()
        }
        let maintainer = try StoreWriter(directory: directory)
        let result = try maintainer.compact()
        try maintainer.close()
        #expect(result.segmentsIn == 3 && result.segmentsOut == 1)
        let read = try arrivals(directory, after: JournalCursor(record: 1))
        #expect(read.ns.sorted() == [0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23])
        #expect(read.warnings.isEmpty, "\(read.warnings)")
        // Compacted twice more (new events, then again): still once each.
        let writer = try StoreWriter(directory: directory)
        _ = try writer.append(event(30, at: start + 30))
        try writer.close()
        let again = try StoreWriter(directory: directory)
        _ = try again.compact()
        try again.close()
        #expect(try arrivals(directory, after: JournalCursor(record: 1)).ns.sorted() == [0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23, 30])
    }

    @Test("compaction merges the small blocks of frequent commits into full ones; readers before it still get each event once")
    func mergesSmallBlocks() throws {
        let dir = TemporaryDirectory()
        let directory = DataDirectory(path: dir.path + "/data")
        let writer = try StoreWriter(directory: directory)
        // 60 commits of 50 events, two sources, times interleaved across commits.
        var n = 0
        var cursors: [JournalCursor] = []
        for commit in 0..<60 {
            for k in 0..<50 {
                let source: SourceKind = k % 5 == 0 ? .cloudtrail : .k8sAudit
                _ = try writer.append(event(n, at: start + Int64((k * 60 + commit) * 1_000_000), source))
                n += 1
            }
            try writer.commit()
            cursors.append(JournalCursor(record: UInt64(commit + 2)))
        }
        try writer.close()
        let before = try StoreStatistics(directory: directory)
        let maintainer = try StoreWriter(directory: directory)
        let result = try maintainer.compact()
        try maintainer.close()
        let after = try StoreStatistics(directory: directory)
        #expect(result.blocksMerged == 120, "\(result)")
        #expect(result.blocksKept == 2)
        #expect(after.total.bytes < before.total.bytes, "\(before.total.bytes) → \(after.total.bytes)")
        // From the start, and from the middle: each event once, exactly those after the cursor.
        #expect(try arrivals(directory, after: JournalCursor(record: 1)).ns.sorted() == Array(0..<n))
        #expect(try arrivals(directory, after: cursors[29]).ns.sorted() == Array(1500..<n))
        // Merged again with a new small commit: still exact.
        let more = try StoreWriter(directory: directory)
        for k in 0..<10 { _ = try more.append(event(n + k, at: start + Int64(k))) }
        try more.close()
        let again = try StoreWriter(directory: directory)
        _ = try again.compact()
        try again.close()
        #expect(try arrivals(directory, after: cursors[29]).ns.sorted() == Array(1500..<(n + 10)))
        #expect(try arrivals(directory, after: JournalCursor(record: 1)).ns.sorted() == Array(0..<(n + 10)))
        #expect(try StoreVerifier(directory: directory).verify().isClean)
    }

    @Test("blocks removed by retention are skipped with a warning, and old journal files go after journalKeep")
    func retention() throws {
        let dir = TemporaryDirectory()
        let directory = DataDirectory(path: dir.path + "/data")
        let writer = try StoreWriter(directory: directory)
        _ = try writer.append(event(1, at: start))
        _ = try writer.append(event(2, at: start + 40 * hour))
        try writer.close()
        let maintainer = try StoreWriter(directory: directory)
        _ = try maintainer.applyRetention(try RetentionPolicy(parsing: ["1d"]), now: start + 48 * hour)
        try maintainer.close()
        let read = try arrivals(directory, after: JournalCursor(record: 1))
        #expect(read.ns == [2])
        #expect(read.warnings.contains { $0.contains("removed by retention") }, "\(read.warnings)")
    }

    @Test("a position older than the journal kept resumes at the oldest record, with a warning")
    func removedPosition() throws {
        let dir = TemporaryDirectory()
        let directory = DataDirectory(path: dir.path + "/data")
        let writer = try StoreWriter(directory: directory)
        _ = try writer.append(event(1, at: start))
        try writer.commit()
        // Start a second journal file by hand, as rotation would: its first record is 2.
        writer.journal.forceRotationForTesting()
        _ = try writer.append(event(2, at: start + 1))
        try writer.commit()
        try writer.close()
        let removed = try CommitJournal(directory: directory).removeFiles(olderThan: CommitJournal.now() + 1)
        #expect(removed == 1)
        let read = try arrivals(directory, after: JournalCursor(record: 1))
        #expect(read.ns == [2])
        #expect(read.warnings.contains { $0.contains("removed by retention") && $0.contains("oldest kept, 2") }, "\(read.warnings)")
    }

    @Test("after a crash, blocks written but never committed get a commit record of their own; committed ones are not repeated")
    func recovery() throws {
        let dir = TemporaryDirectory()
        let directory = DataDirectory(path: dir.path + "/data")
        let writer = try StoreWriter(directory: directory)
        for n in 0..<3 { _ = try writer.append(event(n, at: start + Int64(n))) }
        try writer.commit()
        for n in 3..<6 { _ = try writer.append(event(n, at: start + Int64(n))) }
        try writer.flushForTesting()
        writer.abandonForTesting()
        let before = try arrivals(directory, after: JournalCursor(record: 1))
        #expect(before.ns == [0, 1, 2])
        let reopened = try StoreWriter(directory: directory)
        try reopened.close()
        // From the start: everything once. From after the first commit: only the recovered.
        #expect(try arrivals(directory, after: JournalCursor(record: 1)).ns.sorted() == [0, 1, 2, 3, 4, 5])
        #expect(try arrivals(directory, after: before.cursor).ns.sorted() == [3, 4, 5])
    }

    @Test("a torn last record is not read, and the next writer overwrites it")
    func tornRecord() throws {
        let dir = TemporaryDirectory()
        let directory = DataDirectory(path: dir.path + "/data")
        let writer = try StoreWriter(directory: directory)
        _ = try writer.append(event(1, at: start))
        try writer.close()
        let path = directory.journalPath + "/" + FileNames.journalFile(1)
        let file = try FileHandle.openForUpdate(path)
        let size = try file.size()
        try Array("C 2 99 2026-11-24T1".utf8).withUnsafeBytes { try file.write($0, at: size) }
        file.close()
        #expect(try ArrivalReader.head(of: directory) == 1)
        let next = try StoreWriter(directory: directory)
        _ = try next.append(event(2, at: start + 1))
        try next.close()
        #expect(try ArrivalReader.head(of: directory) == 2)
        #expect(try arrivals(directory, after: JournalCursor(record: 1)).ns == [1, 2])
    }
}
