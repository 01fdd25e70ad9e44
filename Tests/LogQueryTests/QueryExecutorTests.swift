import AuditCore
import LogQuery
import SegmentStore
import Testing
import TestSupport

/// A real store on disk with two partitions (12:00 and 13:00 on 2026-11-24) and two segments in
/// each (two ingests), laid out as:
///
///     2026-11-24T12/000001.seg   block A [e1 12:10]          block B [e2 12:40]
///     2026-11-24T12/000002.seg   block C [e4 12:20, e5 12:50]
///     2026-11-24T13/000001.seg   block D [e3 13:05, g 13:30]
///     2026-11-24T13/000002.seg   block E [f 13:30]
@Suite("QueryExecutor")
struct QueryExecutorTests {
    final class Store {
        let temp = TemporaryDirectory("logq-query-executor")
        let directory: DataDirectory
        let events: [String: AuditEvent]

        init() throws {
            directory = DataDirectory(path: temp.path + "/data")
            func event(_ id: String, minute: Int, user: String, verb: String) -> AuditEvent {
                makeEvent(
                    source: .k8sAudit, time: fixedNow + Int64(minute) * 60 * second, raw: #"{"auditID":"\#(id)"}"#,
                    [.id: id, .user: user, .verb: verb, .stage: "ResponseComplete"])
            }
            let all = [
                event("e1", minute: 10, user: "alice", verb: "get"),
                event("e2", minute: 40, user: "bob", verb: "delete"),
                event("e3", minute: 65, user: "alice", verb: "delete"),
                event("g", minute: 90, user: "carol", verb: "list"),
                event("e4", minute: 20, user: "bob", verb: "get"),
                event("e5", minute: 50, user: "alice", verb: "delete"),
                event("f", minute: 90, user: "dave", verb: "get"),
            ]
            events = Dictionary(uniqueKeysWithValues: all.map { ($0.fields[.id], $0) })

            // First ingest: a commit between e1 and e2 makes two blocks in one segment.
            let firstIngest = try openWriter(directory)
            #expect(try firstIngest.append(events["e1"]!) == .stored)
            try firstIngest.commit()
            for id in ["e2", "e3", "g"] { #expect(try firstIngest.append(events[id]!) == .stored) }
            try firstIngest.close()
            // Second ingest: a new segment in each partition.
            let secondIngest = try openWriter(directory)
            for id in ["e4", "e5", "f"] { #expect(try secondIngest.append(events[id]!) == .stored) }
            try secondIngest.close()
        }

        deinit { temp.remove() }

        /// Runs `query` and returns the ids of the events emitted, in order, and the stats.
        func run(_ query: String, stopAfter: Int = .max) throws -> (ids: [String], events: [AuditEvent], stats: QueryStats) {
            let parsed = try Query.parse(query, now: fixedNow)
            var out: [AuditEvent] = []
            let stats = try QueryExecutor(reader: StoreReader(directory: directory)).run(parsed) { event in
                out.append(event)
                return out.count < stopAfter
            }
            return (out.map { $0.fields[.id] }, out, stats)
        }
    }

    @Test("the store has the layout the other tests rely on")
    func layout() throws {
        let store = try Store()
        let reader = StoreReader(directory: store.directory)
        let partitions = try reader.partitions()
        #expect(partitions.map(\.name) == ["2026-11-24T12", "2026-11-24T13"])
        for partition in partitions {
            #expect(try reader.segments(of: partition).map { String($0.split(separator: "/").last!) } == ["000001.seg", "000002.seg"])
        }
    }

    @Test("an empty query returns every event in time order across partitions and segments, ties in storage order")
    func everything() throws {
        let store = try Store()
        let result = try store.run("")
        #expect(result.ids == ["e1", "e4", "e2", "e5", "e3", "g", "f"])
        // Events come back whole: time, source, fields and original bytes.
        #expect(result.events.first == store.events["e1"])
        #expect(result.events.last == store.events["f"])
        let stats = result.stats
        #expect(stats.scan.partitions == 2)
        #expect(stats.scan.segments == 4)
        #expect(stats.scan.blocksRead == 5)
        #expect(stats.scan.blocksSkipped == 0)
        #expect(stats.scan.blocksDecoded == 5)
        #expect(stats.scan.problems.isEmpty)
        #expect(stats.scan.tornSegments == 0)
        #expect(stats.eventsScanned == 7)
        #expect(stats.eventsMatched == 7)
    }

    @Test(
        "filters select events and keep time order",
        arguments: [
            ("user=alice", ["e1", "e5", "e3"]),
            ("verb=delete or verb=list", ["e2", "e5", "e3", "g"]),
            ("not verb=get user!=carol", ["e2", "e5", "e3"]),
            (#"'"auditID":"g"'"#, ["g"]),
            ("user=nobody", []),
        ] as [(String, [String])])
    func filters(query: String, ids: [String]) throws {
        let store = try Store()
        let result = try store.run(query)
        #expect(result.ids == ids)
        // Every block is either decoded or skipped by its value sets, never both.
        #expect(result.stats.scan.blocksDecoded + result.stats.scan.blocksPruned == 5)
        #expect(result.stats.eventsScanned <= 7)
        #expect(result.stats.eventsMatched == ids.count)
        if ids.isEmpty {
            // No block holds user=nobody: all five are skipped undecompressed.
            #expect(result.stats.scan.blocksPruned == 5)
            #expect(result.stats.eventsScanned == 0)
        }
    }

    @Test("a window inside one hour reads one partition and skips the block outside it")
    func windowSkipsBlocks() throws {
        let store = try Store()
        let result = try store.run("since=2026-11-24T12:30:00Z until=2026-11-24T12:45:00Z")
        #expect(result.ids == ["e2"])
        let stats = result.stats
        #expect(stats.scan.partitions == 1)
        #expect(stats.scan.segments == 2)
        #expect(stats.scan.blocksRead == 3)
        #expect(stats.scan.blocksSkipped == 1)  // block A ends at 12:10
        #expect(stats.scan.blocksDecoded == 2)  // B, and C which spans 12:20–12:50
        #expect(stats.eventsScanned == 3)  // e2, e4, e5
        #expect(stats.eventsMatched == 1)
    }

    @Test("since is inclusive and skips whole blocks and partitions before it")
    func sinceInclusive() throws {
        let store = try Store()
        let result = try store.run("since=2026-11-24T13:30:00Z")
        #expect(result.ids == ["g", "f"])
        #expect(result.stats.scan.partitions == 1)
        #expect(result.stats.scan.blocksSkipped == 0)
        #expect(result.stats.eventsScanned == 3)  // e3 is in block D with g, then dropped by time

        let deletes = try store.run("verb=delete since=2026-11-24T12:45:00Z")
        #expect(deletes.ids == ["e5", "e3"])
        #expect(deletes.stats.scan.partitions == 2)
        #expect(deletes.stats.scan.blocksSkipped == 2)  // A (12:10) and B (12:40)
        // Of the other three, the one without any delete is skipped by its value set.
        #expect(deletes.stats.scan.blocksDecoded == 2)
        #expect(deletes.stats.scan.blocksPruned == 1)
    }

    @Test("until is exclusive and leaves out the partitions after it")
    func untilExclusive() throws {
        let store = try Store()
        let result = try store.run("until=2026-11-24T13:00:00Z")
        #expect(result.ids == ["e1", "e4", "e2", "e5"])
        #expect(result.stats.scan.partitions == 1)
        let exact = try store.run("until=2026-11-24T12:40:00Z")
        #expect(exact.ids == ["e1", "e4"])  // e2 at exactly 12:40 is excluded
        #expect(exact.stats.scan.blocksSkipped == 1)  // B starts at 12:40
    }

    @Test("durations count back from now")
    func relativeWindow() throws {
        let store = try Store()
        // now is 12:00: since=1h is 11:00, and every event is at or after 12:10.
        #expect(try store.run("since=1h").ids.count == 7)
        #expect(try store.run("since=1h until=now").ids == [])
        #expect(try store.run("until=30m").stats.scan.partitions == 0)
    }

    @Test("events carry the parts asked for: fields alone, original bytes alone, or both, in the same order")
    func eventParts() throws {
        let store = try Store()
        let parsed = try Query.parse("verb=delete,get", now: fixedNow)
        func run(_ parts: EventParts) throws -> [AuditEvent] {
            var out: [AuditEvent] = []
            try QueryExecutor(reader: StoreReader(directory: store.directory)).run(parsed, parts: parts) { out.append($0); return true }
            return out
        }
        let all = try run(.all)
        #expect(all.map { $0.fields[.id] } == ["e1", "e4", "e2", "e5", "e3", "f"])
        let fieldsOnly = try run(.fields)
        #expect(fieldsOnly.map(\.fields) == all.map(\.fields))
        #expect(fieldsOnly.map(\.time) == all.map(\.time))
        #expect(fieldsOnly.allSatisfy { $0.raw.isEmpty })
        let rawOnly = try run(.raw)
        #expect(rawOnly.map(\.raw) == all.map(\.raw))
        #expect(rawOnly.allSatisfy { $0.fields[.id].isEmpty })
        #expect(all.allSatisfy { $0.raw == store.events[$0.fields[.id]]!.raw })
    }

    @Test("a query plans the event parts its pipes and output need", arguments: [
        ("verb=delete", false, EventParts.all), ("verb=delete", true, .raw), ("verb=delete | head 3", true, .raw),
        ("verb=delete | fields id user", false, .fields), ("verb=delete | fields id user | tail 2", true, .fields),
        ("verb=delete | fields id objectRef.name", false, .all), ("verb=delete | sort by user", true, .all),
        ("verb=delete | count by user", false, .all),
    ] as [(String, Bool, EventParts)])
    func plannedParts(query: String, rawOnly: Bool, expected: EventParts) throws {
        let parsed = try Query.parse(query, now: fixedNow)
        #expect(QueryRunner.eventParts(parsed, printsRawOnly: rawOnly) == expected)
    }

    @Test("returning false from emit stops the run")
    func stopsEarly() throws {
        let store = try Store()
        let result = try store.run("", stopAfter: 2)
        #expect(result.ids == ["e1", "e4"])
        #expect(result.stats.eventsMatched == 2)
        #expect(result.stats.scan.partitions == 1)
    }

    @Test("a store with no partitions folder yields nothing")
    func emptyStore() throws {
        let temp = TemporaryDirectory("logq-query-empty")
        defer { temp.remove() }
        let reader = StoreReader(directory: DataDirectory(path: temp.path + "/missing"))
        var count = 0
        let stats = try QueryExecutor(reader: reader).run(try Query.parse("", now: fixedNow)) { _ in
            count += 1
            return true
        }
        #expect(count == 0)
        #expect(stats.scan.partitions == 0)
        #expect(stats.eventsScanned == 0)
    }
}

@Suite("QueryExecutor: damaged columns")
struct DamagedColumnTests {
    @Test("a block whose user column fails its CRC is reported with segment and offset and skipped, not read as empty")
    func damagedColumnIsReported() throws {
        let temp = TemporaryDirectory("logq-damaged-column")
        let directory = DataDirectory(path: temp.path + "/data")
        let writer = try openWriter(directory)
        for n in 0..<40 {
            let id = "d\(n)"
            _ = try writer.append(
                makeEvent(
                    source: .k8sAudit, time: fixedNow + Int64(n) * second, raw: #"{"auditID":"\#(id)"}"#,
                    [.id: id, .user: n % 2 == 0 ? "alice" : "bob", .verb: "get"]))
        }
        try writer.close()
        let partition = try #require(try StoreReader(directory: directory).partitions().first)
        let segment = try #require(try StoreReader(directory: directory).segments(of: partition).first)
        // Find the user column's payload: header, summary, directory (13 B per column), head CRC.
        var bytes = try readAll(segment)
        let body = SegmentFormat.headerSize + SegmentFormat.frameHeaderSize
        func u32(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 }
        let summaryLength = u32(body + BlockHeader.size)
        let directoryStart = body + BlockHeader.size + 4 + summaryLength + 2
        let columns = Int(bytes[directoryStart - 2]) | Int(bytes[directoryStart - 1]) << 8
        var payload = directoryStart + columns * 13 + 4
        let userColumn = 1 + Field.user.rawValue
        for k in 0..<userColumn { payload += u32(directoryStart + k * 13 + 1) }
        #expect(u32(directoryStart + userColumn * 13 + 1) > 0, "the user column has a payload")
        bytes[payload] ^= 0xFF
        try writeAll(segment, bytes)

        let parsed = try Query.parse("user=alice", now: fixedNow)
        var matched = 0
        let stats = try QueryExecutor(reader: StoreReader(directory: directory)).run(parsed) { _ in
            matched += 1
            return true
        }
        #expect(matched == 0)
        let problem = try #require(stats.scan.problems.first)
        #expect(problem.path == segment)
        #expect(problem.offset == SegmentFormat.headerSize)
        #expect(problem.message.contains("block skipped"), "\(problem.message)")
    }
}

private func readAll(_ path: String) throws -> [UInt8] {
    let file = try SegmentStore.FileHandle.openForReading(path)
    var bytes: [UInt8] = []
    try file.read(into: &bytes, count: try file.size(), at: 0)
    return bytes
}

private func writeAll(_ path: String, _ bytes: [UInt8]) throws {
    let file = try SegmentStore.FileHandle.openForUpdate(path)
    try bytes.withUnsafeBytes { try file.write($0, at: 0) }
    file.close()
}
