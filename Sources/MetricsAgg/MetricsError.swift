/// An error of MetricsAgg: a rules file that does not parse, a store that cannot be read.
public struct MetricsError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// A rules file line that is not a rule.
        case badRule
        /// A rules file or the store cannot be read.
        case io
    }

    public var code: Code
    public var message: String
    /// The underlying error's text, when there is one.
    public var cause: String?

    public init(code: Code, message: String, cause: String? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { cause.map { "\(message): \($0)" } ?? message }

    /// A rule at `file:line` (1-based), byte `column` (1-based) of the line, that is not
    /// valid: `expected` says what would be.
    static func badRule(_ file: String, line: Int, column: Int, _ expected: String) -> MetricsError {
        MetricsError(code: .badRule, message: "cannot read rule at \(file):\(line):\(column): \(expected)")
    }

    static func io(_ verb: String, _ thing: String, cause: any Error) -> MetricsError {
        MetricsError(code: .io, message: "cannot \(verb) \(thing)", cause: "\(cause)")
    }
}
