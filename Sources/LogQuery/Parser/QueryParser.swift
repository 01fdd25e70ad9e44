/// A recursive-descent parser over ``Token``s.
///
///     query   := expr? ('|' pipe)*
///     expr    := and ('or' and)*
///     and     := unary+
///     unary   := ('not' | '-') unary | '(' expr ')' | term
///     term    := name op value (',' value)* | word | "phrase"
///
/// `since=` and `until=` terms set the time window and belong at the top level.
public struct QueryParser {
    let tokens: [Token]
    let now: Int64
    var index = 0
    var timeRange = TimeRange()
    /// Column of the first since=/until= term, to reject one that ends up inside an `or`.
    var windowColumn: Int?
    /// Whether a pipe so far aggregates (`count`, `top`, `stats`): later pipes see its columns.
    var aggregated: Bool { tableColumns != nil }
    /// The columns of the aggregate parsed so far, which later `sort` and `fields` name.
    var tableColumns: [String]?
    /// How many `(`, `not` and `-` enclose the term being parsed (at most ``QueryLimits/maxNesting``).
    var depth = 0

    init(tokens: [Token], now: Int64) {
        self.tokens = tokens
        self.now = now
    }

    var peek: Token { tokens[index] }
    var peekIsEnd: Bool { peek.kind == .end }
    var peekIsWord: Bool {
        if case .word = peek.kind { return true }
        return false
    }

    mutating func replaceCurrentWord(with word: String, column: Int) {
        var copy = tokens
        copy[index] = Token(kind: .word(word), column: column)
        let depth = self.depth
        self = QueryParser(tokens: copy, now: now, index: index, timeRange: timeRange, windowColumn: windowColumn)
        self.depth = depth
    }

    init(tokens: [Token], now: Int64, index: Int, timeRange: TimeRange, windowColumn: Int?) {
        self.tokens = tokens
        self.now = now
        self.index = index
        self.timeRange = timeRange
        self.windowColumn = windowColumn
    }

    mutating func advance() {
        if index < tokens.count - 1 { index += 1 }
    }

    mutating func accept(_ kind: Token.Kind) -> Bool {
        guard peek.kind == kind else { return false }
        advance()
        return true
    }

    mutating func acceptWord(_ word: String) -> Bool {
        accept(.word(word))
    }

    /// A field name for pipes (`count by user`).
    mutating func fieldName() throws(QueryError) -> FieldRef {
        let token = peek
        guard case .word(let name) = token.kind else {
            throw QueryError(column: token.column, message: "expected a field name, found \(token.display)")
        }
        guard let field = FieldRef(name: name) else { throw Self.unknownField(name, column: token.column) }
        advance()
        return field
    }

    /// A column name of an aggregate's result: a word, or a function as written (`p99(latency)`,
    /// `count()`).
    mutating func columnName() throws(QueryError) -> String {
        let column = peek.column
        let name = try rawColumnName()
        if let columns = tableColumns, !columns.contains(name) {
            throw QueryError(column: column, message: "expected one of the columns \(columns.joined(separator: ", ")), found '\(name)'")
        }
        return name
    }

    private mutating func rawColumnName() throws(QueryError) -> String {
        guard case .word(var name) = peek.kind else {
            throw QueryError(column: peek.column, message: "expected a column name, found \(peek.display)")
        }
        advance()
        if accept(.leftParen) {
            name += "("
            if case .word(let inner) = peek.kind {
                name += inner
                advance()
            }
            guard accept(.rightParen) else {
                throw QueryError(column: peek.column, message: "expected ')' in the column name '\(name)', found \(peek.display)")
            }
            name += ")"
        }
        return name
    }

    static func unknownField(_ name: String, column: Int) -> QueryError {
        var message = "unknown field '\(name)'"
        if let hint = FieldRef.suggestion(for: name) { message += " (did you mean '\(hint)'?)" }
        message += "; fields: \(FieldRef.allNames.joined(separator: ", ")), since, until"
        message += ", or a JSON path into the original event (objectRef.subresource, requestParameters.bucketName)"
        return QueryError(column: column, message: message)
    }

    mutating func parseQuery() throws(QueryError) -> Query {
        var filter = FilterExpression.all
        if !peekIsEnd && peek.kind != .pipe {
            filter = try parseOr(topLevel: true)
        }
        var pipes: [Pipe] = []
        while accept(.pipe) {
            pipes.append(try Pipe.parse(&self))
        }
        guard peekIsEnd else {
            throw QueryError(column: peek.column, message: "expected '|' or the end of the query, found \(peek.display)")
        }
        if timeRange.isEmpty {
            throw QueryError(column: 1, message: "the time window is empty: pass since= earlier than until=")
        }
        return Query(filter: filter, timeRange: timeRange, pipes: pipes)
    }

