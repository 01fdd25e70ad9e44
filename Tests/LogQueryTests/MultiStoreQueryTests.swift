import AuditCore
import AuditIngest
import Foundation
import SegmentStore
import Testing
import TestSupport

@testable import LogQuery

/// Several stores queried as one (`logq --data A --data B`) against one store holding all their
/// events: for each way two stores can share hours, the counts, the counts by user and the
/// listings are the single store's, each event once. Real stores on disk, real ship and
/// compaction.
@Suite("Stores queried together")
struct MultiStoreQueryTests {
    /// 2026-11-24T09:00:00Z: three hours before the fixed now.
    static let nine = fixedNow - 3 * 3_600 * second

    /// A k8s audit event (or a CloudTrail record) whose original bytes name everything it holds.
    static func event(
        _ id: String, at time: Int64, source: SourceKind = .k8sAudit, user: String, verb: String = "get", stage: String = "ResponseComplete",
        extra: String = ""
    ) -> AuditEvent {
        let raw: String
        if source == .k8sAudit {
            raw = #"{"kind":"Event","auditID":"\#(id)","stage":"\#(stage)","verb":"\#(verb)","user":{"username":"\#(user)"},"t":\#(time)\#(extra)}"#
        } else {
            raw = #"{"eventID":"\#(id)","eventName":"\#(verb)","userIdentity":{"arn":"\#(user)"},"t":\#(time)\#(extra)}"#
        }
        return makeEvent(source: source, time: time, raw: raw, [.id: id, .stage: source == .k8sAudit ? stage : "", .user: user, .verb: verb])
    }

    /// `count` events of `cluster` from `start`, `step` ns apart: users and verbs vary.
    static func events(_ cluster: String, count: Int, from start: Int64, step: Int64, source: SourceKind = .k8sAudit) -> [AuditEvent] {
        (0..<count).map { k in
            event("\(cluster)-\(k)", at: start + Int64(k) * step, source: source, user: "user-\(k % 7)", verb: k % 5 == 0 ? "delete" : "get")
        }
    }

    /// Writes `events` into a new or existing store, `every` events per writer session (so an
    /// hour gets several segments, each of several blocks).
    static func write(_ events: [AuditEvent], into directory: DataDirectory, every: Int = 700) throws {
        for start in stride(from: 0, to: events.count, by: every) {
            let writer = try openWriter(directory)
            for (k, event) in events[start..<min(start + every, events.count)].enumerated() {
                _ = try writer.append(event)
                if k % 300 == 299 { try writer.commit() }
            }
            try writer.close()
        }
    }

    /// What a query over `stores` answers.
    struct Answers: Equatable {
        var count: [[String]]
        var byUser: [[String]]
        var deletesByUser: [[String]]
        /// The listing's events, (time, original bytes), sorted: order among equal times is
        /// storage order, which differs between stores.
        var listing: [String]
        var deletes: [String]
    }

    static func run(_ text: String, _ stores: [DataDirectory]) throws -> (events: [AuditEvent], table: ResultTable?, stats: QueryStats) {
        let executor = QueryExecutor(readers: stores.map { StoreReader(directory: $0) })
        var events: [AuditEvent] = []
        var table: ResultTable?
        let outcome = try QueryRunner(executor: executor).run(
            try Query.parse(text, now: fixedNow),
            onEvent: {
                events.append($0)
                return true
            }, onTable: { table = $0 })
        return (events, table, outcome.stats)
    }

