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
            let report = try reader.scanBlocks(partition: partition, range: range, mayMatch: query.filter.mayMatch) { view in
                stats.eventsScanned += view.count
                for row in 0..<view.count where query.timeRange.contains(view.time(row)) && query.filter.matches(view, row) {
                    matches.append(view.event(row))
                }
                return true
            }
            stats.add(report)
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

    /// Calls `visit` with each matching row in storage order (not time order), without
    /// materializing events: for aggregations, which read a few fields of many rows.
    @discardableResult
    public func forEachMatch(_ query: Query, _ visit: (BlockView, Int) throws -> Bool) throws -> QueryStats {
        var stats = QueryStats()
        let range = query.timeRange.closedRange
        for partition in try reader.partitions(in: range) {
            var stopped = false
            let report = try reader.scanBlocks(partition: partition, range: range, mayMatch: query.filter.mayMatch) { view in
                stats.eventsScanned += view.count
                for row in 0..<view.count where query.timeRange.contains(view.time(row)) && query.filter.matches(view, row) {
                    stats.eventsMatched += 1
                    if try !visit(view, row) {
                        stopped = true
                        return false
                    }
                }
                return true
            }
            stats.add(report)
            if stopped { break }
        }
        return stats
    }
}

extension QueryStats {
    mutating func add(_ report: ScanReport) {
        scan.problems += report.problems
        scan.partitions += 1
        scan.segments += report.segments
        scan.blocksRead += report.blocksRead
        scan.blocksSkipped += report.blocksSkipped
        scan.blocksDecoded += report.blocksDecoded
        scan.blocksPruned += report.blocksPruned
        scan.tornSegments += report.tornSegments
    }
}