    mutating func parseOr(topLevel: Bool) throws(QueryError) -> FilterExpression {
        let windowBefore = windowColumn
        var parts = [try parseAnd(topLevel: topLevel)]
        while acceptWord("or") || acceptWord("OR") {
            // The first branch was parsed as top level; with an `or` it is not.
            if let column = windowColumn, column != windowBefore {
                throw QueryError(column: column, message: "since= and until= set the time window of the whole query; move them out of 'or', 'not' and parentheses")
            }
            parts.append(try parseAnd(topLevel: false))
        }
        return parts.count == 1 ? parts[0] : .or(parts)
    }

    mutating func parseAnd(topLevel: Bool) throws(QueryError) -> FilterExpression {
        var parts: [FilterExpression] = []
        while true {
            switch peek.kind {
            case .end, .pipe, .rightParen:
                break
            case .word("or"), .word("OR"):
                break
            default:
                if let part = try parseUnary(topLevel: topLevel) { parts.append(part) }
                continue
            }
            break
        }
        if parts.isEmpty {
            // Only since=/until= terms: every event in the window.
            if topLevel { return .all }
            throw QueryError(column: peek.column, message: "expected a term (field=value or a word), found \(peek.display)")
        }
        return parts.count == 1 ? parts[0] : .and(parts)
    }

    /// Returns nil for a term that only set the time window.
    mutating func parseUnary(topLevel: Bool) throws(QueryError) -> FilterExpression? {
        let token = peek
        depth += 1
        defer { depth -= 1 }
        if depth > QueryLimits.maxNesting {
            throw QueryError(
                column: token.column,
                message: "cannot parse the query: '(', 'not' and '-' are nested more than \(QueryLimits.maxNesting) deep; simplify the query")
        }
        if acceptWord("not") || acceptWord("NOT") {
            guard let inner = try parseUnary(topLevel: false) else {
                throw QueryError(column: token.column, message: "since= and until= cannot be negated")
            }
            return .not(inner)
        }
        if accept(.leftParen) {
            let inner = try parseOr(topLevel: false)
            guard accept(.rightParen) else {
                throw QueryError(column: peek.column, message: "expected ')' to close the '(' at column \(token.column), found \(peek.display)")
            }
            return inner
        }
        if case .word(let word) = token.kind, word.count > 1, word.hasPrefix("-") {
            // `-term` is `not term`: re-read the token without its dash.
            var rest = self
            rest.replaceCurrentWord(with: String(word.dropFirst()), column: token.column + 1)
            self = rest
            guard let inner = try parseUnary(topLevel: false) else {
                throw QueryError(column: token.column, message: "since= and until= cannot be negated")
            }
            return .not(inner)
        }
        switch token.kind {
        case .quoted(let phrase):
            advance()
            return .text(TextFilter(text: phrase))
        case .word(let name):
            advance()
            guard case .op(let op) = peek.kind else {
                return .text(TextFilter(text: name))
            }
            let opColumn = peek.column
            advance()
            let valueColumn = peek.column
            let values = try parseValues(after: name, op: op, column: opColumn)
            if name == "since" || name == "until" {
                guard topLevel else {
                    throw QueryError(column: token.column, message: "\(name)= sets the time window of the whole query; move it out of 'or', 'not' and parentheses")
                }
                guard op == .equal, values.count == 1 else {
                    throw QueryError(column: opColumn, message: "expected '\(name)=' with one duration or time, found '\(name)\(op.rawValue)\(values.joined(separator: ","))'")
                }
                let bound = try TimeRange.parseBound(values[0], now: now, name: name, column: valueColumn)
                if name == "since" { timeRange.since = bound } else { timeRange.until = bound }
                windowColumn = windowColumn ?? token.column
                return nil
            }
            guard let field = FieldRef(name: name) else { throw Self.unknownField(name, column: token.column) }
            return .field(try FieldFilter(field: field, op: op, values: values, column: valueColumn))
        case .op(let op):
            throw QueryError(column: token.column, message: "expected a field name before '\(op.rawValue)', found nothing")
        default:
            throw QueryError(column: token.column, message: "expected a term (field=value or a word), found \(token.display)")
        }
    }

    mutating func parseValues(after name: String, op: ComparisonOperator, column: Int) throws(QueryError) -> [String] {
        var values: [String] = []
        repeat {
            let token = peek
            switch token.kind {
            case .word(let w): values.append(w)
            case .quoted(let q): values.append(q)
            case .op(let o):
                throw QueryError(column: token.column, message: "expected a value after '\(name)\(op.rawValue)', found another operator '\(o.rawValue)'")
            default:
                throw QueryError(column: token.column, message: "expected a value after '\(name)\(op.rawValue)', found \(token.display)")
            }
            advance()
        } while accept(.comma)
        return values
    }
}
