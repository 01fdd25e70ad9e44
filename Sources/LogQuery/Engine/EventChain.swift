import AuditCore

/// The event pipes of a query (`sort`, `head`/`limit`, `tail`, `fields` before any aggregate)
/// as a push chain: the executor pushes events in time order; each step passes them on, holds
/// them (`tail` in a ring of N, `sort` in a buffer), or says stop (`head` once full).
final class EventChain {
    private let steps: [Pipe]
    private let sink: (AuditEvent) throws -> Bool
    /// Per step: events passed (`limit`).
    private var passed: [Int]
    /// Per step: the ring of `tail`.
    private var rings: [TailPipe.Ring<AuditEvent>?]
    /// Per step: the events held by `sort`, each with its sort cells and arrival number.
    private var held: [[(cells: [String], order: Int, event: AuditEvent)]]
    /// Per step: approximate bytes held by `sort` (see ``heldSize(_:)``).
    private var heldBytes: [Int]
    /// Bytes `sort` may hold, per step (``QueryLimits/sortBudgetBytes``).
    private let sortBudgetBytes: Int
    private var arrivals = 0

    /// `steps` must be event pipes; `sink` receives what comes out and returns false to stop.
    init(steps: [Pipe], sortBudgetBytes: Int = QueryLimits.sortBudgetBytes, sink: @escaping (AuditEvent) throws -> Bool) {
        self.steps = steps
        self.sink = sink
        self.sortBudgetBytes = sortBudgetBytes
        heldBytes = Array(repeating: 0, count: steps.count)
        passed = Array(repeating: 0, count: steps.count)
        rings = steps.map { step in
            if case .tail(let t) = step { return TailPipe.Ring(capacity: t.count) }
            return nil
        }
        held = Array(repeating: [], count: steps.count)
    }

    /// Pushes an event; false when no more are wanted.
    func push(_ event: AuditEvent) throws -> Bool {
        try push(event, at: 0)
    }

    private func push(_ event: AuditEvent, at i: Int) throws -> Bool {
        guard i < steps.count else { return try sink(event) }
        switch steps[i] {
        case .limit(let l):
            guard passed[i] < l.count else { return false }
            passed[i] += 1
            let more = try push(event, at: i + 1)
            return more && passed[i] < l.count
        case .tail:
            rings[i]!.push(event)
            return true
        case .sort(let s):
            arrivals += 1
            let cells = s.cells(event)
            held[i].append((cells, arrivals, event))
            heldBytes[i] += Self.heldSize(event, cells)
            // Before `head N` only the first N can come out: trim the buffer now and then.
            if i + 1 < steps.count, case .limit(let l) = steps[i + 1],
                held[i].count > max(2 * l.count, 4096) || heldBytes[i] > sortBudgetBytes / 2
            {
                held[i] = Array(sorted(held[i], s).prefix(l.count))
                heldBytes[i] = held[i].reduce(0) { $0 + Self.heldSize($1.event, $1.cells) }
            }
            if heldBytes[i] > sortBudgetBytes {
                throw QueryError(
                    column: s.column,
                    message: "cannot sort the events at '\(s)': they take more than \(sortBudgetBytes >> 20) MiB "
                        + "(\(held[i].count) events so far); add '| head N' after the sort, narrow the time range (since=, until=) "
                        + "or the filter, or sort an aggregate ('| count by f | sort by count')")
            }
            return true
        default:
            return try push(event, at: i + 1)
        }
    }

    /// Approximate bytes one held event takes: its original bytes, its sort cells, and
    /// ~512 B for its field values and the tuple.
    private static func heldSize(_ event: AuditEvent, _ cells: [String]) -> Int {
        event.raw.count + cells.reduce(0) { $0 + $1.utf8.count } + 512
    }

    private func sorted(
        _ items: [(cells: [String], order: Int, event: AuditEvent)], _ s: SortPipe
    ) -> [(cells: [String], order: Int, event: AuditEvent)] {
        items.sorted { a, b in
            if s.precedes(a.cells, b.cells) { return true }
            if s.precedes(b.cells, a.cells) { return false }
            return a.order < b.order
        }
    }

    /// Releases what buffering steps hold, in order, after the last event.
    func finish() throws {
        try finish(from: 0)
    }

    private func finish(from start: Int) throws {
        for i in start..<steps.count {
            var out: [AuditEvent] = []
            switch steps[i] {
            case .tail:
                out = rings[i]!.contents
                rings[i] = nil
            case .sort(let s):
                out = sorted(held[i], s).map(\.event)
                held[i] = []
                heldBytes[i] = 0
            default:
                continue
            }
            for event in out {
                if try !push(event, at: i + 1) { break }
            }
        }
    }
}
