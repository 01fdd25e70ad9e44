import AuditCore

/// `field OP value[,value…]`: compares one field with one or more values.
///
/// `=` matches when the field equals any value (`*` in a value is a wildcard: `name=prod-*`);
/// `!=` when it equals none. `~` / `!~` test a regular expression. `>`, `>=`, `<`, `<=`
/// compare numbers and apply to numeric fields (`code`, `latency`). An absent field is "".
public struct FieldFilter: Sendable, CustomStringConvertible {
    public var field: FieldRef
    public var op: ComparisonOperator
    public var values: [String]
    private let patterns: [Pattern]
    private let number: Double

    enum Pattern: @unchecked Sendable {
        case exact(String)
        case glob(prefix: String, parts: [String], suffix: String)
        case regex(Regex<AnyRegexOutput>)
    }

    /// Builds the filter, checking that the operator suits the field and values.
    public init(field: FieldRef, op: ComparisonOperator, values: [String], column: Int) throws(QueryError) {
        self.field = field
        self.op = op
        self.values = values
        var number = 0.0
        var patterns: [Pattern] = []
        switch op {
        case .greater, .greaterOrEqual, .less, .lessOrEqual:
            guard field.isNumeric else {
                throw QueryError(column: column, message: "operator '\(op.rawValue)' compares numbers; field '\(field)' holds text (use = or ~)")
            }
            guard values.count == 1, let n = Double(values[0]) else {
                throw QueryError(column: column, message: "expected one number after '\(field)\(op.rawValue)', found '\(values.joined(separator: ","))'")
            }
            number = n
        case .match, .notMatch:
            for value in values {
                do {
                    patterns.append(.regex(try Regex(value)))
                } catch {
                    throw QueryError(column: column, message: "expected a regular expression after '\(field)\(op.rawValue)', found '\(value)': \(error)")
                }
            }
        case .equal, .notEqual:
            patterns = values.map(Self.compile)
        }
        self.patterns = patterns
        self.number = number
    }

    static func compile(_ value: String) -> Pattern {
        guard value.contains("*") else { return .exact(value) }
        let pieces = value.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        return .glob(prefix: pieces.first!, parts: Array(pieces.dropFirst().dropLast()), suffix: pieces.last!)
    }

    /// Whether `event` passes.
    public func matches(_ event: AuditEvent) -> Bool {
        let value = field.value(in: event)
        switch op {
        case .equal: return patterns.contains { Self.matches($0, value) }
        case .notEqual: return !patterns.contains { Self.matches($0, value) }
        case .match: return patterns.contains { Self.matches($0, value) }
        case .notMatch: return !patterns.contains { Self.matches($0, value) }
        case .greater, .greaterOrEqual, .less, .lessOrEqual:
            guard let v = Double(value) else { return false }
            switch op {
            case .greater: return v > number
            case .greaterOrEqual: return v >= number
            case .less: return v < number
            default: return v <= number
            }
        }
    }

    static func matches(_ pattern: Pattern, _ value: String) -> Bool {
        switch pattern {
        case .exact(let s): return value == s
        case .regex(let r): return (try? r.firstMatch(in: value)) != nil
        case .glob(let prefix, let parts, let suffix):
            guard value.hasPrefix(prefix), value.count >= prefix.count + suffix.count else { return false }
            var rest = Substring(value.dropFirst(prefix.count))
            for part in parts where !part.isEmpty {
                guard let r = rest.firstRange(of: part) else { return false }
                rest = rest[r.upperBound...]
            }
            return rest.hasSuffix(suffix)
        }
    }

    public var description: String {
        "\(field)\(op.rawValue)\(values.joined(separator: ","))"
    }
}
