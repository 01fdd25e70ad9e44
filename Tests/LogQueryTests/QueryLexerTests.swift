@testable import LogQuery
import Testing

@Suite("QueryLexer")
struct QueryLexerTests {
    private func tokens(_ text: String) throws -> [Token] {
        try QueryLexer.tokenize(text)
    }

    @Test("a query splits into words, operators, commas, quotes, parentheses and pipes with 1-based columns")
    func mixedQuery() throws {
        // 0        1         2         3         4
        // 1234567890123456789012345678901234567890123456789
        // verb!=get,list (ns="kube system" or -x) | head 5
        let expected: [Token] = [
            Token(kind: .word("verb"), column: 1),
            Token(kind: .op(.notEqual), column: 5),
            Token(kind: .word("get"), column: 7),
            Token(kind: .comma, column: 10),
            Token(kind: .word("list"), column: 11),
            Token(kind: .leftParen, column: 16),
            Token(kind: .word("ns"), column: 17),
            Token(kind: .op(.equal), column: 19),
            Token(kind: .quoted("kube system"), column: 20),
            Token(kind: .word("or"), column: 34),
            Token(kind: .word("-x"), column: 37),
            Token(kind: .rightParen, column: 39),
            Token(kind: .pipe, column: 41),
            Token(kind: .word("head"), column: 43),
            Token(kind: .word("5"), column: 48),
            Token(kind: .end, column: 49),
        ]
        #expect(try tokens(#"verb!=get,list (ns="kube system" or -x) | head 5"#) == expected)
    }

    @Test("an empty or blank query is just the end token")
    func empty() throws {
        #expect(try tokens("") == [Token(kind: .end, column: 1)])
        #expect(try tokens(" \t\n") == [Token(kind: .end, column: 4)])
    }

    @Test("every operator lexes, and ends the word before it", arguments: ComparisonOperator.allCases)
    func operators(op: ComparisonOperator) throws {
        let length = op.rawValue.count
        #expect(
            try tokens("code\(op.rawValue)4") == [
                Token(kind: .word("code"), column: 1),
                Token(kind: .op(op), column: 5),
                Token(kind: .word("4"), column: 5 + length),
                Token(kind: .end, column: 6 + length),
            ])
    }

    @Test("punctuation ends words without spaces")
    func punctuation() throws {
        #expect(
            try tokens("a(b)c|d,e") == [
                Token(kind: .word("a"), column: 1), Token(kind: .leftParen, column: 2),
                Token(kind: .word("b"), column: 3), Token(kind: .rightParen, column: 4),
                Token(kind: .word("c"), column: 5), Token(kind: .pipe, column: 6),
                Token(kind: .word("d"), column: 7), Token(kind: .comma, column: 8),
                Token(kind: .word("e"), column: 9), Token(kind: .end, column: 10),
            ])
    }

    @Test("words keep characters that are not separators: colons, slashes, dashes, stars, dots")
    func wordCharacters() throws {
        #expect(
            try tokens("since=2024-12-13T05:28:39+02:00 uri=/api/v1/* name=prod-*.x")
                == [
                    Token(kind: .word("since"), column: 1), Token(kind: .op(.equal), column: 6),
                    Token(kind: .word("2024-12-13T05:28:39+02:00"), column: 7),
                    Token(kind: .word("uri"), column: 33), Token(kind: .op(.equal), column: 36),
                    Token(kind: .word("/api/v1/*"), column: 37),
                    Token(kind: .word("name"), column: 47), Token(kind: .op(.equal), column: 51),
                    Token(kind: .word("prod-*.x"), column: 52),
                    Token(kind: .end, column: 60),
                ])
    }

    @Test("double and single quotes make one token, with backslash escapes")
    func quotes() throws {
        // "a \"b\"" 'c d' "x'y"  → columns 1, 11, 17; 21 characters
        #expect(
            try tokens(#""a \"b\"" 'c d' "x'y""#) == [
                Token(kind: .quoted(#"a "b""#), column: 1),
                Token(kind: .quoted("c d"), column: 11),
                Token(kind: .quoted("x'y"), column: 17),
                Token(kind: .end, column: 22),
            ])
        #expect(try tokens(#""a\\b""#) == [Token(kind: .quoted(#"a\b"#), column: 1), Token(kind: .end, column: 7)])
        #expect(try tokens(#""""#) == [Token(kind: .quoted(""), column: 1), Token(kind: .end, column: 3)])
        // Operators and pipes inside quotes are text.
        #expect(try tokens(#"'a|b=c'"#) == [Token(kind: .quoted("a|b=c"), column: 1), Token(kind: .end, column: 8)])
    }

    @Test("columns count characters, not bytes")
    func multibyteColumns() throws {
        #expect(
            try tokens(#""漢字" verb=é"#) == [
                Token(kind: .quoted("漢字"), column: 1),
                Token(kind: .word("verb"), column: 6),
                Token(kind: .op(.equal), column: 10),
                Token(kind: .word("é"), column: 11),
                Token(kind: .end, column: 12),
            ])
    }

    @Test(
        "lexer errors give the column and say what was wrong",
        arguments: [
            ("verb>>delete", 5, "expected an operator after 'verb', found '>>' (operators: = != ~ !~ > >= < <=)"),
            ("verb==get", 5, "found '=='"),
            ("a=!b", 2, "found '=!'"),
            ("x=<>1", 2, "found '=<>'"),
            (#"user="alice"#, 6, #"expected a closing " for the string that starts here, found the end of the query"#),
            (#"x 'abc"#, 3, "expected a closing ' for the string that starts here"),
            (#""abc\""#, 1, #"expected a closing ""#),
        ] as [(String, Int, String)])
    func errors(text: String, column: Int, message: String) {
        do throws(QueryError) {
            let result = try QueryLexer.tokenize(text)
            Issue.record("expected an error, got \(result)")
        } catch {
            #expect(error.column == column)
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test("token display is what the user wrote, for messages")
    func display() {
        #expect(Token(kind: .word("x"), column: 1).display == "'x'")
        #expect(Token(kind: .quoted("a b"), column: 1).display == "\"a b\"")
        #expect(Token(kind: .op(.greaterOrEqual), column: 1).display == "'>='")
        #expect(Token(kind: .comma, column: 1).display == "','")
        #expect(Token(kind: .pipe, column: 1).display == "'|'")
        #expect(Token(kind: .leftParen, column: 1).display == "'('")
        #expect(Token(kind: .rightParen, column: 1).display == "')'")
        #expect(Token(kind: .end, column: 1).display == "the end of the query")
    }
}
