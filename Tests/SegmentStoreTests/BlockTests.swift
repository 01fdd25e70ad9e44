import AuditCore
import Testing
import TestSupport

@testable import SegmentStore

@Suite("Block codec")
struct BlockTests {
    @Test("a block of seeded random events decodes to the same events in time order", arguments: [1, 2, 3, 42, 1234])
    func roundTrip(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let count = Int.random(in: 1...500, using: &rng)
        let events = (0..<count).map { _ in EventBuilder.random(using: &rng) }
        let body = Block.encode(events)
        let decoded = try #require(body.withUnsafeBytes { Block.decode($0) })
        let expected = events.enumerated().sorted {
            $0.element.time != $1.element.time ? $0.element.time < $1.element.time : $0.offset < $1.offset
        }.map(\.element)
        let same = decoded == expected
        #expect(same, "decoded events differ")
        let header = try #require(body.withUnsafeBytes { Block.header($0) })
        #expect(header.eventCount == UInt32(count))
        #expect(header.minTime == expected.first!.time)
        #expect(header.maxTime == expected.last!.time)
    }

    @Test("a damaged payload decodes to nil instead of trapping")
    func damagedPayload() {
        var rng = SeededGenerator(seed: 7)
        let events = (0..<50).map { _ in EventBuilder.random(using: &rng) }
        var body = Block.encode(events)
        for k in stride(from: BlockHeader.size + 2, to: body.count, by: 97) { body[k] ^= 0x5A }
        #expect(body.withUnsafeBytes { Block.decode($0) } == nil)
    }

    @Test("a truncated body never traps", arguments: [0, 5, 31, 32, 40, 100])
    func truncated(length: Int) {
        var rng = SeededGenerator(seed: 9)
        let body = Block.encode((0..<20).map { _ in EventBuilder.random(using: &rng) })
        let cut = Array(body.prefix(length))
        #expect(cut.withUnsafeBytes { Block.decode($0) } == nil)
    }
}

@Suite("Block summaries")
struct BlockSummaryTests {
    @Test("a block's summary lists its sources and each summarized field's distinct values")
    func summary() throws {
        var a = FieldValues()
        a[.verb] = "delete"
        a[.user] = "alice"
        var b = FieldValues()
        b[.verb] = "get"
        let events = [
            AuditEvent(time: 1, source: .k8sAudit, fields: a, raw: Array("{}".utf8)),
            AuditEvent(time: 2, source: .k8sAudit, fields: b, raw: Array("{}".utf8)),
        ]
        let body = Block.encode(events)
        let summary = try #require(body.withUnsafeBytes { Block.summary($0) })
        #expect(summary.contains(.k8sAudit))
        #expect(!summary.contains(.cloudtrail))
        #expect(summary.distinct(.verb) == [Array("delete".utf8), Array("get".utf8)])
        #expect(summary.distinct(.user) == [Array("alice".utf8), []])
        #expect(summary.distinct(.uri) == nil)  // not summarized
    }

    @Test("a field with more distinct values than the limit is marked unknown, not listed")
    func tooMany() throws {
        let events = (0...Limits.summaryValues).map { n -> AuditEvent in
            var f = FieldValues()
            f[.user] = "user-\(n)"
            return AuditEvent(time: Int64(n), source: .cloudtrail, fields: f, raw: [])
        }
        let summary = try #require(Block.encode(events).withUnsafeBytes { Block.summary($0) })
        #expect(summary.distinct(.user) == nil)
        #expect(summary.distinct(.verb) == [[]])
    }
}

@Suite("Block columns")
struct BlockColumnTests {
    @Test("low-cardinality fields are dictionary columns, unique ones plain, absent ones empty")
    func encodings() throws {
        var rng = SeededGenerator(seed: 5)
        let events = (0..<1_000).map { n -> AuditEvent in
            var f = FieldValues()
            f[.verb] = ["get", "list", "delete"].randomElement(using: &rng)!
            f[.id] = "id-\(n)"
            return AuditEvent(time: Int64(n), source: .k8sAudit, fields: f, raw: Array("{\"n\":\(n)}".utf8))
        }
        let body = Block.encode(events)
        let view = try #require(BlockView(body: body))
        guard case .dictionary(_, let starts, _, _) = view.column(.verb) else {
            Issue.record("verb should be a dictionary column")
            return
        }
        #expect(starts.count == 3)
        guard case .plain = view.column(.id) else {
            Issue.record("id should be a plain column")
            return
        }
        guard case .empty = view.column(.user) else {
            Issue.record("user should be an empty column")
            return
        }
        for row in [0, 1, 500, 999] {
            #expect(view.string(row, .id) == "id-\(row)")
            #expect(view.string(row, .verb) == events[row].fields[.verb])
            #expect(view.withRaw(row) { Array($0) } == events[row].raw)
        }
    }

    @Test("a damaged column reads as empty and marks the view damaged, without trapping")
    func damagedColumn() throws {
        var rng = SeededGenerator(seed: 8)
        let events = (0..<200).map { _ in EventBuilder.random(using: &rng) }
        var body = Block.encode(events)
        // Flip bytes near the end: inside the raw column's payload.
        for k in stride(from: body.count - 40, to: body.count, by: 3) { body[k] ^= 0xA5 }
        let view = try #require(BlockView(body: body))
        #expect(view.loadRaw() == false)
        #expect(view.damaged)
        #expect(Block.decode(body.withUnsafeBytes { $0 }) == nil)
    }
}
