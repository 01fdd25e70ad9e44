import AuditCore
import Dispatch
import SegmentStore

#if canImport(Glibc)
import Glibc
#endif

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

/// Runs a ``Query`` over a store: partitions in time order, blocks pruned by time and by their
/// summaries, events filtered on every core, and results streamed in time order a round of
/// blocks at a time (so memory holds a round's matches, not the whole result).
public struct QueryExecutor {
    public let reader: StoreReader
    /// Asked between rounds of blocks (and between partitions of an aggregate): true stops
    /// the run with ``QueryStopped`` — a server's time limit, or a client that went away.
    public var shouldStop: (@Sendable () -> Bool)?

    /// Stores read after `reader` as one with it (`logq --data A --data B`), each event once
    /// (see ``StoreSet``). Read only: nothing writes through an executor.
    public var more: [StoreReader] = []

    public init(reader: StoreReader, shouldStop: (@Sendable () -> Bool)? = nil) {
        self.reader = reader
        self.shouldStop = shouldStop
    }

    /// An executor over several stores read as one; `readers` is not empty.
    public init(readers: [StoreReader], shouldStop: (@Sendable () -> Bool)? = nil) {
        precondition(!readers.isEmpty, "a query reads at least one store")
        self.init(reader: readers[0], shouldStop: shouldStop)
        more = Array(readers.dropFirst())
    }

    /// Every store this executor reads, the first one first.
    public var readers: [StoreReader] { [reader] + more }

    /// Throws ``QueryStopped`` when ``shouldStop`` says so.
    private func checkStop() throws(QueryStopped) {
        if let shouldStop, shouldStop() { throw QueryStopped() }
    }

    /// Threads that decode and filter blocks: the machine's cores, at most 8.
    public static let defaultWorkers = max(1, min(8, System.coreCount))

    /// Blocks decoded per round of the streaming scan, per worker thread: enough to keep
    /// every core busy, few enough that a round's matches stay small (≤ 4,096 events a block).
    public static let blocksPerWorkerPerRound = 1

