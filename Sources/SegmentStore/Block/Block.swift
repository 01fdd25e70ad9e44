import AuditCore

/// A block: a few thousand events sorted by time, stored column by column, each column
/// compressed on its own so that a query decompresses only the columns it reads.
///
/// Body layout (format version 5):
///
///     BlockHeader          32 B; rawLength = uncompressed size of all columns (B)
///     u32 summaryLength    size of the summary (B)
///     summary              ``BlockSummary``, uncompressed: sources and distinct field values
///     u16 columnCount      1 + number of fields stored + 1
///     directory            per column: u8 encoding, u32 compressed size (B), u32 size (B),
///                          u32 CRC-32 of the compressed payload (checked when first decompressed)
///     u32 headCRC          CRC-32 of every byte above (header, summary, directory): a reader
///                          checks it before trusting anything of the block, and checks each
///                          column's own CRC only when it reads that column
///     columns              in directory order, each zlib-compressed (none for `empty`):
///       rows               per event `varint(time − previous time)` (ns; the first from minTime),
///                          `u8 source`
///       one per field      in ``Field`` order, see ``ColumnEncoding``
///       raw                the original bytes of every event in row order, ``ColumnEncoding/shredded``
///                          (``ShredFormat``: per-key-path typed columns, byte-identical back;
///                          values equal to a field column's are stored as references to it)
///
/// A reader takes the fields it knows and ignores extra columns; a missing field is empty.
public enum Block {
    /// Encodes `events` (sorted here by time, stable) into a block body.
    public static func encode(_ events: [AuditEvent], level: Int32 = Limits.compressionLevel) -> [UInt8] {
        compress(prepare(events), level: level)
    }

    /// A block with its columns built but not yet compressed (the writer's encoder threads
    /// prepare and compress each block; tests look at the stages apart).
    public struct Prepared: Sendable {
        let header: BlockHeader
        let summary: [UInt8]
        let columns: [(encoding: ColumnEncoding, bytes: [UInt8])]
    }

    /// Sorts `events` by time (stable) and builds the block's columns and summary.
    public static func prepare(_ events: [AuditEvent]) -> Prepared {
        precondition(!events.isEmpty, "a block holds at least one event")
        // Most batches arrive in time order (a log is written as it happens): keep those as they
        // are rather than copying every event twice.
        var inOrder = true
        for k in events.indices.dropFirst() where events[k].time < events[k - 1].time {
            inOrder = false
            break
        }
        let sorted =
            inOrder
            ? events
            : events.enumerated().sorted { a, b in
                a.element.time != b.element.time ? a.element.time < b.element.time : a.offset < b.offset
            }.map(\.element)
        let minTime = sorted.first!.time
        let maxTime = sorted.last!.time

        var rows = ByteWriter(capacity: sorted.count * 6)
        var raw = ByteWriter(capacity: sorted.reduce(0) { $0 + $1.raw.count })
        var previous = minTime
        for event in sorted {
            rows.varint(UInt64(event.time - previous))
            previous = event.time
            rows.u8(event.source.rawValue)
            raw.bytes.append(contentsOf: event.raw)
        }
        var columns: [(encoding: ColumnEncoding, bytes: [UInt8])] = [(.plain, rows.bytes)]
        var sources: UInt8 = 0
        for event in sorted { sources |= 1 << event.source.rawValue }
        let summarized = Set(BlockSummary.fields.map(\.rawValue))
        var summaryValues: [Field: [(value: [UInt8], count: Int)]?] = [:]
        var fieldColumns: [FieldColumn] = []
        for field in Field.allCases {
            let (encoding, bytes, distinct, perDistinct) = ColumnEncoding.encode(sorted.map { $0.fields[field] })
            columns.append((encoding, bytes))
            // Built from the encoded bytes, as a reader sees it: the raw column refers to it.
            fieldColumns.append(FieldColumn(encoding: encoding, bytes: bytes, rows: sorted.count) ?? .empty)
            if summarized.contains(field.rawValue) {
                // The column's dictionary is the field's distinct values: no second pass.
                if let distinct, distinct.count <= Limits.summaryValues {
                    let counts = perDistinct ?? Array(repeating: 0, count: distinct.count)
                    summaryValues[field] = zip(distinct, counts).map { (Array($0.utf8), $1) }
                } else {
                    summaryValues[field] = .some(nil)
                }
            }
        }
        let summary = BlockSummary(sources: sources, values: summaryValues)
        // Shredding runs on an encoder thread, beside the parser.
        let shredded = raw.bytes.withUnsafeBytes { ShredEncoder.encode($0, lengths: sorted.map(\.raw.count), fields: fieldColumns) }
        columns.append((.shredded, shredded))
        var summaryBytes = ByteWriter()
        summary.encode(into: &summaryBytes)
        let header = BlockHeader(
            minTime: minTime, maxTime: maxTime, eventCount: UInt32(sorted.count),
            codec: BlockHeader.codecZlib, rawLength: UInt32(clamping: columns.reduce(0) { $0 + $1.bytes.count }))
        return Prepared(header: header, summary: summaryBytes.bytes, columns: columns)
    }