    static func answers(_ stores: [DataDirectory]) throws -> Answers {
        func table(_ text: String) throws -> [[String]] {
            try #require(try run(text, stores).table).rows.sorted { $0.lexicographicallyPrecedes($1) }
        }
        func listing(_ text: String) throws -> [String] {
            let events = try run(text, stores).events
            for (a, b) in zip(events, events.dropFirst()) { #expect(a.time <= b.time, "listing out of time order") }
            return events.map { "\($0.time) \(String(decoding: $0.raw, as: UTF8.self))" }.sorted()
        }
        return Answers(
            count: try table("| count"), byUser: try table("| count by user"), deletesByUser: try table("verb=delete | count by user"),
            listing: try listing(""), deletes: try listing("verb=delete"))
    }

    /// Stores in a temporary folder.
    final class Folder {
        let temp = TemporaryDirectory("logq-multistore")
        func store(_ name: String) -> DataDirectory { DataDirectory(path: temp.path + "/" + name) }
    }

    /// Checks that A and B together, in both orders, answer as `all` alone, and that the
    /// answer holds `expected` events.
    static func expectSame(_ a: DataDirectory, _ b: DataDirectory, as all: DataDirectory, events expected: Int) throws {
        let single = try answers([all])
        #expect(single.listing.count == expected)
        #expect(single.count == [["\(expected)"]])
        #expect(try answers([a, b]) == single)
        #expect(try answers([b, a]) == single)
    }

    @Test("two stores of different sources in the same hours answer as one store, counts from block summaries")
    func disjointSources() throws {
        let folder = Folder()
        let (a, b, all) = (folder.store("a"), folder.store("b"), folder.store("all"))
        let k8s = Self.events("k", count: 3_000, from: Self.nine, step: 2 * second)
        let trail = Self.events("c", count: 2_000, from: Self.nine, step: 3 * second, source: .cloudtrail)
        try Self.write(k8s, into: a)
        try Self.write(trail, into: b)
        try Self.write(k8s + trail, into: all)
        try Self.expectSame(a, b, as: all, events: 5_000)
        // No block needs keys: the count is answered from summaries alone.
        let count = try Self.run("| count", [a, b])
        #expect(count.stats.eventsScanned == 0)
        #expect(count.stats.scan.blocksFromSummary > 2)
    }

    @Test("two stores of different times within the same hours answer as one store, counts from block summaries")
    func disjointTimes() throws {
        let folder = Folder()
        let (a, b, all) = (folder.store("a"), folder.store("b"), folder.store("all"))
        // Each hour's first half in A, second half in B.
        var firstHalves: [AuditEvent] = []
        var secondHalves: [AuditEvent] = []
        for hour in 0..<2 {
            let start = Self.nine + Int64(hour) * 3_600 * second
            firstHalves += Self.events("a\(hour)", count: 1_500, from: start, step: second)
            secondHalves += Self.events("b\(hour)", count: 1_500, from: start + 1_800 * second, step: second)
        }
        try Self.write(firstHalves, into: a)
        try Self.write(secondHalves, into: b)
        try Self.write(firstHalves + secondHalves, into: all)
        try Self.expectSame(a, b, as: all, events: 6_000)
        let count = try Self.run("| count", [a, b])
        #expect(count.stats.eventsScanned == 0)
    }

    @Test("two stores that ingested the same events (in different batches) answer as one store")
    func sameEvents() throws {
        let folder = Folder()
        let (a, b, all) = (folder.store("a"), folder.store("b"), folder.store("all"))
        let events = Self.events("k", count: 4_000, from: Self.nine, step: second)
            + Self.events("c", count: 1_000, from: Self.nine, step: 4 * second, source: .cloudtrail)
        try Self.write(events, into: a, every: 900)
        try Self.write(events.reversed(), into: b, every: 1_300)
        try Self.write(events, into: all)
        try Self.expectSame(a, b, as: all, events: 5_000)
    }

    @Test("a store compacted after it was shipped, with more events since, answers with its copy as alone; the copy's originals are not read")
    func compactionAfterShip() throws {
        let folder = Folder()
        let (source, copy) = (folder.store("source"), folder.store("copy"))
        let before = Self.events("k", count: 3_000, from: Self.nine, step: second)
        let after = Self.events("m", count: 2_000, from: Self.nine + 500 * second, step: second)
        try Self.write(before, into: source, every: 600)
        let shipped = try SegmentShipper(source: source, destination: copy).ship()
        #expect(shipped.shipped.count >= 4)
        try Self.write(after, into: source, every: 600)
        let writer = try openWriter(source)
        let compacted = try writer.compact()
        try writer.close()
        #expect(compacted.segmentsIn >= 4)
        try Self.expectSame(source, copy, as: source, events: 5_000)
        // The copy's segments are covered by the compacted one: nothing needs keys.
        let count = try Self.run("| count", [copy, source])
        #expect(count.stats.eventsScanned == 0)
        #expect(count.stats.scan.segments == 1)
    }

    @Test("a retention rewrite at the source after a ship does not hide the copy's events it dropped")
    func retentionAfterShip() throws {
        let folder = Folder()
        let (source, copy) = (folder.store("source"), folder.store("copy"))
        let k8s = Self.events("k", count: 2_000, from: Self.nine, step: second)
        let trail = Self.events("c", count: 1_000, from: Self.nine, step: 2 * second, source: .cloudtrail)
        try Self.write(k8s + trail, into: source, every: 600)
        _ = try SegmentShipper(source: source, destination: copy).ship()
        // CloudTrail kept for one hour only: its blocks leave the source, the copy keeps them.
        let writer = try openWriter(source)
        let retention = try writer.applyRetention(RetentionPolicy(perSource: [.cloudtrail: 3_600 * second]), now: fixedNow)
        try writer.close()
        _ = retention
        let sourceAlone = try Self.answers([source])
        #expect(sourceAlone.listing.count == 2_000)
        let both = try Self.answers([source, copy])
        #expect(both.listing.count == 3_000)
        #expect(both.count == [["3000"]])
        #expect(try Self.answers([copy]) == both)
    }

    @Test("two stores of different events in the same hours (two clusters), some with the same ID and stage, answer as one store")
    func differentEventsSameHours() throws {
        let folder = Folder()
        let (a, b, all) = (folder.store("a"), folder.store("b"), folder.store("all"))
        var one = Self.events("x", count: 3_000, from: Self.nine, step: second)
        var two = Self.events("y", count: 3_000, from: Self.nine + second / 2, step: second)
        // The same ID, stage and time in both clusters, other bytes: two events.
        for k in 0..<20 {
            let time = Self.nine + Int64(5_000 + k) * second
            one.append(Self.event("same-\(k)", at: time, user: "alice", verb: "delete", extra: #","cluster":"one""#))
            two.append(Self.event("same-\(k)", at: time, user: "alice", verb: "delete", extra: #","cluster":"two""#))
        }
        // The same event in both (a file both clusters' collectors picked up): once.
        for k in 0..<10 {
            let event = Self.event("both-\(k)", at: Self.nine + Int64(6_000 + k) * second, user: "bob", verb: "delete")
            one.append(event)
            two.append(event)
        }
        // Two events with one identity in one store (kept twice there), one of them in the other too.
        let twin = Self.event("twin", at: Self.nine + 7_000 * second, user: "carol", verb: "delete", extra: #","n":1"#)
        one += [twin, Self.event("twin", at: Self.nine + 7_000 * second, user: "carol", verb: "delete", extra: #","n":2"#)]
        two.append(twin)
        try Self.write(one, into: a)
        try Self.write(two, into: b)
        try Self.write(one + two, into: all)
        try Self.expectSame(a, b, as: all, events: 6_000 + 40 + 10 + 2)
    }
    /// The files under `root`, sorted.
    static func files(under root: String) -> [String] {
        let names = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String]) ?? []
        return names.sorted().map { root + "/" + $0 }.filter {
            var directory: ObjCBool = false
            return FileManager.default.fileExists(atPath: $0, isDirectory: &directory) && !directory.boolValue
        }
    }

    /// Ingests `paths` into `directory` as `logq ingest` does (what is not events is rejected).
    static func ingest(_ paths: [String], into directory: DataDirectory) throws {
        let writer = try openWriter(directory)
        let ingestor = Ingestor(writer: writer, onRejection: { _ in }, onInputError: { _ in })
        try ingestor.ingest(paths: paths)
        try writer.close()
    }

    @Test(
        "real events in three stores — overlapping files, one store compacted after it was shipped — answer as one store",
        .enabled(if: TestPaths.realdata != nil, "../shared/realdata is absent beside the checkout"))
    func realData() throws {
        let folder = Folder()
        let (a, copy, b, all) = (folder.store("a"), folder.store("copy"), folder.store("b"), folder.store("all"))
        // A few files of each kind (k8s audit lines and single Events, CloudTrail lookup-events
        // and Records, EMF performance events): each ingested file costs a commit, and the
        // debug build takes over a second a file here. Panther's rule tests span 119 hours.
        let files = Self.files(under: try #require(TestPaths.realdata)).filter {
            !$0.contains("/panther-analysis/") && !$0.contains("LICENSE") && !$0.hasSuffix(".yaml") && !$0.hasSuffix(".meta.jsonl")
                && (!$0.contains("/falco-k8s-audit-traces/") || $0.contains("/cloudtrail-plugin-trace/") || $0.contains("/create_cluster_role"))
        }
        try #require(files.count >= 8)
        // A: two files in three, B: two files in three; one in three in both, each in one at least.
        let first = files.indices.filter { $0 % 3 != 2 }.map { files[$0] }
        let second = files.indices.filter { $0 % 3 != 0 }.map { files[$0] }
        try Self.ingest(files, into: all)
        let expected = try Self.answers([all])
        try #require(expected.listing.count > 50)
        try Self.ingest(Array(first.prefix(first.count / 2)), into: a)
        _ = try SegmentShipper(source: a, destination: copy).ship()
        try Self.ingest(Array(first.dropFirst(first.count / 2)), into: a)
        let writer = try openWriter(a)
        _ = try writer.compact()
        try writer.close()
        try Self.ingest(second, into: b)
        #expect(try Self.answers([a, copy, b]) == expected)
        #expect(try Self.answers([b, copy, a]) == expected)
        #expect(try Self.answers([copy, a]) == Self.answers([a]))
    }
}

@Suite("Blocks that may share events across stores")
struct OverlappingBlocksTests {
    /// The pairwise definition: a block needs keys when a block of another store meets it in
    /// time and in a source.
    static func bruteForce(_ spans: [StoreSet.Span], owners: [Int]) -> [Bool]? {
        var needs = [Bool](repeating: false, count: spans.count)
        for i in spans.indices {
            for j in spans.indices where owners[i] != owners[j] && spans[i].sources & spans[j].sources != 0 {
                if spans[i].min <= spans[j].max && spans[j].min <= spans[i].max { needs[i] = true }
            }
        }
        return needs.contains(true) ? needs : nil
    }

    @Test("the sweep marks exactly the blocks the pairwise comparison marks, over 2,000 seeded hours of blocks")
    func matchesPairwise() {
        var rng = SeededGenerator(seed: 0x5EE9)
        var differ: [String] = []
        var marked = 0
        for round in 0..<2_000 {
            let count = Int.random(in: 1...40, using: &rng)
            let stores = Int.random(in: 1...3, using: &rng)
            var spans: [StoreSet.Span] = []
            var owners: [Int] = []
            for _ in 0..<count {
                let start = Int64.random(in: 0..<1_000, using: &rng)
                let width = Int64.random(in: 0..<(Bool.random(using: &rng) ? 10 : 200), using: &rng)
                // Mostly one source a block, as the writer makes them; sometimes a damaged head (all).
                let sources: UInt8 = Int.random(in: 0..<20, using: &rng) == 0 ? 0xFF : 1 << UInt8.random(in: 0..<3, using: &rng)
                spans.append(StoreSet.Span(min: start, max: start + width, sources: sources))
                owners.append(Int.random(in: 0..<stores, using: &rng))
            }
            let expected = Self.bruteForce(spans, owners: owners)
            let found = StoreSet.overlapping(spans, owners: owners)
            if found != expected { differ.append("round \(round): \(spans) \(owners)") }
            marked += expected?.filter { $0 }.count ?? 0
        }
        #expect(differ.isEmpty, "\(differ.prefix(2))")
        #expect(marked > 1_000, "the seeded hours must exercise overlaps")
    }
}
