import AuditCore
import SegmentStore

/// `| count [by f…]`: counts events, per distinct combination of the named fields.
public struct CountPipe: Sendable, Equatable {
    /// The fields to group by; empty for a single total.
    public var by: [FieldRef]

    public init(by: [FieldRef]) {
        self.by = by
    }

    /// Parses what follows `count` (`by user,verb` or `by user verb`).
    static func parse(_ p: inout QueryParser) throws(QueryError) -> CountPipe {
        guard p.acceptWord("by") else { return CountPipe(by: []) }
        var fields: [FieldRef] = []
        repeat {
            fields.append(try p.fieldName())
            _ = p.accept(.comma)
        } while p.peekIsWord
        return CountPipe(by: fields)
    }

    /// The running state: counts per group key.
    public struct State {
        /// The pipe being run.
        public let pipe: CountPipe
        /// Count per group (the fields' values in `by` order).
        public private(set) var counts: [[String]: Int] = [:]

        public init(pipe: CountPipe) {
            self.pipe = pipe
        }

        public mutating func add(_ event: AuditEvent) {
            counts[pipe.by.map { $0.value(in: event) }, default: 0] += 1
        }

        /// Adds the counts of another state of the same pipe (from another thread).
        public mutating func merge(_ other: State) {
            for (key, count) in other.counts { counts[key, default: 0] += count }
        }

        /// Counts rows of a block, reading only the grouped fields. Grouping by one dictionary
        /// column counts dictionary indices and names each group once per block.
        public mutating func add(_ view: BlockView, _ rows: [Int]) {
            if pipe.by.count == 1, case .field(let field) = pipe.by[0], case .dictionary(_, let starts, _, let indices) = view.column(field) {
                var perEntry = [Int](repeating: 0, count: starts.count)
                for row in rows { perEntry[Int(indices[row])] += 1 }
                let column = view.column(field)
                for (k, n) in perEntry.enumerated() where n > 0 {
                    counts[[column.withEntry(k) { String(decoding: $0, as: UTF8.self) }], default: 0] += n
                }
                return
            }
            if pipe.by.isEmpty {
                counts[[], default: 0] += rows.count
                return
            }
            for row in rows { counts[pipe.by.map { $0.value(in: view, row) }, default: 0] += 1 }
        }

        /// Groups by descending count, then by key.
        public var rows: [(key: [String], count: Int)] {
            counts.map { (key: $0.key, count: $0.value) }.sorted {
                $0.count != $1.count ? $0.count > $1.count : $0.key.lexicographicallyPrecedes($1.key)
            }
        }
    }

    public var description: String {
        by.isEmpty ? "count" : "count by " + by.map(\.description).joined(separator: ",")
    }
}
