import AuditCore

/// A block: a few thousand events sorted by time, stored as two separately compressed columns
/// so that queries decompress the small one only.
///
/// Body layout (format version 2):
///
///     BlockHeader        32 B; its rawLength is the uncompressed size of the meta column
///     u32 metaCompressed  compressed size of the meta column (B)
///     u32 rawLength       uncompressed size of the raw column (B)
///     u32 rawCompressed   compressed size of the raw column (B)
///     meta column         zlib: per event `varint(time − minTime)` (ns), `u8 source`,
///                         `varint fieldCount`, that many length-prefixed UTF-8 field values in
///                         ``Field`` order, `varint rawLength` (B) of the event's original bytes
///     raw column          zlib: the original bytes of every event, concatenated in row order
///
/// Storing the field count lets a reader accept blocks written with fewer or more fields than
/// it knows.
public enum Block {
    /// Size of the fixed part before the columns: the header and three u32 lengths.
    static let prefixSize = BlockHeader.size + 12

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
        var body = ByteWriter(capacity: prefixSize + metaPayload.count + rawPayload.count)
        BlockHeader(
            minTime: minTime, maxTime: maxTime, eventCount: UInt32(sorted.count),
            codec: BlockHeader.codecZlib, rawLength: UInt32(meta.bytes.count)
        ).encode(into: &body)
        body.u32(UInt32(metaPayload.count))
        body.u32(UInt32(raw.bytes.count))
        body.u32(UInt32(rawPayload.count))
        body.bytes.append(contentsOf: metaPayload)
        body.bytes.append(contentsOf: rawPayload)
        return body.bytes
    }

    /// Reads only the header of a block body.
    public static func header(_ body: UnsafeRawBufferPointer) -> BlockHeader? {
        var r = ByteReader(body)
        return BlockHeader.decode(&r)
    }

    /// Decodes a block body into its events, in time order. Returns nil when the body is damaged
    /// (the frame CRC normally catches that first).
    public static func decode(_ body: UnsafeRawBufferPointer) -> [AuditEvent]? {
        guard let view = BlockView(body: body), view.loadRaw() else { return nil }
        return (0..<view.count).map { view.event($0) }
    }
}
