/// The blocks several stores read as one give for one hour, each segment's events once where
/// the segments alone can tell: see ``StoreReader/collectBlocks(hour:range:mayMatch:chains:)``.
public struct HourBlocks {
    /// Intact blocks meeting the range and the summary test, store after store, each store's in
    /// storage order.
    public var bodies: [BlockBody] = []
    /// For each body, the index (in the hour's parts) of the store it came from.
    public var owners: [Int] = []
    /// One report per store partition read.
    public var reports: [ScanReport] = []
    /// Segments left out because another store gives the same events: an identical copy
    /// (same seal), or the segment a compaction there replaced it with.
    public var segmentsSkipped = 0
}

/// The seal lines of each store's chain, read once per query and only when a compacted
/// segment asks for them.
public final class ChainSeals {
    /// Per store (by folder path): seal lines by `<partition>/<file>`, in chain order.
    private var byStore: [String: [String: [ChainLedger.Entry]]] = [:]

    public init() {}

    /// The seal lines of `directory`'s chain by segment key (an unreadable chain gives none:
    /// nothing is then skipped on its word).
    func seals(of directory: DataDirectory) -> [String: [ChainLedger.Entry]] {
        if let known = byStore[directory.path] { return known }
        var seals: [String: [ChainLedger.Entry]] = [:]
        if let ledger = try? ChainLedger(path: directory.chainPath), ledger.problems.isEmpty {
            for entry in ledger.entries where entry.kind == .seal { seals[entry.segment, default: []].append(entry) }
        }
        byStore[directory.path] = seals
        return seals
    }
}

extension StoreReader {
    /// The blocks of one hour of several stores read as one (`parts`, in store order), leaving
    /// out the segments whose events another store gives already:
    ///
    /// - a segment with the same seal (content SHA-256) as one of an earlier store: a shipped
    ///   copy beside its source;
    /// - a segment that a segment of another store *replaces* (a compaction there after the
    ///   ship): its name is in that segment's seal, and the chain of that store sealed the name
    ///   with this very content hash and sequence number. Only when the compacted segment holds
    ///   every event of what it replaced (its chain line counts as many events as theirs
    ///   together): a retention rewrite, or a compaction that left a damaged block out, keeps
    ///   the copies read.
    ///
    /// What is left may still share events across stores (two stores that ingested the same
    /// file); callers deduplicate those.
    public static func collectBlocks(
        hour parts: [(reader: StoreReader, partition: PartitionInfo)], range: ClosedRange<Int64>?,
        mayMatch: ((BlockSummary) -> Bool)?, chains: ChainSeals
    ) throws -> HourBlocks {
        var out = HourBlocks()
        var opened: [[SegmentReader]] = []
        for part in parts {
            var report = ScanReport()
            report.partitions = 1
            opened.append(try part.reader.openSegments(of: part.partition, problems: &report.problems))
            out.reports.append(report)
        }
        let covered = coveredByCompaction(parts: parts, opened: opened, chains: chains)
        var taken: Set<SHA256Digest> = []
        for k in parts.indices {
            for segment in opened[k] {
                if let seal = segment.footer()?.footer.seal {
                    let name = String(segment.path.split(separator: "/").last!)
                    if !taken.insert(seal.contentHash).inserted || covered[k].contains(Covered(name: name, sequence: seal.sequence, hash: seal.contentHash)) {
                        out.segmentsSkipped += 1
                        continue
                    }
                }
                out.reports[k].segments += 1
                let result = try segment.forEachBlock(in: range) { offset, _, body in
                    if let mayMatch, let summary = Block.summary(body), !mayMatch(summary) {
                        out.reports[k].blocksPruned += 1
                        return true
                    }
                    let start = offset + SegmentFormat.frameHeaderSize
                    out.bodies.append(BlockBody(file: segment.mapping, range: start..<(start + body.count)))
                    out.owners.append(k)
                    return true
                }
                out.reports[k].add(result)
            }
        }
        return out
    }

    /// A segment as a compaction's chain line names it.
    struct Covered: Hashable {
        var name: String
        var sequence: UInt64
        var hash: SHA256Digest
    }

    /// Per part: the segments of other stores that a compacted segment of this hour replaced
    /// and holds every event of, as the replacing store's chain sealed them.
    static func coveredByCompaction(
        parts: [(reader: StoreReader, partition: PartitionInfo)], opened: [[SegmentReader]], chains: ChainSeals
    ) -> [Set<Covered>] {
        var coveredBy: [(store: Int, segment: Covered)] = []
        for (k, part) in parts.enumerated() {
            for segment in opened[k] {
                guard let seal = segment.footer()?.footer.seal, !seal.replaces.isEmpty else { continue }
                let seals = chains.seals(of: part.reader.directory)
                let prefix = part.partition.name + "/"
                let name = String(segment.path.split(separator: "/").last!)
                guard let own = seals[prefix + name]?.first(where: { $0.sequence == seal.sequence && $0.contentHash == seal.contentHash })
                else { continue }
                // Each replaced name as sealed last before the compacted segment was.
                var replaced: [ChainLedger.Entry] = []
                for old in seal.replaces {
                    guard let entry = seals[prefix + old]?.last(where: { $0.line < own.line }) else { break }
                    replaced.append(entry)
                }
                guard replaced.count == seal.replaces.count, replaced.reduce(0, { $0 + $1.events }) == own.events else { continue }
                for (old, entry) in zip(seal.replaces, replaced) {
                    coveredBy.append((k, Covered(name: old, sequence: entry.sequence, hash: entry.contentHash ?? .zero)))
                }
            }
        }
        return parts.indices.map { k in Set(coveredBy.filter { $0.store != k }.map(\.segment)) }
    }
}
