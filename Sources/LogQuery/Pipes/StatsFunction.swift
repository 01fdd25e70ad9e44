/// One function of `| stats`: `count()`, `sum(f)`, `avg(f)`, `min(f)`, `max(f)`, `p50(f)` (any
/// percentile `pN` with 0 < N ≤ 100), `uniq(f)`.
///
/// Numeric functions read the field as a decimal number and skip values that are absent or
/// not numbers; `count()` counts events; `uniq(f)` counts distinct non-empty values.
public enum StatsFunction: Sendable, Equatable, CustomStringConvertible {
    case count
    case sum(FieldRef)
    case avg(FieldRef)
    case min(FieldRef)
    case max(FieldRef)
    /// Percentile `p` (0 < p ≤ 100) by nearest rank: the smallest value with at least p % of
    /// the values at or below it.
    case percentile(Double, FieldRef)
    case uniq(FieldRef)

    /// The field read, or nil for `count()`.
    public var field: FieldRef? {
        switch self {
        case .count: nil
        case .sum(let f), .avg(let f), .min(let f), .max(let f), .percentile(_, let f), .uniq(let f): f
        }
    }

    /// The names accepted, for messages.
    static let names = "count(), sum(f), avg(f), min(f), max(f), p50(f), p90(f), p99(f), uniq(f)"

    /// Parses one function call: a name, `(`, a field (none for `count`), `)`.
    static func parse(_ p: inout QueryParser) throws(QueryError) -> StatsFunction {
        let token = p.peek
        guard case .word(let name) = token.kind else {
            throw QueryError(column: token.column, message: "expected a stats function (\(names)), found \(token.display)")
        }
        var percentile: Double?
        if name.hasPrefix("p"), let n = Double(name.dropFirst()) {
            guard n > 0, n <= 100 else {
                throw QueryError(column: token.column, message: "expected a percentile between p0 and p100 (exclusive of 0), found '\(name)'")
            }
            percentile = n
        } else if !["count", "sum", "avg", "min", "max", "uniq"].contains(name) {
            throw QueryError(column: token.column, message: "expected a stats function (\(names)), found '\(name)'")
        }
        p.advance()
        guard p.accept(.leftParen) else {
            throw QueryError(column: p.peekIsEnd ? token.column : p.peek.column, message: "expected '(' after '\(name)', found \(p.peek.display)")
        }
        if name == "count" {
            guard p.accept(.rightParen) else {
                throw QueryError(column: p.peek.column, message: "expected ')' after 'count(': count() takes no field, found \(p.peek.display)")
            }
            return .count
        }
        guard p.peekIsWord else {
            throw QueryError(column: p.peek.column, message: "expected a field name in '\(name)(…)', found \(p.peek.display)")
        }
        let field = try p.fieldName()
        guard p.accept(.rightParen) else {
            throw QueryError(column: p.peek.column, message: "expected ')' after '\(name)(\(field)', found \(p.peek.display)")
        }
        if let percentile { return .percentile(percentile, field) }
        switch name {
        case "sum": return .sum(field)
        case "avg": return .avg(field)
        case "min": return .min(field)
        case "max": return .max(field)
        default: return .uniq(field)
        }
    }

    /// The running value of one function in one group.
    public struct Accumulator: Sendable {
        /// Numeric values seen.
        var n = 0
        /// Their sum.
        var sum = 0.0
        var low = Double.infinity
        var high = -Double.infinity
        /// Every numeric value, for percentiles (kept only by `pN`).
        var values: [Double] = []
        /// Distinct values, for `uniq`.
        var distinct: Set<String> = []

        mutating func merge(_ other: Accumulator) {
            n += other.n
            sum += other.sum
            low = Swift.min(low, other.low)
            high = Swift.max(high, other.high)
            values += other.values
            distinct.formUnion(other.distinct)
        }
    }

    /// Adds one value's bytes to `acc`.
    @inline(__always)
    func add(_ bytes: UnsafeRawBufferPointer, to acc: inout Accumulator) {
        switch self {
        case .count:
            return
        case .uniq:
            if !bytes.isEmpty { acc.distinct.insert(String(decoding: bytes, as: UTF8.self)) }
        default:
            guard let v = FieldFilter.number(bytes) else { return }
            acc.n += 1
            acc.sum += v
            if v < acc.low { acc.low = v }
            if v > acc.high { acc.high = v }
            if case .percentile = self { acc.values.append(v) }
        }
    }

    /// The result for a group of `events` events; "" when no numeric value was seen.
    func result(_ acc: Accumulator, events: Int) -> String {
        switch self {
        case .count: return String(events)
        case .uniq: return String(acc.distinct.count)
        case .sum: return acc.n == 0 ? "" : Self.format(acc.sum)
        case .avg: return acc.n == 0 ? "" : Self.format(acc.sum / Double(acc.n))
        case .min: return acc.n == 0 ? "" : Self.format(acc.low)
        case .max: return acc.n == 0 ? "" : Self.format(acc.high)
        case .percentile(let p, _):
            guard !acc.values.isEmpty else { return "" }
            let sorted = acc.values.sorted()
            let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
            return Self.format(sorted[Swift.max(0, Swift.min(sorted.count - 1, rank - 1))])
        }
    }

    /// A number as printed: integers without a fraction, others with at most 3 decimals.
    static func format(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        var text = String((v * 1000).rounded() / 1000)
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }

    public var description: String {
        switch self {
        case .count: "count()"
        case .sum(let f): "sum(\(f))"
        case .avg(let f): "avg(\(f))"
        case .min(let f): "min(\(f))"
        case .max(let f): "max(\(f))"
        case .percentile(let p, let f): "p\(StatsFunction.format(p))(\(f))"
        case .uniq(let f): "uniq(\(f))"
        }
    }
}
