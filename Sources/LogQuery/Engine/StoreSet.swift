import AuditCore
import SegmentStore

/// One hour of event time and the partition of each store that holds it.
struct StoreHour {
    /// Start of the hour, ns UTC.
    var start: Int64
    /// The stores (by index in ``StoreSet/readers``) holding this hour, in store order.
    var parts: [(store: Int, partition: PartitionInfo)]
}

/// The blocks of one hour of a ``StoreSet``, and which of them need their events keyed.
struct CollectedHour {
    var bodies: [BlockBody]
    /// One report per store partition read.
    var reports: [ScanReport]
    /// For each body, the store it came from (index in ``StoreSet/readers``).
    var owners: [Int]
    /// For each body, whether another store's block may hold some of its events (its sources
    /// and time range meet those of a block of another store); nil when no block may.
    var needsKeys: [Bool]?
}

/// The stores a query reads as one (`logq --data A --data B`): hours in time order across all
/// of them, and each event once even when several stores hold it.
///
/// Three levels of "the same", cheapest first:
/// - a segment with the same seal (content SHA-256) in two stores is read once (a shipped copy
///   beside its source), and a segment that another store compacted into one of its own, with
///   every event kept, is not read at all (``StoreReader/collectBlocks(hour:range:mayMatch:chains:)``);
/// - of the blocks left, only those whose sources and time range meet a block of *another*
///   store may share events: the rest read as one store's do, summaries included;
/// - the events of those blocks go through ``CrossStoreIdentity``: time, source, ID and stage
///   first, the original bytes compared only when those meet a row of another store.
/// One store reads exactly as before.
struct StoreSet {
    let readers: [StoreReader]
    /// Chain seal lines, read once per query when a compacted segment asks for them.
    let chains = ChainSeals()

    init(readers: [StoreReader]) {
        self.readers = readers
    }

    /// The hours meeting `range`, in time order.
    func hours(in range: ClosedRange<Int64>?) throws -> [StoreHour] {
        if readers.count == 1 {
            return try readers[0].partitions(in: range).map { StoreHour(start: $0.start, parts: [(0, $0)]) }
        }
        var byStart: [Int64: StoreHour] = [:]
        for (index, reader) in readers.enumerated() {
            for partition in try reader.partitions(in: range) {
                byStart[partition.start, default: StoreHour(start: partition.start, parts: [])].parts.append((index, partition))
            }
        }
        return byStart.values.sorted { $0.start < $1.start }
    }

    /// The blocks of `hour` meeting `range` and `mayMatch`, one store after the other, each
    /// segment once, and which of them may hold an event that another store's block holds too.
    func collect(_ hour: StoreHour, range: ClosedRange<Int64>?, mayMatch: ((BlockSummary) -> Bool)?) throws -> CollectedHour {
        if hour.parts.count == 1, let part = hour.parts.first {
            let (bodies, report) = try readers[part.store].collectBlocks(partition: part.partition, range: range, mayMatch: mayMatch)
            return CollectedHour(bodies: bodies, reports: [report], owners: Array(repeating: part.store, count: bodies.count), needsKeys: nil)
        }
        let found = try StoreReader.collectBlocks(
            hour: hour.parts.map { (readers[$0.store], $0.partition) }, range: range, mayMatch: mayMatch, chains: chains)
        let owners = found.owners.map { hour.parts[$0].store }
        return CollectedHour(bodies: found.bodies, reports: found.reports, owners: owners, needsKeys: Self.overlapping(found.bodies, owners: owners))
    }

    /// Which blocks meet a block of another store in sources and time (a block whose head does
    /// not parse meets everything: it is reported damaged when read); nil when none does.
    static func overlapping(_ bodies: [BlockBody], owners: [Int]) -> [Bool]? {
        guard Set(owners).count > 1 else { return nil }
        let spans = bodies.map { body -> Span in
            let header = Block.header(body.bytes)
            return Span(min: header?.minTime ?? .min, max: header?.maxTime ?? .max, sources: Block.summary(body.bytes)?.sources ?? 0xFF)
        }
        return overlapping(spans, owners: owners)
    }

    /// A block's time range and sources (a bit per source).
    struct Span {
        var min: Int64
        var max: Int64
        var sources: UInt8
    }