    /// Compresses a prepared block's columns into a block body.
    public static func compress(_ block: Prepared, level: Int32 = Limits.compressionLevel) -> [UInt8] {
        let payloads = block.columns.map { $0.encoding == .empty ? [] : Deflate.compress($0.bytes, level: level) }
        var body = ByteWriter(capacity: 64 + block.summary.count + payloads.reduce(0) { $0 + $1.count + 9 })
        block.header.encode(into: &body)
        body.u32(UInt32(block.summary.count))
        body.bytes.append(contentsOf: block.summary)
        body.u16(UInt16(block.columns.count))
        for (column, payload) in zip(block.columns, payloads) {
            body.u8(column.encoding.rawValue)
            body.u32(UInt32(payload.count))
            body.u32(UInt32(column.bytes.count))
            body.u32(payload.withUnsafeBytes { Deflate.crc32($0) })
        }
        body.u32(body.bytes.withUnsafeBytes { Deflate.crc32($0) })
        for payload in payloads { body.bytes.append(contentsOf: payload) }
        return body.bytes
    }

    /// Reads only the header of a block body.
    public static func header(_ body: UnsafeRawBufferPointer) -> BlockHeader? {
        var r = ByteReader(body)
        return BlockHeader.decode(&r)
    }

    /// Where the columns start in a block body, once its head CRC (header, summary and
    /// directory) checks; nil when the head is short or damaged. Columns are checked later, each
    /// by its own CRC when first decompressed, so a reader pays only for what it reads.
    public static func verifiedHeadSize(_ body: UnsafeRawBufferPointer) -> Int? {
        var r = ByteReader(body, offset: BlockHeader.size)
        guard let summaryLength = r.u32(), Int(summaryLength) <= r.remaining else { return nil }
        r.offset += Int(summaryLength)
        guard let columnCount = r.u16(), Int(columnCount) * directoryEntrySize + 4 <= r.remaining else { return nil }
        r.offset += Int(columnCount) * directoryEntrySize
        let head = UnsafeRawBufferPointer(rebasing: body[0..<r.offset])
        guard let crc = r.u32(), crc == Deflate.crc32(head) else { return nil }
        return r.offset
    }

    /// The length of a block body as its checked head says (head plus every column's compressed
    /// bytes), read from the start of `available`; nil when the head does not check. Lets a
    /// reader find a block's end when the length in its frame header is damaged.
    public static func verifiedBodyLength(_ available: UnsafeRawBufferPointer) -> Int? {
        guard available.count >= BlockHeader.size + 4, let headSize = verifiedHeadSize(available) else { return nil }
        var r = ByteReader(available, offset: BlockHeader.size)
        guard let summaryLength = r.u32() else { return nil }
        r.offset += Int(summaryLength)
        guard let columnCount = r.u16() else { return nil }
        var length = headSize
        for _ in 0..<columnCount {
            guard r.u8() != nil, let compressed = r.u32(), r.u32() != nil, r.u32() != nil else { return nil }
            length += Int(compressed)
        }
        return length
    }

    /// Size of one column's directory entry (B).
    static let directoryEntrySize = 13

    /// Reads only the summary of a block body (sources and distinct field values).
    public static func summary(_ body: UnsafeRawBufferPointer) -> BlockSummary? {
        var r = ByteReader(body, offset: BlockHeader.size)
        guard let length = r.u32(), Int(length) <= r.remaining else { return nil }
        return BlockSummary.decode(UnsafeRawBufferPointer(rebasing: body[r.offset..<(r.offset + Int(length))]))
    }

    /// Decodes a block body into its events, in time order. Returns nil when the body is damaged
    /// (the frame CRC normally catches that first).
    public static func decode(_ body: UnsafeRawBufferPointer) -> [AuditEvent]? {
        guard let view = BlockView(body: body), view.loadAll() else { return nil }
        return (0..<view.count).map { view.event($0) }
    }
}

/// How one field's column is stored.
public enum ColumnEncoding: UInt8, Sendable {
    /// Every value is "": nothing stored.
    case empty = 0
    /// `varint` number of distinct values, the values length-prefixed, a `u8` index width
    /// (1, 2 or 4 B), then one little-endian index per row: for low-cardinality fields.
    case dictionary = 1
    /// One length-prefixed value per row.
    case plain = 2
    /// The raw column only: the events' original bytes shredded by JSON key path (``ShredFormat``).
    case shredded = 3

