import AuditCore

/// Appends block frames to a new segment file and seals it with a footer.
///
/// Writes go to the page cache; ``sync()`` makes them durable. The owner decides when
/// (group commit): nothing is acknowledged before the sync that covers it returns.
public final class SegmentWriter {
    /// The segment's path.
    public let path: String
    private let file: FileHandle
    private var offset: Int
    private var index: [BlockIndexEntry] = []
    private var dirty = false
    /// SHA-256 of everything written before the footer, fed as frames are appended.
    private var content = SHA256Stream()
    /// Whether the footer has been written.
    public private(set) var sealed = false

    /// Creates the segment file (it must not exist) and writes its header.
    public init(creating path: String) throws {
        self.path = path
        let file = try FileHandle.create(path)
        let header = SegmentFormat.header()
        try header.withUnsafeBytes { try file.write($0, at: 0) }
        var content = SHA256Stream()
        header.withUnsafeBytes { content.update($0) }
        self.content = content
        self.file = file
        offset = header.count
        dirty = true
    }

    /// Number of blocks written.
    public var blockCount: Int { index.count }

    /// Blocks handed to the block pipeline for this segment (by its owner's thread): the next
    /// one submitted becomes block number `submittedBlocks`, as blocks are appended in order.
    var submittedBlocks = 0

    /// The index entry of block `k` (written; `k < blockCount`).
    func indexEntry(_ k: Int) -> BlockIndexEntry { index[k] }

    /// Bytes written so far.
    public var size: Int { offset }

    /// Encodes `events` as one block and appends its frame.
    public func append(events: [AuditEvent]) throws {
        try append(body: Block.encode(events))
    }

    /// Appends an encoded block body as one frame.
    public func append(body: [UInt8]) throws {
        precondition(!sealed, "append after seal")
        let header = Block.header(body.withUnsafeBytes { $0 })!
        let frame = SegmentFormat.frame(magic: SegmentFormat.blockMagic, body: body)
        try frame.withUnsafeBytes { try file.write($0, at: offset) }
        frame.withUnsafeBytes { content.update($0) }
        index.append(
            BlockIndexEntry(
                offset: UInt64(offset), minTime: header.minTime, maxTime: header.maxTime,
                eventCount: header.eventCount))
        offset += frame.count
        dirty = true
    }

    /// Events written so far.
    public var eventCount: Int { index.reduce(0) { $0 + Int($1.eventCount) } }

    /// SHA-256 of the bytes written so far (header and block frames): the content a seal covers.
    public var contentHash: SHA256Digest { content.finish() }

    /// Writes the footer (block index and `seal`, the segment's place in the store's hash
    /// chain) and trailer; the segment is then immutable.
    public func seal(_ seal: SegmentSeal?) throws {
        guard !sealed else { return }
        let bytes = SegmentFormat.sealBytes(SegmentFooter(blocks: index, seal: seal), at: offset)
        try bytes.withUnsafeBytes { try file.write($0, at: offset) }
        offset += bytes.count
        sealed = true
        dirty = true
    }

    /// fsyncs the file if anything was written since the last sync.
    public func sync() throws {
        guard dirty else { return }
        try file.sync()
        dirty = false
    }

    /// Closes the file (without syncing).
    public func close() {
        file.close()
    }
}
