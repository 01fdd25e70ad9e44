import AuditCore
import SegmentStore

#if canImport(Glibc)
import Glibc
#endif

/// `field OP value[,value…]`: compares one field with one or more values.
///
/// `=` matches when the field equals any value (`*` in a value is a wildcard: `name=prod-*`);
/// `!=` when it equals none. A value that is `*` alone means "exists": `f=*` matches when the
/// field is present and not empty, `f!=*` (and `-f=*`) when it is missing or empty. `~` / `!~` test a regular expression. `>`, `>=`, `<`, `<=`
/// compare numbers and apply to numeric fields (`code`, `latency`) and JSON paths. An absent
/// field is "". Multi-valued fields and paths with several values match when any value does
/// (`!=` / `!~`: when none does).
public struct FieldFilter: Sendable, CustomStringConvertible {
    public var field: FieldRef
    public var op: ComparisonOperator
    public var values: [String]
    private let patterns: [Pattern]
    private let number: Double

    enum Pattern: @unchecked Sendable {
        case exact([UInt8])
        case glob(prefix: [UInt8], parts: [[UInt8]], suffix: [UInt8])
        /// `*` alone: any non-empty value (absent fields read as "", so this is "exists").
        case nonEmpty
        case regex(RegexMatcher)
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
                do throws(RegexError) {
                    patterns.append(.regex(try RegexMatcher(value)))
                } catch {
                    throw QueryError(column: column, message: "expected a regular expression after '\(field)\(op.rawValue)', found '\(value)': \(error.message)")
                }
            }
        case .equal, .notEqual:
            patterns = values.map(Self.compile)
        }
        self.patterns = patterns
        self.number = number
    }

    static func compile(_ value: String) -> Pattern {
        guard value.contains("*") else { return .exact(Array(value.utf8)) }
        if value == "*" { return .nonEmpty }
        let pieces = value.split(separator: "*", omittingEmptySubsequences: false).map { Array($0.utf8) }
        return .glob(prefix: pieces.first!, parts: Array(pieces.dropFirst().dropLast()), suffix: pieces.last!)
    }

    /// Whether `event` passes.
    public func matches(_ event: AuditEvent) -> Bool {
        if case .path(let path) = field {
            return event.raw.withUnsafeBytes { matches(path: path, raw: $0) }
        }
        var value = field.value(in: event)
        return value.withUTF8 { matches(value: UnsafeRawBufferPointer($0)) }
    }

    /// Whether a block with this summary may hold a passing row: exact when the summary lists
    /// the field's distinct values (some value passes), true when it does not know them.
    /// Multi-valued fields are summarized as whole lists, which ``matches(value:)`` splits, so
    /// the answer stays exact for them too. Paths are not summarized.
    public func mayMatch(_ summary: BlockSummary) -> Bool {
        switch field {
        case .source:
            return SourceKind.allCases.contains { source in
                guard summary.contains(source) else { return false }
                var name = source.name
                return name.withUTF8 { matches(value: UnsafeRawBufferPointer($0)) }
            }
        case .field(let f):
            return summary.anyValue(f) { matches(value: $0) } ?? true
        case .path, .time:
            return true
        }
    }

    /// Whether every event of a block with `summary` passes (so the block can be answered from
    /// its summary): true only when every distinct value the summary lists passes.
    public func allMatch(_ summary: BlockSummary) -> Bool {
        switch field {
        case .source:
            return SourceKind.allCases.allSatisfy { source in
                guard summary.contains(source) else { return true }
                var name = source.name
                return name.withUTF8 { matches(value: UnsafeRawBufferPointer($0)) }
            }
        case .field(let f):
            return summary.allValues(f) { matches(value: $0) } ?? false
        case .path, .time:
            return false
        }
    }

    /// Which rows of a block pass: once per dictionary entry for dictionary columns.
    public func mask(_ view: BlockView) -> [Bool] {
        var mask = [Bool](repeating: true, count: view.count)
        refine(view, &mask)
        return mask
    }

    /// Clears `mask[i]` for each row still set that does not pass. Dictionary columns test
    /// each distinct value once; paths scan the raw event of set rows only.
    public func refine(_ view: BlockView, _ mask: inout [Bool]) {
        let n = view.count
        switch field {
        case .source:
            var bySource = [Bool](repeating: false, count: 256)
            for source in SourceKind.allCases {
                var name = source.name
                bySource[Int(source.rawValue)] = name.withUTF8 { matches(value: UnsafeRawBufferPointer($0)) }
            }
            if let only = view.singleSource {
                // One source in the block: every row passes or none does.
                if !bySource[Int(only.rawValue)] { for i in 0..<n { mask[i] = false } }
                return
            }
            for i in 0..<n where mask[i] && !bySource[Int(view.source(i).rawValue)] { mask[i] = false }
        case .time:
            for i in 0..<n where mask[i] {
                var text = field.value(in: view, i)
                if !text.withUTF8({ matches(value: UnsafeRawBufferPointer($0)) }) { mask[i] = false }
            }
        case .path(let path):
            for i in 0..<n where mask[i] {
                if !view.withRaw(i, { matches(path: path, raw: $0) }) { mask[i] = false }
            }
        case .field(let f):
            let column = view.column(f)
            switch column {
            case .empty:
                if !matches(value: UnsafeRawBufferPointer(start: nil, count: 0)) {
                    for i in 0..<n { mask[i] = false }
                }
            case .dictionary(_, let starts, _, let indices):
                let entries = (0..<starts.count).map { k in column.withEntry(k) { matches(value: $0) } }
                for i in 0..<n where mask[i] && !entries[Int(indices[i])] { mask[i] = false }
            case .plain:
                for i in 0..<n where mask[i] {
                    if !column.withValue(row: i, { matches(value: $0) }) { mask[i] = false }
                }
            }
        }
    }

    /// Whether the operator passes when no value matches (`!=`, `!~`): the positive test
    /// runs on each value and the answer is negated once.
    private var negated: Bool { op == .notEqual || op == .notMatch }

    /// Whether a field whose UTF-8 bytes are `value` passes. For a multi-valued field
    /// (`groups`, `actor`) `value` is the comma-separated list: `=`, `~`, lists, wildcards and
    /// comparisons pass when any element does; `!=` and `!~` when no element matches.
    public func matches(value: UnsafeRawBufferPointer) -> Bool {
        guard field.isMultiValued, value.contains(UInt8(ascii: ",")) else {
            return positive(value) != negated
        }
        var start = 0
        var any = false
        for end in 0...value.count where end == value.count || value[end] == UInt8(ascii: ",") {
            if positive(UnsafeRawBufferPointer(rebasing: value[start..<end])) {
                any = true
                break
            }
            start = end + 1
        }
        return any != negated
    }

    /// Whether the values at `path` in the original event pass: any value for `=`, none for
    /// `!=`; an absent path is tested as "".
    public func matches(path: JSONPath, raw: UnsafeRawBufferPointer) -> Bool {
        var seen = false
        let any = path.anyValue(in: raw) { value in
            seen = true
            return positive(value)
        }
        if !seen { return positive(UnsafeRawBufferPointer(start: nil, count: 0)) != negated }
        return any != negated
    }

    /// The operator's test without negation: equal to / matching one of the values, or the
    /// numeric comparison.
    @inline(__always)
    func positive(_ value: UnsafeRawBufferPointer) -> Bool {
        switch op {
        case .equal, .match, .notEqual, .notMatch: return patterns.contains { Self.matches($0, value) }
        case .greater, .greaterOrEqual, .less, .lessOrEqual:
            guard let v = Self.number(value) else { return false }
            switch op {
            case .greater: return v > number
            case .greaterOrEqual: return v >= number
            case .less: return v < number
            default: return v <= number
            }
        }
    }

    /// A decimal number from its bytes; integers (status codes) without allocating.
    static func number(_ bytes: UnsafeRawBufferPointer) -> Double? {
        guard !bytes.isEmpty else { return nil }
        var value = 0.0
        var integer = true
        for c in bytes {
            guard c >= 48, c <= 57 else {
                integer = false
                break
            }
            value = value * 10 + Double(c - 48)
        }
        if integer { return value }
        return Double(String(decoding: bytes, as: UTF8.self))
    }

    static func matches(_ pattern: Pattern, _ value: UnsafeRawBufferPointer) -> Bool {
        switch pattern {
        case .exact(let s):
            guard s.count == value.count else { return false }
            return s.isEmpty || s.withUnsafeBytes { memcmp($0.baseAddress!, value.baseAddress!, s.count) == 0 }
        case .regex(let r):
            return r.matches(value)
        case .nonEmpty:
            return !value.isEmpty
        case .glob(let prefix, let parts, let suffix):
            guard value.count >= prefix.count + suffix.count, value.starts(with: prefix) else { return false }
            var position = prefix.count
            let end = value.count - suffix.count
            for part in parts where !part.isEmpty {
                guard let found = ByteSearch.find(part, in: value, from: position, to: end) else { return false }
                position = found + part.count
            }
            return position <= end && value[end...].elementsEqual(suffix)
        }
    }

    public var description: String {
        "\(field)\(op.rawValue)\(values.map(Self.quoted).joined(separator: ","))"
    }

    /// A value as it would be typed: quoted when empty or when it holds characters that end a word.
    static func quoted(_ value: String) -> String {
        let special: Set<Character> = [" ", "\t", "|", ",", "(", ")", "\"", "'", "=", "!", "~", "<", ">"]
        guard value.isEmpty || value.contains(where: { special.contains($0) }) else { return value }
        var out = "\""
        for c in value {
            if c == "\"" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out + "\""
    }
}
