import LogQuery
import Testing

@Suite("LimitPipe")
struct LimitPipeTests {
    @Test(
        "limit and head take a count, 10 when omitted",
        arguments: [("| limit 5", 5), ("| head 7", 7), ("| head", 10), ("| limit", 10), ("| limit 0", 0), ("| limit 1000000", 1_000_000)])
    func counts(query: String, count: Int) throws {
        #expect(try parse(query).get().pipes == [.limit(LimitPipe(count: count))])
    }

    @Test("description is 'limit N' for limit and head alike")
    func description() throws {
        #expect(LimitPipe(count: 5).description == "limit 5")
        #expect(try parse("| head 3").get().pipes.map(\.description) == ["limit 3"])
    }

    @Test("a non-number after limit is an error at its column", arguments: [("| limit x", 9), ("| head 1.5", 8), (#"| limit "5""#, 9)])
    func errors(query: String, column: Int) {
        guard case .failure(let error) = parse(query) else {
            Issue.record("expected an error")
            return
        }
        #expect(error.column == column)
        // The message names the pipe as the user wrote it: 'limit' or 'head'.
        let name = query.contains("head") ? "head" : "limit"
        #expect(error.message.hasPrefix("expected a number of events after '\(name)', found "))
    }
}