    /// Picks the encoding of `values` and encodes them; also returns the distinct values and
    /// how many rows have each when there are few (nil for a plain column).
    static func encode(_ values: [String]) -> (encoding: ColumnEncoding, bytes: [UInt8], distinct: [String]?, counts: [Int]?) {
        if values.allSatisfy(\.isEmpty) { return (.empty, [], [""], [values.count]) }
        // Open addressing over Hash64 of the UTF-8 bytes: a `Dictionary` ran SipHash per value,
        // 8% of an ingest's CPU time.
        var ids = StringIndex(capacity: values.count)
        var order: [String] = []
        var indices: [UInt32] = []
        indices.reserveCapacity(values.count)
        // The value before, and its index: runs of one value skip the hash lookup.
        var last: (value: String, id: UInt32)?
        for (row, value) in values.enumerated() {
            if let last, last.value == value {
                indices.append(last.id)
            } else if let id = ids.find(value, in: order) {
                indices.append(id)
                last = (value, id)
            } else {
                let id = UInt32(order.count)
                ids.insert(id: id)
                order.append(value)
                indices.append(id)
                last = (value, id)
                // Mostly distinct (IDs, URIs): a dictionary would only add indices. Seen early
                // (nearly every one of the first 256 values new), so IDs are not hashed twice
                // the column's length before giving up.
                if (order.count > values.count / 2 && order.count > 64) || (row == 255 && order.count > 240) {
                    let (encoding, bytes) = plain(values)
                    return (encoding, bytes, nil, nil)
                }
            }
        }
        var w = ByteWriter(capacity: order.reduce(0) { $0 + $1.utf8.count + 2 } + indices.count * 2)
        w.varint(UInt64(order.count))
        for value in order { w.lengthPrefixed(value) }
        let width: UInt8 = order.count <= 256 ? 1 : (order.count <= 65_536 ? 2 : 4)
        w.u8(width)
        for index in indices {
            switch width {
            case 1: w.u8(UInt8(index))
            case 2: w.u16(UInt16(index))
            default: w.u32(index)
            }
        }
        var counts = [Int](repeating: 0, count: order.count)
        for index in indices { counts[Int(index)] += 1 }
        return (.dictionary, w.bytes, order, counts)
    }

    static func plain(_ values: [String]) -> (encoding: ColumnEncoding, bytes: [UInt8]) {
        var w = ByteWriter(capacity: values.reduce(0) { $0 + $1.utf8.count + 1 })
        for value in values { w.lengthPrefixed(value) }
        return (.plain, w.bytes)
    }
}

/// A hash table from strings to their index in a column's dictionary (`order`): open
/// addressing over Hash64 of the UTF-8 bytes, the strings themselves kept by the caller. Starts
/// small and doubles, as most columns hold a few distinct values.
struct StringIndex {
    private var table = [Int32](repeating: -1, count: 64)
    /// Per index: the hash of its string.
    private var entryHashes: [UInt64] = []
    private var mask = 63
    /// Where the last `find` stopped: the empty slot an `insert` of that value takes.
    private var pending = 0
    private var pendingHash: UInt64 = 0

    init(capacity: Int) {
        entryHashes.reserveCapacity(min(capacity, 4096))
    }

    @inline(__always)
    static func hash(_ value: String) -> UInt64 {
        var copy = value
        return copy.withUTF8 { utf8 in
            var h = Hash64()
            h.combine(bytes: UnsafeRawBufferPointer(utf8))
            return h.finalize()
        }
    }

    @inline(__always)
    private func home(_ h: UInt64) -> Int { Int(truncatingIfNeeded: h ^ (h >> 29)) & mask }

    /// The index of `value`, or nil (then ``insert(_:id:)`` must follow for the same value).
    mutating func find(_ value: String, in order: [String]) -> UInt32? {
        let h = Self.hash(value)
        var slot = home(h)
        while table[slot] >= 0 {
            let id = Int(table[slot])
            if entryHashes[id] == h, order[id] == value { return UInt32(id) }
            slot = (slot + 1) & mask
        }
        pending = slot
        pendingHash = h
        return nil
    }

    /// Records the value just looked up and not found as index `id`, the next index.
    mutating func insert(id: UInt32) {
        table[pending] = Int32(id)
        entryHashes.append(pendingHash)
        if entryHashes.count * 2 > table.count { grow() }
    }

    private mutating func grow() {
        table = [Int32](repeating: -1, count: table.count * 2)
        mask = table.count - 1
        for (id, h) in entryHashes.enumerated() {
            var slot = home(h)
            while table[slot] >= 0 { slot = (slot + 1) & mask }
            table[slot] = Int32(id)
        }
    }
}
