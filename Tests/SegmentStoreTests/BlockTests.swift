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
