import AuditCore
import SegmentStore

/// One hour of event time and the partition of each store that holds it.
struct StoreHour {
    /// Start of the hour, ns UTC.
    var start: Int64
    /// The stores (by index in ``StoreSet/readers``) holding this hour, in store order.
    var parts: [(store: Int, partition: PartitionInfo)]
}

/// The stores a query reads as one (`logq --data A --data B`): hours in time order across all
/// of them, and each event once even when several stores hold it.
///
/// Two levels of "the same": a segment with the same seal (content SHA-256) in two stores is
/// read once (a shipped copy beside its source: no event is decoded twice); when an hour still
/// gets blocks from more than one store (independent stores that ingested the same file, or a
/// segment compacted at the source after it was shipped), its events go through
/// ``CrossStoreIdentity`` and a duplicate is dropped. One store reads exactly as before.
struct StoreSet {
    let readers: [StoreReader]

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
    /// segment once; `shared` when more than one store gave blocks (their events need
    /// ``CrossStoreIdentity``). One report per store partition read.
    func collect(
        _ hour: StoreHour, range: ClosedRange<Int64>?, mayMatch: ((BlockSummary) -> Bool)?
    ) throws -> (bodies: [BlockBody], reports: [ScanReport], shared: Bool) {
        if hour.parts.count == 1, let part = hour.parts.first {
            let (bodies, report) = try readers[part.store].collectBlocks(partition: part.partition, range: range, mayMatch: mayMatch)
            return (bodies, [report], false)
        }
        var bodies: [BlockBody] = []
        var reports: [ScanReport] = []
        var seen: Set<SHA256Digest> = []
        var giving = 0
        for part in hour.parts {
            let (found, report, seals) = try readers[part.store].collectBlocks(
                partition: part.partition, range: range, mayMatch: mayMatch, skipping: seen)
            seen.formUnion(seals)
            if !found.isEmpty { giving += 1 }
            bodies += found
            reports.append(report)
        }
        return (bodies, reports, giving > 1)
    }
}

/// What makes two stored events "the same" across stores: time, source, ID, stage and the
/// original bytes. The store's own dedupe (source, ID, stage and content, within an hour) keeps
/// one copy per store; this drops the copies another store holds. Events with equal keys have
/// equal times, so a streaming merge only remembers the keys of the current timestamp.
enum CrossStoreIdentity {
    /// The key of `row` (its ID, stage and raw columns must decode; a damaged one marks the
    /// block damaged, and it is skipped).
    static func key(_ view: BlockView, _ row: Int) -> UInt64 {
        var hasher = Hash64()
        let time = UInt64(bitPattern: view.time(row))
        for shift in stride(from: 0, to: 64, by: 8) { hasher.combine(UInt8(truncatingIfNeeded: time >> UInt64(shift))) }
        hasher.combine(view.source(row).rawValue)
        view.withField(row, .id) { hasher.combine(bytes: $0) }
        view.withField(row, .stage) { hasher.combine(bytes: $0) }
        view.withRaw(row) { hasher.combine(bytes: $0) }
        return hasher.finalize()
    }

    /// The keys of `rows`, raw bytes decoded for those rows only.
    static func keys(_ view: BlockView, rows: [Int]) -> [UInt64] {
        guard !rows.isEmpty else { return [] }
        view.loadRaw(rows: rows)
        return rows.map { key(view, $0) }
    }
}
