import AuditCore
import Testing

@testable import LogQuery

/// `| sort by` holds events in memory: past its budget it stops with an error that says what
/// to do, instead of growing without bound.
@Suite("Sort memory bound")
struct SortMemoryTests {
    private func sortPipes(_ query: String) throws -> [Pipe] {
        try parse(query).get().pipes
    }

    @Test("sorting more than the budget fails with a hint to narrow the query or add head")
    func overBudget() throws {
        let chain = EventChain(steps: try sortPipes("| sort by user"), sortBudgetBytes: 64 * 1024) { _ in true }
        let raw = String(repeating: "x", count: 2_700)
        do {
            for i in 0..<1_000 {
                _ = try chain.push(makeEvent(raw: raw, [.user: "u\(i)"]))
            }
            Issue.record("sorted 2.7 MB of events under a 64 KiB budget")
        } catch let error as QueryError {
            #expect(error.message.contains("cannot sort"), "\(error.message)")
            #expect(error.message.contains("| head"), "\(error.message)")
        }
    }

    @Test("sorting within the budget, or before head N, works")
    func withinBudget() throws {
        var out: [String] = []
        let chain = EventChain(steps: try sortPipes("| sort by user desc | head 2"), sortBudgetBytes: 64 * 1024) { event in
            out.append(event.fields[.user])
            return true
        }
        let raw = String(repeating: "x", count: 2_700)
        for i in 0..<1_000 {
            _ = try chain.push(makeEvent(raw: raw, [.user: "u\(1000 + i)"]))
        }
        try chain.finish()
        #expect(out == ["u1999", "u1998"])
    }
}
