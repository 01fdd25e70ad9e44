import AuditCore
import SegmentStore
import LogQuery

/// `--explain`: the plan before the run and the counters after it, on stderr.
enum Explain {
    /// How the query will run: filter order, pruning, window and pipes.
    static func plan(_ query: Query) -> String {
        var lines = ["logq: plan"]
        lines.append("  filter:  \(filterText(query.filter))")
        let since = query.timeRange.since.map { Timestamp.format($0) } ?? "the first event"
        let until = query.timeRange.until.map { Timestamp.format($0) } ?? "the last event"
        lines.append("  window:  \(since) to \(until) (partitions and blocks outside it are skipped unread)")
        let pruning = prunedFields(query.filter)
        lines.append(
            "  prune:   "
                + (pruning.isEmpty ? "by time only" : "by time, and by block summaries on " + pruning.joined(separator: ", ")))
        if query.filter.cost > 0 {
            lines.append("  raw:     phrases and JSON paths read the original events, after the column filters")
        }
        if !query.pipes.isEmpty {
            lines.append("  pipes:   " + query.pipes.map(\.description).joined(separator: " | "))
        }
        return lines.joined(separator: "\n")
    }

    static func filterText(_ filter: FilterExpression) -> String {
        if case .all = filter { return "every event" }
        return filter.description
    }

    /// Fields whose terms can skip blocks by their summaries.
    static func prunedFields(_ filter: FilterExpression) -> [String] {
        switch filter {
        case .field(let f):
            if case .field(let field) = f.field, !BlockSummary.fields.contains(field) { return [] }
            if case .path = f.field { return [] }
            return [f.field.description]
        case .and(let parts), .or(let parts):
            var out: [String] = []
            for name in parts.flatMap(prunedFields) where !out.contains(name) { out.append(name) }
            return out
        default:
            return []
        }
    }

    /// What the run read and matched, and its wall time.
    static func counters(_ outcome: QueryRunner.Outcome) -> String {
        let s = outcome.stats.scan
        let e = outcome.stats
        return """
            logq: \(s.partitions) partitions considered, \(s.segments) segments
            logq: \(s.blocksRead) blocks considered: \(s.blocksSkipped) skipped by time, \(s.blocksPruned) skipped by index (block summaries), \(s.blocksFromSummary) answered from summary counts, \(s.blocksDecoded) decompressed
            logq: \(e.eventsScanned) events scanned, \(e.eventsMatched) matched, \(outcome.produced) \(outcome.produced == 1 ? "result" : "results")
            logq: wall time \(String(Double(outcome.wallNanos / 1_000) / 1_000)) ms
            """
    }
}
