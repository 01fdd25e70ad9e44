/// A query that does not parse or cannot run: what is wrong and at which column.
public struct QueryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based column (in characters) of the offending token.
    public var column: Int
    /// What was expected and what was found.
    public var message: String

    public init(column: Int, message: String) {
        self.column = column
        self.message = message
    }

    public var description: String { "column \(column): \(message)" }

    /// The query, a caret under the column, and the message: what the CLI prints.
    public func render(query: String) -> String {
        let caret = String(repeating: " ", count: max(0, column - 1)) + "^"
        return "  \(query)\n  \(caret)\nerror at column \(column): \(message)"
    }
}
