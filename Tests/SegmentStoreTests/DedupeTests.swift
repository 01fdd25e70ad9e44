import AuditCore
import Foundation
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

@Suite("Dedupe memory by minute")
struct DedupeByMinuteTests {
    let minute: Int64 = 60_000_000_000
    let base: Int64 = 1_795_000_000_000_000_000 / 3_600_000_000_000 * 3_600_000_000_000

    func event(_ id: String, at time: Int64, content: String? = nil) -> AuditEvent {
        var fields = FieldValues()
        fields[.id] = id
        fields[.stage] = "ResponseComplete"
        return AuditEvent(time: time, source: .k8sAudit, fields: fields, raw: Array("{\"id\":\"\(id)\",\"c\":\"\(content ?? id)\"}".utf8))
    }

    /// `perMinute` events in each of `minutes` minutes of the hour, ids `prefix-m-k`.
    func events(_ prefix: String, minutes: Range<Int>, perMinute: Int) -> [AuditEvent] {
        minutes.flatMap { m in (0..<perMinute).map { k in event("\(prefix)-\(m)-\(k)", at: base + Int64(m) * minute + Int64(k) * 1_000_000) } }
    }

    @Test("released minutes are read back from disk (the open segment included): a re-sent event is a duplicate, a new one is stored")
    func releaseAndReload() throws {
        let dir = TemporaryDirectory()
        let directory = DataDirectory(path: dir.path)
        let writer = try StoreWriter(directory: directory)
        writer.loadsIdentitiesByMinute = true
        let first = events("a", minutes: 0..<10, perMinute: 300)
        for e in first { #expect(try writer.append(e) == .stored) }
        try writer.commit()
        // Nothing is idle for an hour; everything is idle for 0 s.
        #expect(try writer.releaseIdleIdentities(idleSeconds: 3600) == 0)
        #expect(writer.identitiesHeld == 3000)
        #expect(try writer.releaseIdleIdentities(idleSeconds: 0) == 60, "the ten minutes written and the fifty empty ones")
        #expect(writer.identitiesHeld == 0)
        #expect(writer.openPartitions == 1, "the partition and its open segment stay")

        // A re-sent batch of minutes 2 and 7: duplicates, read from the open segment's blocks.
        var outcomes: [AppendOutcome] = []
        for e in first where e.time / minute % 60 == 2 || e.time / minute % 60 == 7 { outcomes.append(try writer.append(e)) }
        #expect(outcomes.count == 600 && outcomes.allSatisfy { $0 == .duplicate })
        #expect(writer.stats.identityMinutesLoaded == 2)
        #expect(writer.identitiesHeld == 600, "only the two minutes read back")
        // Same ID with other bytes in a reloaded minute: a kept conflict; a new ID: stored.
        #expect(try writer.append(event("a-2-5", at: first[605].time, content: "other")) == .idConflict)
        #expect(try writer.append(event("new-7", at: base + 7 * minute + 999)) == .stored)
        try writer.close()
        let (read, report) = try readAll(directory)
        #expect(report.problems.isEmpty)
        #expect(read.count == 3002)
        #expect(Set(read.map(\.raw)).count == 3002)
    }

    @Test("a writer that loads by minute reads back only the minutes its events need; the answers are those of a writer that loads the hour")
    func lazyAfterRestartMatchesEager() throws {
        let dir = TemporaryDirectory()
        let directory = DataDirectory(path: dir.path)
        let stored = events("s", minutes: 0..<60, perMinute: 50)
        let writer = try StoreWriter(directory: directory)
        for e in stored { try writer.append(e) }
        try writer.close()

        // A mix: re-sent events of minutes 3 and 40, new ones of minute 40 and 59.
        let mix = stored.filter { [3, 40].contains(Int($0.time / minute % 60)) } + events("n", minutes: 40..<41, perMinute: 20)
            + events("n", minutes: 59..<60, perMinute: 5)
        var answers: [[AppendOutcome]] = []
        for byMinute in [true, false] {
            let copy = TemporaryDirectory()
            try FileManager.default.copyItem(atPath: dir.path, toPath: copy.path + "/store")
            let again = try StoreWriter(directory: DataDirectory(path: copy.path + "/store"))
            again.loadsIdentitiesByMinute = byMinute
            answers.append(try mix.map { try again.append($0) })
            if byMinute {
                #expect(again.stats.identityMinutesLoaded == 3)
                #expect(again.identitiesHeld == 50 + 50 + 20 + 50 + 5)
            } else {
                #expect(again.stats.identityMinutesLoaded == 0)
                #expect(again.identitiesHeld == 3000 + 25)
            }
            try again.close()
        }
        #expect(answers[0] == answers[1])
        #expect(answers[0].filter { $0 == .duplicate }.count == 100)
        #expect(answers[0].filter { $0 == .stored }.count == 25)
    }

    @Test("an hour written minute after minute, released as it goes, holds about one minute of IDs, and every re-send is still caught")
    func boundedWhileWriting() throws {
        let dir = TemporaryDirectory()
        let directory = DataDirectory(path: dir.path)
        let writer = try StoreWriter(directory: directory)
        writer.loadsIdentitiesByMinute = true
        var most = 0
        for m in 0..<60 {
            for e in events("w", minutes: m..<(m + 1), perMinute: 200) { #expect(try writer.append(e) == .stored) }
            try writer.commit()
            most = max(most, writer.identitiesHeld)
            // Idle for 0 s: every minute goes (a server keeps those of the last minute or so);
            // the next minute is then read from disk, where it has nothing yet.
            try writer.releaseIdleIdentities(idleSeconds: 0)
            #expect(writer.identitiesHeld == 0)
        }
        #expect(most == 200, "held \(most) IDs at most")
        #expect(writer.stats.identityMinutesLoaded == 59)
        // Every fifth minute re-sent at the end: all duplicates.
        let resent = events("w", minutes: 0..<60, perMinute: 200).enumerated().filter { $0.offset % 1000 < 200 }.map(\.element)
        #expect(try resent.allSatisfy { try writer.append($0) == .duplicate })
        try writer.close()
        #expect(try readAll(directory).events.count == 12_000)
    }
}
