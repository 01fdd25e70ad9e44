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
