import AuditCore

/// A block: a few thousand events sorted by time, compressed together.
///
/// Body layout (format version 1): ``BlockHeader``, then the zlib-compressed rows. Each row is
/// `varint(time − minTime)` (ns), `u8 source`, `varint fieldCount`, that many length-prefixed
/// UTF-8 field values in ``Field`` order, and the length-prefixed raw event bytes. Storing the
/// field count lets a reader accept blocks written with fewer or more fields than it knows.
public enum Block {
    /// Encodes `events` (sorted here by time, stable) into a block body.
    public static func encode(_ events: [AuditEvent], level: Int32 = Limits.compressionLevel) -> [UInt8] {
        precondition(!events.isEmpty, "a block holds at least one event")
        let sorted = events.enumerated().sorted { a, b in
            a.element.time != b.element.time ? a.element.time < b.element.time : a.offset < b.offset
        }.map(\.element)
        let minTime = sorted.first!.time
        let maxTime = sorted.last!.time
        var rows = ByteWriter(capacity: sorted.reduce(0) { $0 + $1.raw.count + 64 })
        let fieldCount = Field.allCases.count
        for event in sorted {
            rows.varint(UInt64(event.time - minTime))
            rows.u8(event.source.rawValue)
            rows.varint(UInt64(fieldCount))
            for field in Field.allCases {
                rows.lengthPrefixed(event.fields[field])
            }
            rows.lengthPrefixed(event.raw)
        }
        let payload = Deflate.compress(rows.bytes, level: level)
        var body = ByteWriter(capacity: BlockHeader.size + payload.count)
        BlockHeader(
            minTime: minTime, maxTime: maxTime, eventCount: UInt32(sorted.count),
            codec: BlockHeader.codecZlib, rawLength: UInt32(rows.bytes.count)
        ).encode(into: &body)
        body.bytes.append(contentsOf: payload)
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
        var r = ByteReader(body)
        guard let header = BlockHeader.decode(&r), header.codec == BlockHeader.codecZlib,
            header.rawLength <= UInt32(Limits.maxBlockFrameBytes) * 16
        else { return nil }
        let payload = UnsafeRawBufferPointer(rebasing: body[r.offset...])
        guard let rows = Deflate.decompress(payload, length: Int(header.rawLength)) else { return nil }
        return rows.withUnsafeBytes { buffer -> [AuditEvent]? in
            var rr = ByteReader(buffer)
            var events: [AuditEvent] = []
            events.reserveCapacity(Int(header.eventCount))
            let known = Field.allCases
            for _ in 0..<header.eventCount {
                guard let delta = rr.varint(), let sourceByte = rr.u8(), let source = SourceKind(rawValue: sourceByte),
                    let fieldCount = rr.varint(), fieldCount < 4096
                else { return nil }
                var fields = FieldValues()
                for k in 0..<Int(fieldCount) {
                    guard let value = rr.lengthPrefixed() else { return nil }
                    if k < known.count, !value.isEmpty {
                        fields[known[k]] = String(decoding: value, as: UTF8.self)
                    }
                }
                guard let raw = rr.lengthPrefixed() else { return nil }
                events.append(
                    AuditEvent(
                        time: header.minTime &+ Int64(bitPattern: delta), source: source, fields: fields,
                        raw: Array(raw)))
            }
            return events
        }
    }
}
