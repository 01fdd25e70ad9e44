/// Splits a query into ``Token``s. Words run until whitespace, a quote, an operator character,
/// a comma, a pipe or a parenthesis; quote a value to include those.
public enum QueryLexer {
    static let operatorCharacters: Set<Character> = ["=", "!", "~", "<", ">"]

    public static func tokenize(_ query: String) throws(QueryError) -> [Token] {
        let chars = Array(query)
        var tokens: [Token] = []
        var i = 0
        while i < chars.count {
            let c = chars[i]
            let column = i + 1
            if c.isWhitespace {
                i += 1
                continue
            }
            switch c {
            case "|":
                tokens.append(Token(kind: .pipe, column: column))
                i += 1
            case ",":
                tokens.append(Token(kind: .comma, column: column))
                i += 1
            case "(":
                tokens.append(Token(kind: .leftParen, column: column))
                i += 1
            case ")":
                tokens.append(Token(kind: .rightParen, column: column))
                i += 1
            case "\"", "'":
                var text = ""
                var j = i + 1
                var closed = false
                while j < chars.count {
                    if chars[j] == "\\", j + 1 < chars.count {
                        text.append(chars[j + 1])
                        j += 2
                        continue
                    }
                    if chars[j] == c {
                        closed = true
                        break
                    }
                    text.append(chars[j])
                    j += 1
                }
                guard closed else {
                    throw QueryError(column: column, message: "expected a closing \(c) for the string that starts here, found the end of the query")
                }
                tokens.append(Token(kind: .quoted(text), column: column))
                i = j + 1
            default:
                if operatorCharacters.contains(c) {
                    var j = i
                    var text = ""
                    while j < chars.count, operatorCharacters.contains(chars[j]) {
                        text.append(chars[j])
                        j += 1
                    }
                    guard let op = ComparisonOperator(rawValue: text) else {
                        var after = ""
                        if case .word(let w)? = tokens.last?.kind { after = " after '\(w)'" }
                        throw QueryError(column: column, message: "expected an operator\(after), found '\(text)' (operators: = != ~ !~ > >= < <=)")
                    }
                    tokens.append(Token(kind: .op(op), column: column))
                    i = j
                } else {
                    var j = i
                    var text = ""
                    while j < chars.count {
                        let d = chars[j]
                        if d.isWhitespace || d == "|" || d == "," || d == "(" || d == ")" || d == "\"" || d == "'"
                            || operatorCharacters.contains(d)
                        {
                            break
                        }
                        text.append(d)
                        j += 1
                    }
                    tokens.append(Token(kind: .word(text), column: column))
                    i = j
                }
            }
        }
        tokens.append(Token(kind: .end, column: chars.count + 1))
        return tokens
    }
}
