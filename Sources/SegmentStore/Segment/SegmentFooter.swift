/// The body of a sealed segment's footer frame: the block index, then the segment's seal in
/// the store's hash chain (see ``ChainLedger``).
///
///     u32 count                       blocks
///     count × (u64 offset, i64 min time ns, i64 max time ns, u32 events)
///     u8 1                            a seal follows
///     u64 sequence                    the segment's number in the chain, from 1
///     32 B content SHA-256            of the file's bytes before the footer frame
///     32 B previous link              the chain link of the store before this segment
///     varint n, n × name              segments of the partition this one replaces
///                                     (compaction), e.g. `000003.seg`
public struct SegmentFooter: Sendable, Equatable {
    /// Where each block is and what it covers, in file order.
    public var blocks: [BlockIndexEntry]
    /// The segment's place in the hash chain.
    public var seal: SegmentSeal?

    public init(blocks: [BlockIndexEntry], seal: SegmentSeal?) {
        self.blocks = blocks
        self.seal = seal
    }

    func encode() -> [UInt8] {
        var w = ByteWriter(capacity: 4 + blocks.count * 28 + 128)
        w.u32(UInt32(blocks.count))
        for entry in blocks {
            w.u64(entry.offset)
            w.i64(entry.minTime)
            w.i64(entry.maxTime)
            w.u32(entry.eventCount)
        }
        if let seal {
            w.u8(1)
            w.u64(seal.sequence)
            w.bytes.append(contentsOf: seal.contentHash.bytes)
            w.bytes.append(contentsOf: seal.previousLink.bytes)
            w.varint(UInt64(seal.replaces.count))
            for name in seal.replaces { w.lengthPrefixed(name) }
        }
        return w.bytes
    }

    static func decode(_ body: UnsafeRawBufferPointer) -> SegmentFooter? {
        var r = ByteReader(body)
        guard let count = r.u32(), UInt64(count) * 28 <= UInt64(r.remaining) else { return nil }
        var blocks: [BlockIndexEntry] = []
        blocks.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let offset = r.u64(), let minTime = r.i64(), let maxTime = r.i64(), let events = r.u32() else { return nil }
            blocks.append(BlockIndexEntry(offset: offset, minTime: minTime, maxTime: maxTime, eventCount: events))
        }
        guard r.remaining > 0 else { return SegmentFooter(blocks: blocks, seal: nil) }
        guard r.u8() == 1, let sequence = r.u64(), r.remaining >= 64 else { return nil }
        let content = SHA256Digest(Array(UnsafeRawBufferPointer(rebasing: body[r.offset..<(r.offset + 32)])))
        let previous = SHA256Digest(Array(UnsafeRawBufferPointer(rebasing: body[(r.offset + 32)..<(r.offset + 64)])))
        r.offset += 64
        guard let n = r.varint(), n <= 100_000 else { return nil }
        var replaces: [String] = []
        for _ in 0..<n {
            guard let name = r.lengthPrefixed() else { return nil }
            replaces.append(String(decoding: name, as: UTF8.self))
        }
        return SegmentFooter(
            blocks: blocks,
            seal: SegmentSeal(sequence: sequence, contentHash: content, previousLink: previous, replaces: replaces))
    }
}

/// A sealed segment's entry in the store's hash chain.
public struct SegmentSeal: Sendable, Equatable {
    /// The segment's number in the chain, from 1.
    public var sequence: UInt64
    /// SHA-256 of the segment's bytes before its footer frame (header and every block frame).
    public var contentHash: SHA256Digest
    /// The chain's link before this segment was added (all zeros for the first).
    public var previousLink: SHA256Digest
    /// File names, in the same partition, of the segments this one replaces (compaction).
    public var replaces: [String]

    public init(sequence: UInt64, contentHash: SHA256Digest, previousLink: SHA256Digest, replaces: [String] = []) {
        self.sequence = sequence
        self.contentHash = contentHash
        self.previousLink = previousLink
        self.replaces = replaces
    }
}
