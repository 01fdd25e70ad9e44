import AuditCore
import Testing
import TestSupport

@testable import SegmentStore

/// Reads every event of a store, in partition then storage order.
func readAll(_ directory: DataDirectory) throws -> (events: [AuditEvent], report: ScanReport) {
    let reader = StoreReader(directory: directory)
    var events: [AuditEvent] = []
    var total = ScanReport()
    for partition in try reader.partitions() {
        let report = try reader.scan(partition: partition) { events.append($0); return true }
        total.problems += report.problems
        total.tornSegments += report.tornSegments
        total.blocksRead += report.blocksRead
    }
    return (events, total)
}

func sortedForComparison(_ events: [AuditEvent]) -> [AuditEvent] {
    events.sorted { a, b in
        if a.time != b.time { return a.time < b.time }
        return a.raw.lexicographicallyPrecedes(b.raw)
    }
}

@Suite("Store round trip")
struct StoreRoundTripTests {
    @Test("seeded random events come back with every field and their raw bytes", arguments: [11, 12, 13])
    func roundTrip(seed: UInt64) throws {
        let dir = TemporaryDirectory()
        let directory = DataDirectory(path: dir.path + "/data")
        var rng = SeededGenerator(seed: seed)
        // More than one block per partition (4,096 events per block) and several partitions.
        let events = (0..<9_000).map { _ in EventBuilder.random(using: &rng, hours: 3) }
        let writer = try StoreWriter(directory: directory)
        for event in events { _ = try writer.append(event) }
        try writer.close()
        #expect(writer.stats.stored + writer.stats.duplicates == events.count)

        let (read, report) = try readAll(directory)
        #expect(report.problems.isEmpty)
        #expect(report.tornSegments == 0)
        // Random raw bytes can repeat only by chance; dedupe may drop exact repeats, so compare
        // against the unique set.
        var seen = Set<[UInt8]>()
        let unique = events.filter { seen.insert($0.raw + withUnsafeBytes(of: $0.identityKey) { Array($0) }).inserted }
        let same = sortedForComparison(read) == sortedForComparison(unique)
        #expect(same, "events read differ from events written")
        let partitions = try StoreReader(directory: directory).partitions()
        #expect(partitions.count >= 3)
        for partition in partitions {
            let report = try StoreReader(directory: directory).scan(partition: partition) { event in
                #expect(event.time >= partition.start && event.time <= partition.end)
                return true
            }
            #expect(report.problems.isEmpty)
        }
    }

    @Test("each partition is an hour of event time named like 2026-11-24T12")
    func partitionNames() throws {
        let dir = TemporaryDirectory()
        let directory = DataDirectory(path: dir.path)
        let writer = try StoreWriter(directory: directory)
        let t = try #require(Timestamp.parse("2026-11-24T12:34:56.789Z"))
        _ = try writer.append(AuditEvent(time: t, source: .k8sAudit, raw: Array("{}".utf8)))
        _ = try writer.append(AuditEvent(time: t - Timestamp.nanosPerHour, source: .cloudtrail, raw: Array("{\"a\":1}".utf8)))
        try writer.close()
        let names = try StoreReader(directory: directory).partitions().map(\.name)
        #expect(names == ["2026-11-24T11", "2026-11-24T12"])
    }

    @Test("a second writer cannot open a store while the first holds the lock")
    func singleWriter() throws {
        let dir = TemporaryDirectory()
        let directory = DataDirectory(path: dir.path)
        let first = try StoreWriter(directory: directory)
        #expect(throws: StoreError.self) { _ = try StoreWriter(directory: directory) }
        try first.close()
        let again = try StoreWriter(directory: directory)
        try again.close()
    }
}
