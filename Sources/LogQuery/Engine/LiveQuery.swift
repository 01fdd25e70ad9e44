import AuditCore
import SegmentStore

/// A query followed live (`logq -f`): history first — the last matches among the blocks that
/// were durable when it started — then the matches of every block that becomes durable after,
/// read in arrival order from the store's commit journal (``ArrivalReader``).
///
/// No gap and no duplicate between the two: the journal's head is taken before the history
/// scan, so every block committed after it is read live, and the blocks the history scan
/// visited are remembered, so a block committed after the head that the scan already saw is
/// not read again (wherever a compaction moved it since: a block's every place is known).
public final class LiveQuery {
    public let query: Query
    /// The event parts the output prints.
    public let parts: EventParts
    /// Window width of a live aggregate (`every`), nil for events.
    public let window: TimeBucket?
    /// Blocks the history scan visited (where they were then).
    private var visited: Set<BlockLocation> = []
    /// The query's filter.
    private var filter: FilterExpression { query.filter }

    /// Checks that `query` can run live: events (with `fields` and `head`), or one `count` or
    /// `stats` with `every` (printed a window at a time). Throws a message that says what to
    /// do instead.
    public init(_ query: Query, parts: EventParts) throws(QueryError) {
        self.query = query
        self.parts = parts
        var window: TimeBucket?
        for pipe in query.pipes {
            switch pipe {
            case .sort:
                throw QueryError(column: 1, message: "'| sort' cannot run live (-f): a live result never ends, so it cannot be sorted; drop -f, or drop the sort")
            case .tail:
                throw QueryError(column: 1, message: "'| tail' cannot run live (-f): use -n N for the last N matches before following")
            case .top:
                throw QueryError(column: 1, message: "'| top' cannot run live (-f): use '| count by FIELD every 1m' to print counts a window at a time")
            case .count(let c):
                guard let every = c.every else {
                    throw QueryError(column: 1, message: "a live aggregate needs windows: add 'every 1m' (or another width) to '| count', and each window prints when it closes")
                }
                window = every
            case .stats(let s):
                guard let every = s.every else {
                    throw QueryError(column: 1, message: "a live aggregate needs windows: add 'every 1m' (or another width) to '| stats', and each window prints when it closes")
                }
                window = every
            case .fields, .limit:
                continue
            }
        }
        self.window = window
    }

    /// The aggregate pipe, when the query has one.
    public var aggregatePipe: Pipe? { query.pipes.first(where: \.aggregates) }

    // MARK: - History

    /// The last `count` matches, in time order, among the blocks durable now (call after taking
    /// the journal's head). Partitions are read newest first and the scan stops once `count`
    /// are found, so a follower of a large store starts at once.
    public func history(reader: StoreReader, last count: Int, emit: (AuditEvent) throws -> Bool) throws -> ScanReport {
        var report = ScanReport()
        guard count > 0 else { return report }
        var found: [[AuditEvent]] = []  // per partition, newest partition first
        var total = 0
        for partition in try reader.partitions(in: query.timeRange.closedRange).reversed() {
            let (bodies, scan) = try reader.collectBlocks(partition: partition, range: query.timeRange.closedRange, mayMatch: filter.mayMatch)
            merge(scan, into: &report)
            var matches: [(time: Int64, block: Int, row: Int)] = []
            var views: [BlockView?] = []
            for (k, body) in bodies.enumerated() {
                visited.insert(body.location(in: reader.directory))
                guard let view = BlockView(body: body) else {
                    report.problems.append(SegmentProblem(path: body.segmentPath, offset: body.frameOffset, message: "block head damaged; skipped"))
                    views.append(nil)
                    continue
                }
                let rows = QueryExecutor.matchingRows(view, filter, query.timeRange)
                if view.damaged {
                    report.problems.append(SegmentProblem(path: body.segmentPath, offset: body.frameOffset, message: "\(view.damage ?? "a column does not decode"); block skipped"))
                    views.append(nil)
                    continue
                }
                views.append(rows.isEmpty ? nil : view)
                for row in rows { matches.append((view.time(row), k, row)) }
            }
            matches.sort { $0.time != $1.time ? $0.time < $1.time : ($0.block != $1.block ? $0.block < $1.block : $0.row < $1.row) }
            let wanted = matches.suffix(count - total)
            var events: [AuditEvent] = []
            for match in wanted {
                guard let view = views[match.block] else { continue }
                _ = view.load(parts, rows: [match.row])
                events.append(view.event(match.row, parts: parts))
            }
            for body in bodies { body.dropPages() }
            total += events.count
            found.append(events)
            if total >= count { break }
        }
        for events in found.reversed() {
            for event in events where try !emit(event) { return report }
        }
        return report
    }

