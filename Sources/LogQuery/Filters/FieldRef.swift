import AuditCore
import SegmentStore

/// A field a query can name: a normalized ``Field`` or the event's `source`.
public enum FieldRef: Sendable, Equatable, Hashable, CustomStringConvertible {
    case field(Field)
    case source

    /// Looks up a field by the name users type.
    public init?(name: String) {
        if name == "source" {
            self = .source
        } else if let field = Field(name: name) {
            self = .field(field)
        } else {
            return nil
        }
    }

    /// All names users can type, for messages.
    public static var allNames: [String] { ["source"] + Field.allCases.map(\.name) }

    /// The value of this field in `event` ("" when absent).
    @inline(__always)
    public func value(in event: AuditEvent) -> String {
        switch self {
        case .field(let f): event.fields[f]
        case .source: event.source.name
        }
    }

    /// The value of this field in row `row` of a block ("" when absent).
    @inline(__always)
    public func value(in view: BlockView, _ row: Int) -> String {
        switch self {
        case .field(let f): view.string(row, f)
        case .source: view.source(row).name
        }
    }

    /// Whether values compare as numbers.
    public var isNumeric: Bool {
        if case .field(let f) = self { return f.isNumeric }
        return false
    }

    public var description: String {
        switch self {
        case .field(let f): f.name
        case .source: "source"
        }
    }

    /// The known name closest to `name` (edit distance ≤ 2), for "did you mean" hints.
    static func suggestion(for name: String) -> String? {
        var best: (String, Int)?
        for candidate in allNames {
            let d = editDistance(Array(name), Array(candidate))
            if d <= 2, best == nil || d < best!.1 { best = (candidate, d) }
        }
        return best?.0
    }

    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
