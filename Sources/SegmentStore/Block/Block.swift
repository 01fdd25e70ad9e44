import AuditCore

/// A block: a few thousand events sorted by time, stored as two separately compressed columns
/// so that queries decompress the small one only.
///
/// Body layout (format version 3):
///
///     BlockHeader        32 B; its rawLength is the uncompressed size of the meta column
///     u32 metaCompressed  compressed size of the meta column (B)
///     u32 rawLength       uncompressed size of the raw column (B)
///     u32 rawCompressed   compressed size of the raw column (B)
///     u32 summaryLength   size of the summary (B)
///     summary             ``BlockSummary``, uncompressed: sources and distinct field values
///     meta column         zlib: per event `varint(time − minTime)` (ns), `u8 source`,
///                         `varint fieldCount`, that many length-prefixed UTF-8 field values in
///                         ``Field`` order, `varint rawLength` (B) of the event's original bytes
///     raw column          zlib: the original bytes of every event, concatenated in row order
///
/// Storing the field count lets a reader accept blocks written with fewer or more fields than
/// it knows.
public enum Block {
    /// Size of the fixed part before the columns: the header and three u32 lengths.
    static let prefixSize = BlockHeader.size + 16

    /// Encodes `events` (sorted here by time, stable) into a block body.
    public static func encode(_ events: [AuditEvent], level: Int32 = Limits.compressionLevel) -> [UInt8] {
        precondition(!events.isEmpty, "a block holds at least one event")
        let sorted = events.enumerated().sorted { a, b in
            a.element.time != b.element.time ? a.element.time < b.element.time : a.offset < b.offset
        }.map(\.element)
        let minTime = sorted.first!.time
        let maxTime = sorted.last!.time
        var meta = ByteWriter(capacity: sorted.count * 160)
        var raw = ByteWriter(capacity: sorted.reduce(0) { $0 + $1.raw.count })
        let fieldCount = Field.allCases.count
        for event in sorted {
            meta.varint(UInt64(event.time - minTime))
            meta.u8(event.source.rawValue)
            meta.varint(UInt64(fieldCount))
            for field in Field.allCases {
                meta.lengthPrefixed(event.fields[field])
            }
            meta.varint(UInt64(event.raw.count))
            raw.bytes.append(contentsOf: event.raw)
        }
        let metaPayload = Deflate.compress(meta.bytes, level: level)
        let rawPayload = Deflate.compress(raw.bytes, level: level)
        var summary = ByteWriter()
        BlockSummary(events: sorted).encode(into: &summary)
        var body = ByteWriter(capacity: prefixSize + summary.bytes.count + metaPayload.count + rawPayload.count)
        BlockHeader(
            minTime: minTime, maxTime: maxTime, eventCount: UInt32(sorted.count),
            codec: BlockHeader.codecZlib, rawLength: UInt32(meta.bytes.count)
        ).encode(into: &body)
        body.u32(UInt32(metaPayload.count))
        body.u32(UInt32(raw.bytes.count))
        body.u32(UInt32(rawPayload.count))
        body.u32(UInt32(summary.bytes.count))
        body.bytes.append(contentsOf: summary.bytes)
        body.bytes.append(contentsOf: metaPayload)
        body.bytes.append(contentsOf: rawPayload)
        return body.bytes
    }

    /// Reads only the header of a block body.
    public static func header(_ body: UnsafeRawBufferPointer) -> BlockHeader? {
        var r = ByteReader(body)
        return BlockHeader.decode(&r)
    }

    /// Reads only the summary of a block body (sources and distinct field values).
    public static func summary(_ body: UnsafeRawBufferPointer) -> BlockSummary? {
        var r = ByteReader(body, offset: BlockHeader.size + 12)
        guard let length = r.u32(), Int(length) <= r.remaining else { return nil }
        var s = ByteReader(UnsafeRawBufferPointer(rebasing: body[r.offset..<(r.offset + Int(length))]))
        return BlockSummary.decode(&s)
    }

    /// Decodes a block body into its events, in time order. Returns nil when the body is damaged
    /// (the frame CRC normally catches that first).
    public static func decode(_ body: UnsafeRawBufferPointer) -> [AuditEvent]? {
        guard let view = BlockView(body: body), view.loadRaw() else { return nil }
        return (0..<view.count).map { view.event($0) }
    }
}
