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