    /// Every match since `since` (ns) in time order, among the blocks durable now.
    public func history(reader: StoreReader, since: Int64, emit: (AuditEvent) throws -> Bool) throws -> ScanReport {
        var bounded = query
        bounded.timeRange.since = max(since, query.timeRange.since ?? since)
        let executor = QueryExecutor(reader: reader)
        let directory = reader.directory
        let stats = try executor.run(bounded, parts: parts, visited: { bodies in
            for body in bodies { self.visited.insert(body.location(in: directory)) }
        }, emit: emit)
        return stats.scan
    }

    private func merge(_ scan: ScanReport, into report: inout ScanReport) {
        report.problems += scan.problems
        report.partitions += 1
        report.segments += scan.segments
        report.blocksRead += scan.blocksRead
        report.blocksPruned += scan.blocksPruned
    }

    // MARK: - Live

    /// A match read live: the event, and the cursor after the block it came from.
    public struct Match {
        public var event: AuditEvent
        public var cursor: JournalCursor
        /// When the commit that made it durable was recorded, ns UTC.
        public var committed: Int64
    }

    /// The matches of blocks read in arrival order: per commit record, in time order (a record
    /// holds blocks of several sources and hours); records in arrival order. Blocks the history
    /// scan visited are skipped. Damaged blocks are reported in `problems` and skipped.
    public func matches(_ blocks: [ArrivedBlock], problems: inout [SegmentProblem]) -> [Match] {
        var out: [Match] = []
        var record: [(time: Int64, order: Int, match: Match)] = []
        var current: UInt64?
        var recordEnd = JournalCursor(record: 1)
        // Within a record, matches are sorted by time, so the cursor after any of them is the
        // one after the record's last block read: a record is printed whole or not at all.
        func flush() {
            record.sort { $0.time != $1.time ? $0.time < $1.time : $0.order < $1.order }
            for entry in record {
                var match = entry.match
                match.cursor = recordEnd
                out.append(match)
            }
            record.removeAll()
        }
        for block in blocks {
            if block.record != current {
                flush()
                current = block.record
            }
            recordEnd = block.cursorAfter
            if block.locations.contains(where: visited.contains) { continue }
            guard let view = BlockView(body: block.body) else {
                problems.append(SegmentProblem(path: block.body.segmentPath, offset: block.body.frameOffset, message: "block head damaged; skipped"))
                continue
            }
            var rows = QueryExecutor.matchingRows(view, filter, query.timeRange)
            if let mine = block.rows {
                // A block compaction merged into a larger one: only its own rows.
                let own = Set(mine)
                rows = rows.filter(own.contains)
            }
            if !rows.isEmpty { _ = view.load(parts, rows: rows) }
            if view.damaged {
                problems.append(
                    SegmentProblem(path: block.body.segmentPath, offset: block.body.frameOffset, message: "\(view.damage ?? "a column does not decode"); block skipped"))
                continue
            }
            for row in rows {
                record.append((view.time(row), record.count, Match(event: view.event(row, parts: parts), cursor: block.cursorAfter, committed: block.recordTime)))
            }
        }
        flush()
        return out
    }
}

extension BlockBody {
    /// Where this block is, as the commit journal names it.
    public func location(in directory: DataDirectory) -> BlockLocation {
        let prefix = directory.partitionsPath + "/"
        let segment = segmentPath.hasPrefix(prefix) ? String(segmentPath.dropFirst(prefix.count)) : segmentPath
        return BlockLocation(segment: segment, offset: frameOffset)
    }
}
