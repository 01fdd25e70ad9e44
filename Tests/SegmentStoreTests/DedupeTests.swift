import AuditCore
import Testing
import TestSupport

@testable import SegmentStore

@Suite("Dedupe")
struct DedupeTests {
    func event(id: String, stage: String = "ResponseComplete", raw: String, time: Int64 = 1_795_000_000_000_000_000) -> AuditEvent {
        var fields = FieldValues()
        fields[.id] = id
        fields[.stage] = stage
        return AuditEvent(time: time, source: .k8sAudit, fields: fields, raw: Array(raw.utf8))
    }

    @Test("the same ID and content is a duplicate, the same ID with other content is a kept conflict")
    func outcomes() throws {
        let dir = TemporaryDirectory()
        let writer = try StoreWriter(directory: DataDirectory(path: dir.path))
        #expect(try writer.append(event(id: "a", raw: "{\"x\":1}")) == .stored)
        #expect(try writer.append(event(id: "a", raw: "{\"x\":1}")) == .duplicate)
        #expect(try writer.append(event(id: "a", raw: "{\"x\":2}")) == .idConflict)
        #expect(try writer.append(event(id: "a", stage: "RequestReceived", raw: "{\"x\":1}")) == .stored)
        try writer.close()
        #expect(writer.stats.stored == 3)
        #expect(writer.stats.duplicates == 1)
        #expect(writer.stats.idConflicts == 1)
    }

    @Test("events stored by an earlier writer are found as duplicates by the next one")
    func acrossRuns() throws {
        let dir = TemporaryDirectory()
        let directory = DataDirectory(path: dir.path)
        let events = (0..<100).map { event(id: "id-\($0)", raw: "{\"n\":\($0)}", time: 1_795_000_000_000_000_000 + Int64($0) * 60_000_000_000) }
        let first = try StoreWriter(directory: directory)
        for e in events { #expect(try first.append(e) == .stored) }
        try first.close()
        let second = try StoreWriter(directory: directory)
        for e in events { #expect(try second.append(e) == .duplicate) }
        #expect(try second.append(event(id: "id-5", raw: "{\"n\":\"changed\"}", time: events[5].time)) == .idConflict)
        try second.close()
        let (read, _) = try readAll(directory)
        #expect(read.count == 101)
    }
}

@Suite("Idle partitions released")
struct IdlePartitionTests {
    let hour: Int64 = 3_600_000_000_000
    let base: Int64 = 1_795_000_000_000_000_000 / 3_600_000_000_000 * 3_600_000_000_000

    func event(_ id: String, at time: Int64) -> AuditEvent {
        var fields = FieldValues()
        fields[.id] = id
        fields[.stage] = "ResponseComplete"
        return AuditEvent(time: time, source: .k8sAudit, fields: fields, raw: Array("{\"id\":\"\(id)\"}".utf8))
    }

    @Test("an idle hour is sealed and let go; its later events are deduped against disk and land in a new segment; the chain verifies")
    func releaseAndReopen() throws {
        let dir = TemporaryDirectory()
        let directory = DataDirectory(path: dir.path)
        let writer = try StoreWriter(directory: directory)
        for k in 0..<50 { #expect(try writer.append(event("a\(k)", at: base + Int64(k))) == .stored) }
        try writer.commit()
        // Nothing is released while the hour was written to in the last commit…
        #expect(try writer.releaseIdlePartitions(idleSeconds: 3600) == 0)
        #expect(writer.openPartitions == 1)
        // …and an hour with no event since the last commit goes once it is idle long enough.
        #expect(try writer.append(event("b0", at: base + hour)) == .stored)
        try writer.commit()
        try writer.commit()
        #expect(try writer.releaseIdlePartitions(idleSeconds: 0) == 2)
        #expect(writer.openPartitions == 0)
        #expect(writer.stats.partitionsReleased == 2)
        let sealed = try FileHandle.listDirectory(directory.partitionPath(FileNames.partition(containing: base))) ?? []
        #expect(sealed.filter { FileNames.segmentSequence($0) != nil }.count == 1)

        // Late events for the released hour: the stored ones are duplicates (IDs read back
        // from disk), the new ones go to a second segment of the hour.
        #expect(try writer.append(event("a7", at: base + 7)) == .duplicate)
        #expect(try writer.append(event("a50", at: base + 50)) == .stored)
        try writer.close()
        let after = try FileHandle.listDirectory(directory.partitionPath(FileNames.partition(containing: base))) ?? []
        #expect(after.filter { FileNames.segmentSequence($0) != nil }.count == 2)
        let (read, _) = try readAll(directory)
        #expect(read.count == 52)
        #expect(Set(read.map { String(decoding: $0.raw, as: UTF8.self) }).count == 52)
        #expect(try StoreReader(directory: directory).integrityProblems().isEmpty)
    }
}
