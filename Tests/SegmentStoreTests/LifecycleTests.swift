import AuditCore
import Testing
import TestSupport

@testable import SegmentStore

@Suite("Retention, compaction, recovery, statistics")
struct LifecycleTests {
    let hour = Timestamp.nanosPerHour
    let start: Int64 = 1_794_999_600_000_000_000

    func event(_ source: SourceKind, _ time: Int64, _ n: Int) -> AuditEvent {
        var fields = FieldValues()
        fields[.id] = "\(source.name)-\(n)"
        return AuditEvent(time: time, source: source, fields: fields, raw: Array("{\"n\":\(n),\"s\":\"\(source.name)\"}".utf8))
    }

    @Test("retention per source: expired sources leave, others stay, whole hours go when all expired")
    func retentionPerSource() throws {
        let dir = TemporaryDirectory()
        let directory = DataDirectory(path: dir.path + "/data")
        let writer = try StoreWriter(directory: directory)
        // Hour 0: cloudtrail + k8s; hour 1: k8s only; hour 40: k8s + perf.
        for n in 0..<10 {
            _ = try writer.append(event(.cloudtrail, start + Int64(n), n))
            _ = try writer.append(event(.k8sAudit, start + Int64(n), n))
            _ = try writer.append(event(.k8sAudit, start + hour + Int64(n), 100 + n))
            _ = try writer.append(event(.k8sAudit, start + 40 * hour + Int64(n), 200 + n))
            _ = try writer.append(event(.perf, start + 40 * hour + Int64(n), 300 + n))
        }
        try writer.close()
        // Now = 48 h after start: keep k8s 24 h, perf 1 h, cloudtrail forever.
        let policy = try RetentionPolicy(parsing: ["k8s-audit=1d,perf=1h"])
        let maintainer = try StoreWriter(directory: directory)
        let report = try maintainer.applyRetention(policy, now: start + 48 * hour)
        try maintainer.close()
        // Hour 1 (k8s only, 47 h old) goes whole; hour 0 loses k8s, hour 40 loses perf.
        #expect(report.partitionsDropped == 1)
        #expect(report.partitionsTrimmed == 2)
        #expect(report.eventsDropped == 30)
        let stats = try StoreStatistics(directory: directory)
        #expect(stats.eventsBySource[.cloudtrail] == 10)
        #expect(stats.eventsBySource[.k8sAudit] == 10)
        #expect(stats.eventsBySource[.perf] == nil)
        #expect(try StoreVerifier(directory: directory).verify().isClean)
    }

    @Test("retention specs parse, and bad ones say what is wrong")
    func policyParsing() throws {
        let policy = try RetentionPolicy(parsing: ["30d", "cloudtrail=3y,perf=14d"])
        #expect(policy.defaultKeep == 30 * 24 * hour)
        #expect(policy.keep(SourceKind.cloudtrail.rawValue) == 3 * 365 * 24 * hour)
        #expect(policy.keep(SourceKind.k8sAudit.rawValue) == 30 * 24 * hour)
        #expect(throws: RetentionPolicyError.self) { try RetentionPolicy(parsing: ["cloudtrial=3y"]) }
        #expect(throws: RetentionPolicyError.self) { try RetentionPolicy(parsing: ["perf=soon"]) }
        #expect(throws: RetentionPolicyError.self) { try RetentionPolicy(parsing: ["0d"]) }
    }

    @Test("an unsealed segment of a crashed writer is sealed into the chain by the next writer, torn tail dropped")
    func recoversCrashedWriter() throws {
        let dir = TemporaryDirectory()
        let directory = DataDirectory(path: dir.path + "/data")
        let first = try StoreWriter(directory: directory)
        for n in 0..<50 { _ = try first.append(event(.k8sAudit, start + Int64(n), n)) }
        try first.commit()
        // The writer "crashes": committed but never closed, plus half a frame of garbage.
        let segment = try #require(try StoreReader(directory: directory).partitions().first.map { try StoreReader(directory: directory).segments(of: $0) }?.first)
        let file = try FileHandle.openForUpdate(segment)
        try [0x4C, 0x51, 0x42, 0x4B, 0xFF, 0x00].withUnsafeBytes { try file.write($0, at: try file.size()) }
        file.close()
        first.abandonForTesting()
        let second = try StoreWriter(directory: directory)
        #expect(second.recovery.segmentsRecovered == 1)
        #expect(second.recovery.blocksRecovered == 1)
        try second.close()
        #expect(try storedKeys(directory).count == 50)
        let report = try StoreVerifier(directory: directory).verify()
        #expect(report.isClean, "\(report.problems)")
        #expect(try StoreStatistics(directory: directory).total.unsealed == 0)
    }

    @Test("statistics count partitions, segments, blocks, events and sources from headers")
    func statistics() throws {
        let dir = TemporaryDirectory()
        let directory = DataDirectory(path: dir.path + "/data")
        let writer = try StoreWriter(directory: directory)
        for n in 0..<30 { _ = try writer.append(event(.cloudtrail, start + Int64(n), n)) }
        for n in 0..<20 { _ = try writer.append(event(.k8sAudit, start + hour + Int64(n), n)) }
        try writer.close()
        let stats = try StoreStatistics(directory: directory)
        #expect(stats.partitions.map(\.name) == [Timestamp.hourName(start), Timestamp.hourName(start + hour)])
        #expect(stats.partitions.count == 2)
        #expect(stats.total.segments == 2)
        #expect(stats.total.blocks == 2)
        #expect(stats.total.events == 50)
        #expect(stats.eventsBySource == [.cloudtrail: 30, .k8sAudit: 20])
        #expect(stats.total.bytes > 0 && stats.total.columnBytes > 0)
        #expect(stats.chainEntries == 2)
    }
}
