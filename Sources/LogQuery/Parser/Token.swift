/// A comparison operator of a term.
public enum ComparisonOperator: String, Sendable, Equatable, CaseIterable {
    case equal = "="
    case notEqual = "!="
    case match = "~"
    case notMatch = "!~"
    case greater = ">"
    case greaterOrEqual = ">="
    case less = "<"
    case lessOrEqual = "<="
}

/// A lexical token of the query language, with its 1-based column.
public struct Token: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A bare word: field name, value, keyword.
        case word(String)
        /// A double- or single-quoted string, unescaped.
        case quoted(String)
        case op(ComparisonOperator)
        case comma
        case pipe
        case leftParen
        case rightParen
        case end
    }

    public var kind: Kind
    public var column: Int

    /// The token as the user wrote it, for messages.
    public var display: String {
        switch kind {
        case .word(let w): "'\(w)'"
        case .quoted(let q): "\"\(q)\""
        case .op(let o): "'\(o.rawValue)'"
        case .comma: "','"
        case .pipe: "'|'"
        case .leftParen: "'('"
        case .rightParen: "')'"
        case .end: "the end of the query"
        }
    }
}
