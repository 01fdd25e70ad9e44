import AuditCore

/// Counts of a store, from block headers and summaries only (no column is decompressed).
public struct StoreStatistics: Sendable {
    /// Counts of one partition, or of the whole store.
    public struct Counts: Sendable {
        public var name = ""
        /// Last nanosecond of the partition's hour (UTC).
        public var end: Int64 = 0
        public var segments = 0
        /// Segments without a footer (being written, or left by a crashed writer).
        public var unsealed = 0
        public var blocks = 0
        public var events = 0
        /// Segment file bytes.
        public var bytes = 0
        /// Bytes of the blocks' columns before compression.
        public var columnBytes = 0
        /// Sources with events here.
        public var sources: [SourceKind] = []
    }

    /// One entry per partition, in time order.
    public private(set) var partitions: [Counts] = []
    /// The sums over all partitions.
    public private(set) var total = Counts()
    /// Events per source.
    public private(set) var eventsBySource: [SourceKind: Int] = [:]
    /// Chain ledger entries and head.
    /// Segments that could not be opened (not segments, another format version), skipped.
    public private(set) var problems: [SegmentProblem] = []
    public private(set) var chainEntries = 0
    public private(set) var head = SHA256Digest.zero

    public init(directory: DataDirectory) throws {
        let reader = StoreReader(directory: directory)
        for partition in try reader.partitions() {
            var counts = Counts()
            counts.name = partition.name
            counts.end = partition.end
            var sources: UInt8 = 0
            for segment in try reader.openSegments(of: partition, problems: &problems) {
                counts.segments += 1
                counts.bytes += segment.size
                func add(_ header: BlockHeader, _ body: UnsafeRawBufferPointer) {
                    counts.blocks += 1
                    counts.events += Int(header.eventCount)
                    counts.columnBytes += Int(header.rawLength)
                    let blockSources = Block.summary(body)?.sources ?? 0
                    sources |= blockSources
                    // Blocks hold one source each.
                    if let source = SourceKind.allCases.first(where: { blockSources & (1 << $0.rawValue) != 0 }) {
                        eventsBySource[source, default: 0] += Int(header.eventCount)
                    }
                }
                if let footer = segment.footer() {
                    // Sealed: the footer says where each block is; headers are read in place.
                    for entry in footer.footer.blocks {
                        let start = Int(entry.offset) + SegmentFormat.frameHeaderSize
                        guard start < footer.offset else { continue }
                        let body = UnsafeRawBufferPointer(rebasing: segment.mapping.bytes[start..<footer.offset])
                        if let header = Block.header(body) { add(header, body) }
                    }
                } else {
                    counts.unsealed += 1
                    try segment.forEachBlock { _, header, body in
                        add(header, body)
                        return true
                    }
                }
            }
            counts.sources = SourceKind.allCases.filter { sources & (1 << $0.rawValue) != 0 }
            partitions.append(counts)
            total.segments += counts.segments
            total.unsealed += counts.unsealed
            total.blocks += counts.blocks
            total.events += counts.events
            total.bytes += counts.bytes
            total.columnBytes += counts.columnBytes
        }
        let ledger = try ChainLedger(path: directory.chainPath)
        chainEntries = ledger.entries.count
        head = ledger.head
    }
}
