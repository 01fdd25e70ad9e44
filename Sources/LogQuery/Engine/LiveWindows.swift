import AuditCore

/// Live windows of an aggregate: one state per window start, printed when the window closes.
public struct LiveWindows {
    public let live: LiveQuery
    /// How long after its end a window waits for late commits before it prints, ns.
    public let grace: Int64
    private var open: [Int64: Aggregate] = [:]
    /// Windows already printed, whose late events print as a late row at the next close.
    private var printed: Set<Int64> = []
    private var late: [Int64: Aggregate] = [:]

    public init(live: LiveQuery, grace: Int64) {
        self.live = live
        self.grace = grace
    }

    /// Adds a matching event to its window (a late row when that window was printed).
    public mutating func add(_ event: AuditEvent) {
        guard let window = live.window, let pipe = live.aggregatePipe else { return }
        let start = window.start(event.time)
        if printed.contains(start) {
            if late[start] == nil { late[start] = Aggregate(pipe) }
            late[start]?.add(event)
        } else {
            if open[start] == nil { open[start] = Aggregate(pipe) }
            open[start]?.add(event)
        }
    }

    /// Hands over every window whose end plus the grace is not after `now`, oldest first, then
    /// the late rows of windows already handed over (`time` marked "(late)"). `now` Int64.max
    /// closes every window.
    public mutating func close(now: Int64, emit: (ResultTable) -> Void) {
        guard let window = live.window else { return }
        for start in open.keys.sorted() where now == Int64.max || start + window.width + grace <= now {
            if let state = open.removeValue(forKey: start) { emit(state.table) }
            printed.insert(start)
        }
        for start in late.keys.sorted() {
            guard let state = late.removeValue(forKey: start) else { continue }
            var table = state.table
            if let time = table.columns.firstIndex(of: "time") {
                for k in table.rows.indices { table.rows[k][time] += " (late)" }
            }
            emit(table)
        }
        // Printed windows are remembered for a day of late events, not forever.
        printed = printed.filter { $0 + window.width + 86_400_000_000_000 > min(now, Int64.max - 86_400_000_000_000) }
    }

    /// Milliseconds until the next open window closes; nil when none is open.
    public func millisecondsToNextClose(now: Int64) -> Int? {
        guard let window = live.window, let first = open.keys.min() else { return nil }
        return Int(max(0, (first + window.width + grace - now) / 1_000_000)) + 1
    }
}
