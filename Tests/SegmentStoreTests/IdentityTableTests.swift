import Testing
import TestSupport

@testable import SegmentStore

@Suite("IdentityTable")
struct IdentityTableTests {
    @Test("new, duplicate and conflict as two Sets tell them, over 50,000 seeded pairs that share ids and slots")
    func matchesSets() {
        var rng = SeededGenerator(seed: 0x1D)
        var table = IdentityTable()
        var pairs: Set<[UInt64]> = []
        var ids: Set<UInt64> = []
        var wrong: [String] = []
        for round in 0..<50_000 {
            // Few distinct ids and contents, so that duplicates and conflicts are common; ids
            // that differ only above the low bits land in one slot.
            let id = UInt64.random(in: 0..<4_000, using: &rng) << (Bool.random(using: &rng) ? 0 : 40)
            let content = UInt64.random(in: 0..<3, using: &rng)
            let expected: IdentityTable.Outcome =
                pairs.contains([id, content]) ? .duplicate : (ids.contains(id) ? .conflict : .new)
            let found = table.insert(id: id, content: content)
            if found != expected { wrong.append("round \(round): \(id) \(content): \(found), expected \(expected)") }
            pairs.insert([id, content])
            ids.insert(id)
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(3))")
        #expect(table.count == pairs.count)
    }
}
