/// The dedupe memory of one open partition (an hour), as one ``IdentityTable`` per minute of
/// event time, each of which can be let go and read back from disk.
///
/// Why by minute of event time: a duplicate is the same identity with the same bytes, so it
/// has the same time; an event can only duplicate one of its own minute. A long-running writer
/// (`logq serve`) receives the current minutes and, rarely, a re-sent batch of older ones: the
/// tables of minutes no event came for lately are released
/// (``StoreWriter/releaseIdleIdentities(idleSeconds:)``), so memory follows the event rate over
/// the last minutes instead of growing with the hour. An event of a released (or never
/// loaded) minute first reads that minute's identities back from the partition's blocks.
///
/// What is given up: an ID conflict (the same identity with other content) is only seen
/// within one minute of event time, and counted as such; both events are stored either way.
struct PartitionIdentities {
    static let minuteNanos: Int64 = 60_000_000_000

    /// Start of the hour, ns UTC.
    let hourStart: Int64
    /// One table per minute of the hour; nil when its identities are on disk only.
    private var tables: [IdentityTable?]
    /// Minutes an event was inserted into since the last ``stamp(now:)``.
    private var touched: [Bool]
    /// When each minute was last stamped as used (monotonic ns).
    private var lastUsed: [UInt64]

    /// Every minute loaded and empty (a new hour), or every minute on disk only (an hour that
    /// has segments, read back a minute at a time when needed).
    init(hourStart: Int64, loaded: Bool, now: UInt64) {
        self.hourStart = hourStart
        tables = Array(repeating: loaded ? IdentityTable(capacity: 16) : nil, count: 60)
        touched = Array(repeating: false, count: 60)
        lastUsed = Array(repeating: now, count: 60)
    }

    /// The minute of the hour `time` falls in (times outside the hour, which routing never
    /// gives, are clamped).
    func minute(of time: Int64) -> Int {
        let offset = time &- hourStart
        return offset < 0 ? 0 : min(59, Int(offset / Self.minuteNanos))
    }

    /// The time range of minute `m`, ns.
    func range(ofMinute m: Int) -> ClosedRange<Int64> {
        let start = hourStart + Int64(m) * Self.minuteNanos
        return start...(start + Self.minuteNanos - 1)
    }

    /// Whether minute `m`'s identities are in memory.
    func isLoaded(_ m: Int) -> Bool { tables[m] != nil }

    /// Identities held in memory.
    var count: Int { tables.reduce(0) { $0 + ($1?.count ?? 0) } }

    /// Minutes held in memory.
    var loadedMinutes: Int { tables.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }

    /// Makes minute `m` loaded (empty), for ``insert(minute:id:content:)`` to fill from disk.
    mutating func startLoading(_ m: Int) {
        if tables[m] == nil { tables[m] = IdentityTable(capacity: 16) }
    }

    /// Adds the pair to minute `m` (which must be loaded) unless it is there; says what was found.
    @discardableResult
    mutating func insert(minute m: Int, id: UInt64, content: UInt64) -> IdentityTable.Outcome {
        touched[m] = true
        return tables[m]!.insert(id: id, content: content)
    }

    /// Adds the pair to the minute of `time`, loaded or not (for filling every minute from disk).
    mutating func insertLoading(time: Int64, id: UInt64, content: UInt64) {
        let m = minute(of: time)
        startLoading(m)
        tables[m]!.insert(id: id, content: content)
    }

    /// Marks the minutes touched since the last stamp as used at `now`.
    mutating func stamp(now: UInt64) {
        for m in 0..<60 where touched[m] {
            touched[m] = false
            lastUsed[m] = now
        }
    }

    /// Lets go of the loaded minutes not used for `idle` ns before `now` (stamped first);
    /// returns how many. Their events must all be on disk (the caller has committed).
    mutating func release(idle: UInt64, now: UInt64) -> Int {
        stamp(now: now)
        var released = 0
        for m in 0..<60 where tables[m] != nil && now &- lastUsed[m] >= idle {
            tables[m] = nil
            released += 1
        }
        return released
    }
}
