/// `| tail [N]`: the last N events (or rows) of the result (10 when N is omitted). Events are
/// kept in a ring of N, so memory stays bounded on any range.
public struct TailPipe: Sendable, Equatable, CustomStringConvertible {
    public var count: Int

    public init(count: Int) {
        self.count = count
    }

    static func parse(_ p: inout QueryParser) throws(QueryError) -> TailPipe {
        TailPipe(count: try LimitPipe.parse(&p, name: "tail").count)
    }

    /// A ring buffer of the last `capacity` items pushed.
    public struct Ring<T> {
        let capacity: Int
        private var items: [T] = []
        private var next = 0

        public init(capacity: Int) {
            self.capacity = capacity
        }

        public mutating func push(_ item: T) {
            guard capacity > 0 else { return }
            if items.count < capacity {
                items.append(item)
            } else {
                items[next] = item
                next = (next + 1) % capacity
            }
        }

        /// The items kept, oldest first.
        public var contents: [T] { Array(items[next...] + items[..<next]) }
    }

    public var description: String { "tail \(count)" }
}
