import AuditCore
import SegmentStore

/// What a query run read and matched, for `--stats`.
public struct QueryStats: Sendable {
    /// What the store scan saw (partitions, blocks, damaged blocks).
    public var scan = ScanReport()
    /// Events decoded and tested.
    public var eventsScanned = 0
    /// Events that passed the filter and the time window.
    public var eventsMatched = 0

    public init() {}
}

/// Runs a ``Query`` over a store: partitions in time order, blocks pruned by time, events
/// filtered, and results streamed in time order one partition at a time (so memory holds one
/// partition's matches, not the whole result).
public struct QueryExecutor {
    public let reader: StoreReader

    public init(reader: StoreReader) {
        self.reader = reader
    }

    /// Calls `emit` with each matching event in time order (ties in storage order) until it
    /// returns false. Returns what was read.
    @discardableResult
    public func run(_ query: Query, emit: (AuditEvent) throws -> Bool) throws -> QueryStats {
        var stats = QueryStats()
        let range = query.timeRange.closedRange
        for partition in try reader.partitions(in: range) {
            var matches: [AuditEvent] = []
            let report = try reader.scan(partition: partition, range: range) { event in
                stats.eventsScanned += 1
                if query.timeRange.contains(event.time), query.filter.matches(event) {
                    matches.append(event)
                }
                return true
            }
            stats.scan.problems += report.problems
            stats.scan.partitions += 1
            stats.scan.segments += report.segments
            stats.scan.blocksRead += report.blocksRead
            stats.scan.blocksSkipped += report.blocksSkipped
            stats.scan.blocksDecoded += report.blocksDecoded
            stats.scan.tornSegments += report.tornSegments
            // Stable: events of equal time keep their storage order.
            let ordered = matches.enumerated().sorted {
                $0.element.time != $1.element.time ? $0.element.time < $1.element.time : $0.offset < $1.offset
            }
            for (_, event) in ordered {
                stats.eventsMatched += 1
                if try !emit(event) { return stats }
            }
        }
        return stats
    }
}
