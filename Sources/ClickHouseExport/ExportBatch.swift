import AuditCore

/// The rows of one batch as they are collected: JSONEachRow rows without their batch token,
/// in one buffer, and the span of their event times.
public struct ExportBatch: Sendable {
    /// The rows, each without its closing `,"logq_batch":…}` (``ClickHouseRow``).
    public private(set) var rows: [UInt8] = []
    /// Where each row ends in `rows`.
    public private(set) var ends: [Int] = []
    /// The smallest and largest event time, ns UTC.
    public private(set) var firstTime = Int64.max
    public private(set) var lastTime = Int64.min
    /// The time of the event added last, ns UTC.
    public private(set) var latestAdded = Int64.min

    public init() {}

    public var count: Int { ends.count }
    public var isEmpty: Bool { ends.isEmpty }

    public mutating func add(_ event: AuditEvent) {
        ClickHouseRow.append(event, into: &rows)
        ends.append(rows.count)
        firstTime = min(firstTime, event.time)
        lastTime = max(lastTime, event.time)
        latestAdded = event.time
    }

    public mutating func removeAll() {
        rows.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        firstTime = .max
        lastTime = .min
        latestAdded = .min
    }

    /// Seconds since the epoch of an event time (floor, for a DateTime comparison).
    static func second(_ nanos: Int64) -> Int64 {
        nanos >= 0 ? nanos / 1_000_000_000 : (nanos - 999_999_999) / 1_000_000_000
    }
}
