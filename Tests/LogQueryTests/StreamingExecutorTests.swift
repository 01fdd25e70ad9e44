import AuditCore
import SegmentStore
import Testing
import TestSupport

@testable import LogQuery

/// The executor streams a partition in rounds of blocks; these check that the order stays
/// exact when blocks of several segments overlap in time, and that a stop ends the scan early.
@Suite("Streaming executor")
struct StreamingExecutorTests {
    /// One partition, three ingests whose events interleave in time: many blocks that overlap.
    final class Store {
        let temp = TemporaryDirectory("logq-streaming")
        let directory: DataDirectory
        let total: Int

        init() throws {
            directory = DataDirectory(path: temp.path + "/data")
            var n = 0
            for ingest in 0..<3 {
                let writer = try openWriter(directory)
                for k in 0..<9_000 {
                    // Times 0, 3, 6… for the first ingest, 1, 4, 7… for the second: interleaved;
                    // the third repeats the first's times (ties across segments).
                    let step = ingest == 2 ? 0 : ingest
                    let time = fixedNow + Int64(k * 3 + step) * 100_000_000
                    let id = "\(ingest)-\(k)"
                    _ = try writer.append(makeEvent(time: time, raw: #"{"auditID":"\#(id)"}"#, [.id: id, .verb: k % 7 == 0 ? "delete" : "get", .stage: "x"]))
                    n += 1
                    if k % 2_500 == 2_499 { try writer.commit() }
                }
                try writer.close()
            }
            total = n
        }
    }

    @Test("events come out in time order, ties in storage order, across overlapping blocks")
    func order() throws {
        let store = try Store()
        var events: [AuditEvent] = []
        let stats = try QueryExecutor(reader: StoreReader(directory: store.directory)).run(Query()) {
            events.append($0)
            return true
        }
        #expect(events.count == store.total)
        #expect(stats.scan.blocksDecoded > QueryExecutor.defaultWorkers * QueryExecutor.blocksPerWorkerPerRound)
        for (a, b) in zip(events, events.dropFirst()) {
            #expect(a.time <= b.time)
            if a.time == b.time { #expect(a.fields[.id] < b.fields[.id]) }  // "0-…" stored before "2-…"
        }
    }

    @Test("a filtered stream is the filtered full stream")
    func filtered() throws {
        let store = try Store()
        let executor = QueryExecutor(reader: StoreReader(directory: store.directory))
        var all: [String] = []
        try executor.run(Query()) {
            if $0.fields[.verb] == "delete" { all.append($0.fields[.id]) }
            return true
        }
        var deletes: [String] = []
        try executor.run(try Query.parse("verb=delete", now: fixedNow)) {
            deletes.append($0.fields[.id])
            return true
        }
        #expect(deletes == all)
    }

    @Test("stopping after the first events ends the scan before every block is decoded")
    func stopsEarly() throws {
        let store = try Store()
        var seen = 0
        let stats = try QueryExecutor(reader: StoreReader(directory: store.directory)).run(Query()) { _ in
            seen += 1
            return seen < 5
        }
        #expect(seen == 5)
        #expect(stats.eventsMatched == 5)
        #expect(stats.scan.blocksDecoded < stats.scan.blocksRead)
    }
}