    /// ``overlapping(_:owners:)`` on spans, in O(n log n): a server's store has thousands of
    /// small blocks an hour, too many to compare in pairs. With the blocks in order of their
    /// start, a block meets an earlier one of store `o` and source `s` exactly when the latest
    /// end among those is not before its start, and a later one when the earliest start among
    /// those is not after its end: one pass each way, keeping those per store and source.
    static func overlapping(_ spans: [Span], owners: [Int]) -> [Bool]? {
        guard let stores = owners.max().map({ $0 + 1 }), Set(owners).count > 1 else { return nil }
        let order = spans.indices.sorted { spans[$0].min < spans[$1].min }
        var needsKeys = [Bool](repeating: false, count: spans.count)
        func meets(_ i: Int, _ seen: [[Int64?]], _ test: (Int64) -> Bool) -> Bool {
            for store in 0..<stores where store != owners[i] {
                for bit in 0..<8 where spans[i].sources & (1 << bit) != 0 {
                    if let value = seen[store][bit], test(value) { return true }
                }
            }
            return false
        }
        func note(_ i: Int, _ seen: inout [[Int64?]], _ value: Int64, _ keep: (Int64, Int64) -> Int64) {
            for bit in 0..<8 where spans[i].sources & (1 << bit) != 0 {
                seen[owners[i]][bit] = seen[owners[i]][bit].map { keep($0, value) } ?? value
            }
        }
        // Earlier blocks (start not after this one's): latest end per store and source.
        var latestEnd = [[Int64?]](repeating: Array(repeating: nil, count: 8), count: stores)
        for i in order {
            if meets(i, latestEnd, { $0 >= spans[i].min }) { needsKeys[i] = true }
            note(i, &latestEnd, spans[i].max, Swift.max)
        }
        // Later blocks (start not before this one's): earliest start per store and source.
        var earliestStart = [[Int64?]](repeating: Array(repeating: nil, count: 8), count: stores)
        for i in order.reversed() {
            if meets(i, earliestStart, { $0 <= spans[i].max }) { needsKeys[i] = true }
            note(i, &earliestStart, spans[i].min, Swift.min)
        }
        return needsKeys.contains(true) ? needsKeys : nil
    }
}

/// What makes two stored events "the same" across stores: time, source, ID, stage and the
/// original bytes. The store's own dedupe (source, ID, stage and content, within an hour) keeps
/// one copy per store; this drops the copies another store holds.
///
/// Cheapest first: the time (the rows column, decoded anyway), then the identity (source, ID,
/// stage: two small columns), then the original bytes (the raw column, put together from its
/// shredded form: the costly part). A row goes to the next level only when the previous one
/// meets a row of *another* store: two stores of different events (two clusters) rarely share
/// a timestamp to the microsecond, and almost never an ID. Two rows of one store with the same
/// identity are two events (that store kept both), never a duplicate. Events with equal keys
/// have equal times, so a streaming merge only remembers the rows of the current timestamp.
enum CrossStoreIdentity {
    /// Hash of the row's source, ID and stage (its ID and stage columns must decode; a damaged
    /// one marks the block damaged, and it is skipped). Rows compared by it have equal times.
    static func identity(_ view: BlockView, _ row: Int) -> UInt64 {
        var hasher = Hash64()
        hasher.combine(view.source(row).rawValue)
        view.withField(row, .id) { hasher.combine(bytes: $0) }
        hasher.combine(UInt8(0))
        view.withField(row, .stage) { hasher.combine(bytes: $0) }
        return hasher.finalize()
    }

    /// The full key of `row` whose identity is `identity`: time, identity and the original
    /// bytes hashed (the raw column must be loaded for the row).
    static func key(_ view: BlockView, _ row: Int, identity: UInt64) -> UInt64 {
        var hasher = Hash64()
        let time = UInt64(bitPattern: view.time(row))
        for value in [time, identity] {
            for shift in stride(from: 0, to: 64, by: 8) { hasher.combine(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
        }
        view.withRaw(row) { hasher.combine(bytes: $0) }
        return hasher.finalize()
    }

    /// Whether two rows of equal time are the same event: source, ID, stage and original bytes
    /// compared, not hashed (the bytes only when the rest is equal).
    static func same(_ a: BlockView, _ i: Int, _ b: BlockView, _ j: Int) -> Bool {
        guard a.source(i) == b.source(j) else { return false }
        for field in [Field.id, Field.stage] {
            guard a.withField(i, field, { x in b.withField(j, field) { y in x.elementsEqual(y) } }) else { return false }
        }
        return a.withRaw(i) { x in b.withRaw(j) { y in x.elementsEqual(y) } }
    }

    /// The keys met in more than one store: `keys[b]` are the keys of block `b`'s rows (nil
    /// when not asked), `owners[b]` its store. Sorted, not hashed: each store's keys once,
    /// then all together, and a key seen twice is in two stores.
    static func collisions<Key: Comparable & Hashable>(_ keys: [[Key]?], owners: [Int]) -> Set<Key> {
        var byStore: [Int: [Key]] = [:]
        for (block, list) in keys.enumerated() {
            guard let list, !list.isEmpty else { continue }
            byStore[owners[block], default: []] += list
        }
        guard byStore.count > 1 else { return [] }
        var all: [Key] = []
        for var list in byStore.values {
            list.sort()
            var previous: Key?
            for key in list where key != previous {
                all.append(key)
                previous = key
            }
        }
        all.sort()
        var found: Set<Key> = []
        for (a, b) in zip(all, all.dropFirst()) where a == b { found.insert(a) }
        return found
    }
}
