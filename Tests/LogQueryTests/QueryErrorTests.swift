import LogQuery
import Testing

@Suite("QueryError")
struct QueryErrorTests {
    @Test("render prints the query, a caret under the column, and the message")
    func render() {
        let error = QueryError(column: 5, message: "expected an operator")
        #expect(error.render(query: "verb>>delete") == "  verb>>delete\n      ^\nerror at column 5: expected an operator")
        #expect(error.description == "column 5: expected an operator")
    }

    @Test("column 1 puts the caret under the first character; past the end, after the last")
    func edges() {
        #expect(QueryError(column: 1, message: "m").render(query: "abc") == "  abc\n  ^\nerror at column 1: m")
        #expect(QueryError(column: 4, message: "m").render(query: "abc") == "  abc\n     ^\nerror at column 4: m")
        #expect(QueryError(column: 0, message: "m").render(query: "abc") == "  abc\n  ^\nerror at column 0: m")
    }

    @Test(
        "the caret of a parse error sits under the offending character",
        arguments: [
            ("verbb=delete", "v"),
            ("verb>>delete", ">"),
            ("code>abc", "a"),
            ("verb=get | sort", "s"),
            (#"x "unclosed"#, "\""),
            ("verb=get or since=1h", "s"),
        ])
    func caretUnderToken(query: String, character: Character) throws {
        guard case .failure(let error) = parse(query) else {
            Issue.record("expected an error for \(query)")
            return
        }
        let lines = error.render(query: query).split(separator: "\n", omittingEmptySubsequences: false)
        try #require(lines.count == 3)
        #expect(lines[0] == "  " + query)
        let caret = try #require(lines[1].firstIndex(of: "^"))
        let offset = lines[1].distance(from: lines[1].startIndex, to: caret)
        #expect(offset == error.column + 1)
        #expect(lines[1].trimmingPrefix(while: { $0 == " " }) == "^")
        let chars = Array(query)
        try #require(error.column - 1 < chars.count)
        #expect(chars[error.column - 1] == character)
        #expect(lines[2] == "error at column \(error.column): \(error.message)")
    }
}
