import AuditCore
import LogQuery
import SegmentStore
import Testing

/// `count` / `count by f` / `top` over blocks that match whole are answered from the blocks'
/// per-value counts; the answers must equal counting the events one by one.
@Suite("Aggregates from block summaries")
struct SummaryCountTests {
    let store = FixtureStore.shared

    /// Counts per value of `field` over the events `filter` returns, the slow way.
    func tally(_ filter: String, _ field: Field) throws -> [String: Int] {
        var out: [String: Int] = [:]
        for event in try store.run(filter).events { out[event.fields[field], default: 0] += 1 }
        return out
    }

    func counts(_ table: ResultTable) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: table.rows.map { ($0[1], Int($0[0])!) })
    }

    @Test(
        "count by a summarized field equals counting events, and whole blocks are not decompressed",
        arguments: [
            ("source=k8s-audit", Field.user), ("source=cloudtrail", .error), ("source=cloudtrail", .event),
            ("verb=delete,get,list,create,update,patch,watch", .verb), ("not source=cloudtrail", .resource),
        ])
    func countBy(filter: String, field: Field) throws {
        let result = try store.run("\(filter) | count by \(field.name)")
        let table = try #require(result.table)
        #expect(counts(table) == (try tally(filter, field)))
        #expect(result.outcome.stats.scan.blocksFromSummary > 0, "\(filter): no block answered from its summary")
    }

    @Test("a plain count and top use summaries too")
    func countAndTop() throws {
        let total = try store.run("source=k8s-audit | count")
        #expect(total.table?.rows == [["300"]])
        #expect(total.outcome.stats.scan.blocksDecoded == 0)
        let top = try store.table("source=cloudtrail | top 3 event")
        let slow = try tally("source=cloudtrail", .event).sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        #expect(top.rows.map { $0.last! }.count == 3)
        #expect(Set(top.rows.map { Int($0.first { Int($0) != nil }!)! }) .isSubset(of: Set(slow.map(\.value))))
    }

    @Test("blocks cut by the time window, or only partly matching, are decoded: answers stay exact")
    func partialBlocks() throws {
        let windowed = "source=k8s-audit since=2026-11-24T10:30:00Z until=2026-11-24T11:15:00Z"
        let result = try store.run("\(windowed) | count by user")
        #expect(counts(try #require(result.table)) == (try tally(windowed, .user)))
        #expect(result.outcome.stats.scan.blocksDecoded > 0)
        let partly = "user=alice,bob,mallory"
        #expect(counts(try store.table("\(partly) | count by verb")) == (try tally(partly, .verb)))
    }
}
