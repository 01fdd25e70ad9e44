import LogQuery
import Testing

/// Deeply nested queries are refused with a caret error instead of overflowing the stack.
@Suite("Query nesting depth")
struct QueryDepthTests {
    @Test(
        "10,000 nested parentheses, nots or dashes are a bad query, not a crash",
        arguments: [
            String(repeating: "(", count: 10_000) + "a" + String(repeating: ")", count: 10_000),
            String(repeating: "not ", count: 10_000) + "a",
            String(repeating: "-", count: 10_000) + "a",
        ])
    func deepNesting(query: String) {
        guard case .failure(let error) = parse(query) else {
            Issue.record("a 10,000-deep query parsed")
            return
        }
        #expect(error.message.contains("nested more than 256 deep"), "\(error.message)")
        #expect(error.column > 1)
    }

    @Test("nesting up to the limit still parses")
    func nestingAtTheLimit() {
        let query = String(repeating: "(", count: 200) + "a" + String(repeating: ")", count: 200)
        #expect((try? parse(query).get()) != nil)
        #expect((try? parse(String(repeating: "not ", count: 200) + "a").get()) != nil)
    }
}