    /// Calls `emit` with each matching event in time order (ties in storage order) until it
    /// returns false. Events carry the `parts` asked for (the others empty): output that
    /// prints fields alone, or original bytes alone, does not pay for the other.
    ///
    /// Streams: partition after partition, blocks are taken in order of their first time, a
    /// round of a few at a time (across partitions when one has few), decoded and filtered on
    /// ``defaultWorkers`` threads; after each round the matches earlier than the next block's
    /// first time are emitted, and only the later ones are held. Memory holds a round's matches plus those held, not a partition's, and the
    /// first matches print after the first round. Returns what was read.
    @discardableResult
    /// `visited`, when given, is told of the blocks read (for a follower that must not read them
    /// again live).
    public func run(
        _ query: Query, parts: EventParts = .all, visited: (([BlockBody]) -> Void)? = nil, emit: (AuditEvent) throws -> Bool
    ) throws -> QueryStats {
        var stats = QueryStats()
        let range = query.timeRange.closedRange
        let round = max(2, Self.defaultWorkers * Self.blocksPerWorkerPerRound)
        // Blocks to read, in time order: partitions are hours of event time, taken in order, and
        // within one the blocks go by first time (ties in storage order), so first times never
        // decrease along the queue. Partitions are opened as the queue runs low, so a round can
        // take blocks of several partitions (a needle with one matching block per hour still
        // keeps every core busy) while memory holds a few partitions' block lists, not all.
        let stores = StoreSet(readers: readers)
        var partitions = try stores.hours(in: range)[...]
        // `shared`: another store's block may hold some of the same events: its matches are
        // deduplicated. `owner`: the store it came from.
        var queue: [(body: BlockBody, first: Int64, order: Int, owner: Int, shared: Bool)] = []
        var next = 0
        var ordinal = 0
        func refill() throws {
            while queue.count - next < round, let partition = partitions.popFirst() {
                let hour = try stores.collect(partition, range: range, mayMatch: query.filter.mayMatch)
                for report in hour.reports { stats.add(report) }
                let bodies = hour.bodies
                visited?(bodies)
                let sorted = bodies.indices.map { ($0, Block.header(bodies[$0].bytes)?.minTime ?? Int64.min) }
                    .sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }
                // `order` ties equal times by partition, then storage order.
                for (index, first) in sorted {
                    queue.append((bodies[index], first, ordinal << 32 | index, hour.owners[index], hour.needsKeys?[index] ?? false))
                }
                ordinal += 1
            }
            if next > 4096 {
                queue.removeFirst(next)
                next = 0
            }
        }
        // Matches not yet emitted: time, order of the block, row, the block (decoded, shared
        // by its rows), its store, and whether its block is shared. Events are built one at a
        // time as they are emitted, so memory holds a round's decoded blocks, not their
        // matches as events.
        var held: [(time: Int64, block: Int, row: Int, view: BlockView, owner: Int, shared: Bool)] = []
        // Rows of shared blocks emitted at `keysTime`: a duplicate has the same time.
        var keysTime = Int64.min
        var emittedAtTime: [(owner: Int, view: BlockView, row: Int)] = []
        try refill()
        while next < queue.count {
            try checkStop()
            let batch = queue[next..<min(next + round, queue.count)]
            next = batch.endIndex
            let found = try parallelMap(batch.map(\.body), query: query, into: &stats) { _, view, filter -> (BlockView, [Int]) in
                let rows = Self.matchingRows(view, filter, query.timeRange)
                // Decode what the events need here, on the worker, not later on the emitting thread.
                if !rows.isEmpty { _ = view.load(parts, rows: rows) }
                return (view, rows)
            }
            // Every column a match needs is decoded into memory of its own by now.
            for entry in batch { entry.body.dropPages() }
            for (slot, result) in found.enumerated() {
                guard let (view, rows) = result else { continue }
                let entry = batch[batch.startIndex + slot]
                for row in rows { held.append((view.time(row), entry.order, row, view, entry.owner, entry.shared)) }
            }
            held.sort { a, b in
                a.time != b.time ? a.time < b.time : (a.block != b.block ? a.block < b.block : a.row < b.row)
            }
            // Later blocks hold nothing earlier than their first time, and partitions not yet
            // opened nothing earlier than their hour.
            let watermark = next < queue.count ? queue[next].first : (partitions.first?.start ?? Int64.max)
            var emitted = 0
            while emitted < held.count, held[emitted].time < watermark {
                let match = held[emitted]
                emitted += 1
                if match.shared {
                    if match.time != keysTime {
                        keysTime = match.time
                        emittedAtTime.removeAll(keepingCapacity: true)
                    }
                    // Same time in another store: a duplicate if identity and bytes are equal
                    // too (compared here, for these few rows only).
                    if emittedAtTime.contains(where: { $0.owner != match.owner && CrossStoreIdentity.same($0.view, $0.row, match.view, match.row) }) {
                        continue
                    }
                    emittedAtTime.append((match.owner, match.view, match.row))
                }
                stats.eventsMatched += 1
                if try !emit(match.view.event(match.row, parts: parts)) { return stats }
            }
            held.removeFirst(emitted)
            try refill()
        }
        // Partitions hold nothing past their hour, so nothing is left here; kept for safety.
        for entry in held {
            stats.eventsMatched += 1
            if try !emit(entry.view.event(entry.row, parts: parts)) { break }
        }
        return stats
    }

    /// Folds every matching row into a `State` without materializing events: for
    /// aggregations. Each thread folds its blocks into its own state; `merge` combines them.
    ///
    /// `fromSummary`, when given, is offered each block whose every event matches (by its time
    /// range and its summary's distinct values) before it is decompressed; when it returns true
    /// (it added the block from the summary's per-value counts) the block is not read.
    public func aggregate<State>(
        _ query: Query, initial: State,
        add: @escaping (inout State, BlockView, [Int]) -> Void,
        merge: (inout State, State) -> Void,
        fromSummary: ((inout State, BlockSummary, Int) -> Bool)? = nil
    ) throws -> (state: State, stats: QueryStats) {
        var stats = QueryStats()
        var total = initial
        let range = query.timeRange.closedRange
        let stores = StoreSet(readers: readers)
        for hour in try stores.hours(in: range) {
            try checkStop()
            let collected = try stores.collect(hour, range: range, mayMatch: query.filter.mayMatch)
            var bodies = collected.bodies
            var report = collected.reports[0]
            for other in collected.reports.dropFirst() { stats.add(other) }
            if let needsKeys = collected.needsKeys {
                // The blocks that may share events with another store's go the keyed way; the
                // rest as one store's do, summaries included.
                let shared = bodies.indices.filter { needsKeys[$0] }
                try aggregateShared(
                    shared.map { bodies[$0] }, owners: shared.map { collected.owners[$0] }, query: query, initial: initial, add: add,
                    merge: merge, into: &total, stats: &stats)
                bodies = bodies.indices.filter { !needsKeys[$0] }.map { bodies[$0] }
            }
            if let fromSummary {
                bodies = bodies.filter { body in
                    guard let header = Block.header(body.bytes),
                        query.timeRange.contains(header.minTime), query.timeRange.contains(header.maxTime),
                        let summary = Block.summary(body.bytes), query.filter.allMatch(summary),
                        fromSummary(&total, summary, Int(header.eventCount))
                    else { return true }
                    // Its columns are not read, so their CRCs are not either: the whole frame's
                    // is, or damage a scan would report goes unsaid. The summary (under the head
                    // CRC) still counts right; the answer says the block is damaged.
                    if !body.frameIntact {
                        report.problems.append(
                            SegmentProblem(
                                path: body.segmentPath, offset: body.frameOffset,
                                message: "block checksum mismatch; counted from its checked summary, but its columns are damaged"))
                    }
                    report.blocksFromSummary += 1
                    stats.eventsMatched += Int(header.eventCount)
                    return false
                }
            }
            stats.add(report)
            let partials = try parallelMap(bodies, query: query, into: &stats) { _, view, filter -> (State, Int) in
                var state = initial
                let rows = Self.matchingRows(view, filter, query.timeRange)
                add(&state, view, rows)
                return (state, rows.count)
            }
            for body in bodies { body.dropPages() }
            for case let (state, matched)? in partials {
                merge(&total, state)
                stats.eventsMatched += matched
            }
        }
        return (total, stats)
    }

    /// Folds the blocks of an hour that may share events with another store's block, each
    /// event once (``CrossStoreIdentity``), each level of "the same" only for the rows the
    /// cheaper one could not tell apart:
    ///
    /// 1. on every core, each block's matching rows are folded into a state of its own, and
    ///    their times kept. A block none of whose times is met in another store is merged as
    ///    it is: two stores of different events (two clusters) pay this pass and a sort.
    /// 2. the other blocks are read again for the identities (source, ID, stage) of their rows
    ///    of such times; a block none of whose identities is met in another store is merged.
    /// 3. the rest are read again for the original bytes of their rows of such identities,
    ///    hashed with time and identity; a row whose key another store gave first is dropped,
    ///    the others are folded.
    ///
    /// Memory holds a state, the matching rows and their times per block of the hour, and a
    /// round of decoded blocks. No block is answered from its summary.
    private func aggregateShared<State>(
        _ bodies: [BlockBody], owners: [Int], query: Query, initial: State, add: @escaping (inout State, BlockView, [Int]) -> Void,
        merge: (inout State, State) -> Void, into total: inout State, stats: inout QueryStats
    ) throws {
        let round = max(2, Self.defaultWorkers * 4)
        /// Runs `work` over the blocks `indices` a round at a time, then `each` on this thread
        /// with each result in block order, and drops the round's pages: memory holds a round
        /// of decoded blocks. Later passes report only damage (pass 1 counted the reads).
        func pass<T>(
            _ indices: [Int], counting: Bool, _ work: @escaping (Int, BlockView, FilterExpression) -> T, each: (Int, T) -> Void
        ) throws {
            var start = 0
            while start < indices.count {
                try checkStop()
                let chunk = Array(indices[start..<min(start + round, indices.count)])
                start += chunk.count
                let work = { (slot: Int, view: BlockView, filter: FilterExpression) in work(chunk[slot], view, filter) }
                let found: [T?]
                if counting {
                    found = try parallelMap(chunk.map { bodies[$0] }, query: query, into: &stats, work)
                } else {
                    var again = QueryStats()
                    found = try parallelMap(chunk.map { bodies[$0] }, query: query, into: &again, work)
                    stats.scan.problems += again.scan.problems
                }
                for index in chunk { bodies[index].dropPages() }
                for (slot, result) in found.enumerated() { if let result { each(chunk[slot], result) } }
            }
        }
        /// ``pass(_:counting:_:each:)`` keeping the results, by block index.
        func collect<T>(_ indices: [Int], counting: Bool, _ work: @escaping (Int, BlockView, FilterExpression) -> T) throws -> [Int: T] {
            var out: [Int: T] = [:]
            try pass(indices, counting: counting, work) { out[$0] = $1 }
            return out
        }
        // Pass 1: per block, its state, matching rows and their times.
        let firsts = try collect(Array(bodies.indices), counting: true) { _, view, filter -> (state: State, rows: [Int], times: [Int64]) in
            let rows = Self.matchingRows(view, filter, query.timeRange)
            var state = initial
            add(&state, view, rows)
            return (state, rows, rows.map { view.time($0) })
        }
        func settle(_ index: Int) {
            guard let first = firsts[index] else { return }
            merge(&total, first.state)
            stats.eventsMatched += first.rows.count
        }
        let times = CrossStoreIdentity.collisions(bodies.indices.map { firsts[$0]?.times }, owners: owners)
        var next: [Int] = []
        for index in bodies.indices.sorted() where firsts[index] != nil {
            if firsts[index]!.times.contains(where: { times.contains($0) }) { next.append(index) } else { settle(index) }
        }
        guard !next.isEmpty else { return }
        // Pass 2: identities of the rows whose time another store has too (nil for the others).
        let seconds = try collect(next, counting: false) { index, view, _ -> [UInt64?] in
            let first = firsts[index]!
            return first.rows.indices.map { k in times.contains(first.times[k]) ? CrossStoreIdentity.identity(view, first.rows[k]) : nil }
        }
        let identities = CrossStoreIdentity.collisions(
            bodies.indices.map { seconds[$0]?.compactMap { $0 } }, owners: owners)
        var last: [Int] = []
        for index in next {
            guard let second = seconds[index] else { continue }  // damaged now: skipped, reported
            if second.contains(where: { $0.map(identities.contains) ?? false }) { last.append(index) } else { settle(index) }
        }
        // Pass 3: full keys of the rows whose identity another store has too; the first store
        // to give a key keeps it.
        var keptBy: [UInt64: Int] = [:]
        try pass(last, counting: false) { index, view, _ -> (BlockView, [UInt64?]) in
            let first = firsts[index]!
            let second = seconds[index]!
            let keyed = first.rows.indices.filter { second[$0].map(identities.contains) ?? false }
            view.loadRaw(rows: keyed.map { first.rows[$0] })
            var keys = [UInt64?](repeating: nil, count: first.rows.count)
            for k in keyed { keys[k] = CrossStoreIdentity.key(view, first.rows[k], identity: second[k]!) }
            return (view, keys)
        } each: { index, result in
            let (view, keys) = result
            let owner = owners[index]
            var kept: [Int] = []
            for (k, row) in firsts[index]!.rows.enumerated() {
                if let key = keys[k] {
                    if let first = keptBy[key] {
                        if first != owner { continue }
                    } else {
                        keptBy[key] = owner
                    }
                }
                kept.append(row)
            }
            guard !kept.isEmpty else { return }
            var part = initial
            add(&part, view, kept)
            merge(&total, part)
            stats.eventsMatched += kept.count
        }
    }

    /// The rows of a block inside the window that pass the filter, in storage order.
    static func matchingRows(_ view: BlockView, _ filter: FilterExpression, _ window: TimeRange) -> [Int] {
        var mask = [Bool](repeating: true, count: view.count)
        // The window first, so costly filters skip the rows outside it.
        if !(window.contains(view.header.minTime) && window.contains(view.header.maxTime)) {
            for i in 0..<view.count where !window.contains(view.time(i)) { mask[i] = false }
        }
        filter.refine(view, &mask)
        return (0..<view.count).filter { mask[$0] }
    }

    /// Decodes `bodies` and applies `work` to each, on up to ``defaultWorkers`` threads, all
    /// sharing the query's filter (it is immutable: regular expressions keep their match data
    /// per thread); results come back in block order, nil for a block that does not decode.
    /// `work` gets the block's index in `bodies`.
    private func parallelMap<T>(
        _ bodies: [BlockBody], query: Query, into stats: inout QueryStats,
        _ work: @escaping (Int, BlockView, FilterExpression) -> T
    ) throws -> [T?] {
        guard !bodies.isEmpty else { return [] }
        let workers = min(Self.defaultWorkers, bodies.count)
        // Each slot below is written by exactly one worker and read after concurrentPerform returns.
        let results = UnsafeMutableBufferPointer<T?>.allocate(capacity: bodies.count)
        results.initialize(repeating: nil)
        let counters = UnsafeMutableBufferPointer<(scanned: Int, damaged: Int)>.allocate(capacity: workers)
        counters.initialize(repeating: (0, 0))
        // Per block: what was damaged (a column whose CRC failed, or a head that does not parse).
        let damages = UnsafeMutableBufferPointer<String?>.allocate(capacity: bodies.count)
        damages.initialize(repeating: nil)
        defer {
            results.deinitialize()
            results.deallocate()
            counters.deallocate()
            damages.deinitialize()
            damages.deallocate()
        }
        let shared = UncheckedBox((bodies: bodies, results: results, counters: counters, filter: query.filter, work: work, damages: damages))
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let box = shared.value
            var scanned = 0
            var damaged = 0
            // Worker w owns blocks w, w + workers, …
            var index = w
            while index < box.bodies.count {
                if let view = BlockView(body: box.bodies[index]) {
                    scanned += view.count
                    let result = box.work(index, view, box.filter)
                    if view.damaged {
                        // A column this query read failed its CRC: the block is skipped, not
                        // answered with that column silently empty.
                        damaged += 1
                        box.damages[index] = view.damage ?? "a column does not decode"
                    } else {
                        box.results[index] = result
                    }
                } else {
                    damaged += 1
                    box.damages[index] = "block head damaged or does not parse"
                }
                index += workers
            }
            box.counters[w] = (scanned, damaged)
        }
        let scanned = counters.reduce(0) { $0 + $1.scanned }
        let damaged = counters.reduce(0) { $0 + $1.damaged }
        stats.eventsScanned += scanned
        stats.scan.blocksDecoded += bodies.count - damaged
        for (index, damage) in damages.enumerated() {
            guard let damage else { continue }
            stats.scan.problems.append(
                SegmentProblem(path: bodies[index].segmentPath, offset: bodies[index].frameOffset, message: "\(damage); block skipped"))
        }
        return Array(results)
    }
}
/// A run stopped because ``QueryExecutor/shouldStop`` said so (time limit, client gone).
public struct QueryStopped: Error, Sendable {
    public init() {}
}

/// Hands values to the worker threads of one `concurrentPerform`: the workers only read them,
/// or write slots that belong to one worker each.
final class UncheckedBox<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}

/// The machine's processors.
enum System {
    static var coreCount: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}

extension QueryStats {
    mutating func add(_ report: ScanReport) {
        scan.problems += report.problems
        scan.partitions += 1
        scan.segments += report.segments
        scan.blocksRead += report.blocksRead
        scan.blocksSkipped += report.blocksSkipped
        scan.blocksPruned += report.blocksPruned
        scan.blocksFromSummary += report.blocksFromSummary
        scan.tornSegments += report.tornSegments
    }
}
