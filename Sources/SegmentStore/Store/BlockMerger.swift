import AuditCore

/// Merges small blocks of one source into full ones during compaction.
///
/// A writer that commits often (`ingest --follow` every 100 ms, the server's group commits)
/// writes a block per source and partition at each commit, often of a few hundred events;
/// small blocks compress worse (a column's dictionary and DEFLATE's window start empty in each)
/// and cost a frame, a head and a summary apiece. Compaction decodes them and encodes their
/// events again as blocks of up to ``Limits/eventsPerBlock`` events, so a compacted hour is as
/// dense as one written in a single run. Every event keeps its bytes; the journal's rewrite
/// record says at which rows of which new block each old block's events now are, so followers
/// positioned before the compaction still read each event once.
struct BlockMerger {
    /// A block encoded from several small ones: its body, and per old block the rows of the new
    /// block that hold its events (ascending).
    struct Merged {
        var body: [UInt8]
        var origins: [(from: BlockLocation, rows: [Int])]
        var events: Int
    }

    /// Per source (by raw value): the small blocks waiting, with their decoded events.
    private var pending = Array(repeating: [(from: BlockLocation, events: [AuditEvent])](), count: 8)
    private var pendingEvents = Array(repeating: 0, count: 8)
    private var pendingBytes = Array(repeating: 0, count: 8)

    /// Whether a block of `events` events is small enough to merge.
    static func isSmall(_ events: Int) -> Bool { events < Limits.mergeBlockEvents }

    /// Adds a small block; returns the merged blocks that became full (none or one). Nil when
    /// the block does not decode (the caller copies it as it is).
    mutating func add(_ body: UnsafeRawBufferPointer, from: BlockLocation) -> [Merged]? {
        guard let view = BlockView(body: body), view.loadAll(), !view.damaged else { return nil }
        let events = (0..<view.count).map { view.event($0) }
        guard let source = events.first.map({ Int($0.source.rawValue) }), source < pending.count,
            events.allSatisfy({ Int($0.source.rawValue) == source })
        else { return nil }
        let bytes = events.reduce(0) { $0 + $1.raw.count + 64 }
        var out: [Merged] = []
        if pendingEvents[source] + events.count > Limits.eventsPerBlock || pendingBytes[source] + bytes > Limits.blockRawBytes {
            if let merged = take(source) { out.append(merged) }
        }
        pending[source].append((from, events))
        pendingEvents[source] += events.count
        pendingBytes[source] += bytes
        return out
    }

    /// Every block still waiting, merged.
    mutating func finish() -> [Merged] {
        (0..<pending.count).compactMap { take($0) }
    }

    private mutating func take(_ source: Int) -> Merged? {
        let parts = pending[source]
        guard !parts.isEmpty else { return nil }
        pending[source] = []
        pendingEvents[source] = 0
        pendingBytes[source] = 0
        return Self.merge(parts)
    }

    /// Encodes the events of `parts` as one block and finds where each part's events went:
    /// ``Block/prepare(_:)`` sorts by time, stably, so a part's events keep their order and
    /// its j-th event is the j-th row holding one of its events.
    static func merge(_ parts: [(from: BlockLocation, events: [AuditEvent])]) -> Merged {
        var events: [AuditEvent] = []
        var owner: [Int] = []
        for (k, part) in parts.enumerated() {
            events += part.events
            owner += Array(repeating: k, count: part.events.count)
        }
        // The same stable order as Block.prepare.
        let order = events.indices.sorted { a, b in events[a].time != events[b].time ? events[a].time < events[b].time : a < b }
        var rows = Array(repeating: [Int](), count: parts.count)
        for (row, index) in order.enumerated() { rows[owner[index]].append(row) }
        return Merged(body: Block.encode(events), origins: parts.indices.map { (parts[$0].from, rows[$0]) }, events: events.count)
    }
}
