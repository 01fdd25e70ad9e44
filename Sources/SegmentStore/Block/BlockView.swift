import AuditCore

/// A block read in place: the rows column (times, sources), each field column and the raw
/// column are decoded when first asked for, so a query pays for the columns it reads. Each
/// column's CRC-32 is checked when it is first decompressed: the head (header, summary,
/// directory) is checked here, the rest of the block only as it is read. Filters test
/// dictionary entries once per block instead of once per row.
public final class BlockView {
    /// The block's header.
    public let header: BlockHeader
    /// The compressed body: in a mapped segment, or a copy of bytes handed in.
    private let body: UnsafeRawBufferPointer
    /// Keeps `body`'s memory alive: the segment mapping, or our own copy.
    private let owner: AnyObject
    /// Per column: encoding, offset of its payload in `body`, compressed and decoded sizes (B),
    /// CRC-32 of the compressed payload.
    private let directory: [(encoding: ColumnEncoding, offset: Int, compressed: Int, size: Int, crc: UInt32)]
    /// Per row: time (ns UTC), source, where its original bytes start in the raw column and how long.
    /// Times and sources are decoded on first use (``loadRows()``): an aggregate over blocks
    /// inside its window, filtered on fields, never reads them.
    private var times: [Int64] = []
    private var sources: [SourceKind] = []
    private var rowsLoaded = false
    /// The sources present in the block, from its summary: bit `k` for source raw value `k`.
    public let sourceBits: UInt8
    private var rawStarts: [UInt32] = []
    private var rawLengths: [UInt32] = []
    /// Field columns decoded so far, by field raw value.
    private var fieldColumns: [FieldColumn?]
    /// Field raw values whose column was damaged (read as empty).
    private var damagedFields = Set<Int>()
    /// The raw column, once asked for: the events' original bytes end to end.
    private var raw: [UInt8]?
    /// The rows `raw` holds when it was put together for some rows only (nil: every row).
    private var rawRows: [Bool]?
    /// Whether a column failed its CRC or did not decode (then it reads as empty).
    public private(set) var damaged = false
    /// What was wrong with the first damaged column, with its byte offset in the block body.
    public private(set) var damage: String?

    /// Number of events.
    public let count: Int

    /// The block's one source, when all its events share it (the writer keeps sources apart).
    public var singleSource: SourceKind? {
        guard sourceBits != 0, sourceBits & (sourceBits - 1) == 0 else { return nil }
        return SourceKind(rawValue: UInt8(sourceBits.trailingZeroBitCount))
    }

    /// Parses the directory and decodes the rows column of a copy of `body`; nil when damaged.
    public convenience init?(body: UnsafeRawBufferPointer) {
        let copy = OwnedBytes(body)
        self.init(bytes: copy.bytes, owner: copy)
    }

    /// Parses the directory and decodes the rows column of `body`; nil when damaged.
    public convenience init?(body: [UInt8]) {
        let copy = body.withUnsafeBytes { OwnedBytes($0) }
        self.init(bytes: copy.bytes, owner: copy)
    }

    /// Reads a block in place in its mapped segment; nil when damaged.
    public convenience init?(body: BlockBody) {
        self.init(bytes: body.bytes, owner: body.file)
    }

    private init?(bytes body: UnsafeRawBufferPointer, owner: AnyObject) {
        let parsed = { (raw: UnsafeRawBufferPointer) -> (BlockHeader, UInt8, [(ColumnEncoding, Int, Int, Int, UInt32)])? in
            guard let headSize = Block.verifiedHeadSize(raw) else { return nil }
            var r = ByteReader(raw)
            guard let header = BlockHeader.decode(&r), header.codec == BlockHeader.codecZlib,
                header.eventCount <= UInt32(Limits.maxBlockFrameBytes),
                let summaryLength = r.u32(), Int(summaryLength) <= r.remaining
            else { return nil }
            // The summary starts with the sources bit set.
            let sourceBits = summaryLength > 0 ? raw[r.offset] : 0xFF
            r.offset += Int(summaryLength)
            guard let columnCount = r.u16(), columnCount >= 2 else { return nil }
            var entries: [(ColumnEncoding, Int, Int, Int, UInt32)] = []
            var payloadOffset = headSize
            for _ in 0..<columnCount {
                guard let e = r.u8(), let encoding = ColumnEncoding(rawValue: e), let compressed = r.u32(), let size = r.u32(),
                    let crc = r.u32(), size <= UInt32(Limits.maxBlockFrameBytes) * 16
                else { return nil }
                entries.append((encoding, payloadOffset, Int(compressed), Int(size), crc))
                payloadOffset += Int(compressed)
            }
            guard payloadOffset == raw.count else { return nil }
            return (header, sourceBits, entries)
        }(body)
        guard let (header, sourceBits, entries) = parsed else { return nil }
        self.header = header
        self.sourceBits = sourceBits
        self.count = Int(header.eventCount)
        self.body = body
        self.owner = owner
        directory = entries.map { (encoding: $0.0, offset: $0.1, compressed: $0.2, size: $0.3, crc: $0.4) }
        fieldColumns = Array(repeating: nil, count: Field.fieldCount)
        checkIdentityColumns()
    }

    /// Checks the CRCs of the columns an event's identity is made of (`id`, `stage`) on every
    /// read, whether or not the reader decodes them (a CRC over the compressed bytes, no
    /// decompression). A block whose identities cannot be read is unknown to dedupe, so it must
    /// not answer any query either: else ingesting its events again would show them twice.
    private func checkIdentityColumns() {
        for field in [Field.id, Field.stage] {
            let index = 1 + field.rawValue
            guard index < directory.count - 1 else { continue }
            let entry = directory[index]
            guard entry.encoding != .empty else { continue }
            let compressed = UnsafeRawBufferPointer(rebasing: body[entry.offset..<(entry.offset + entry.compressed)])
            let actual = Deflate.crc32(compressed)
            guard actual != entry.crc else { continue }
            damagedFields.insert(field.rawValue)
            fieldColumns[field.rawValue] = FieldColumn.empty
            noteDamage(
                "column \(index) (\(field)) at byte \(entry.offset) of the block: checksum mismatch (CRC-32 0x\(String(actual, radix: 16)), directory says 0x\(String(entry.crc, radix: 16))); "
                    + "the events' identities are unreadable, so no query uses the block (ingesting its events again stores them once)")
        }
    }

    /// Whether the `id` and `stage` columns checked out (the identities of the events are known).
    public var identitiesIntact: Bool {
        !damagedFields.contains(Field.id.rawValue) && !damagedFields.contains(Field.stage.rawValue)
    }

    /// Decodes the rows column (times, sources) if it is not yet. A damaged one marks the
    /// block damaged and reads as the block's first time and source.
    @inline(never)
    private func loadRows() {
        guard !rowsLoaded else { return }
        rowsLoaded = true
        if !decodeRows() {
            noteDamage("rows column (times, sources) at byte \(directory[0].offset) of the block: does not decode")
            times = Array(repeating: header.minTime, count: count)
            sources = Array(repeating: singleSource ?? .k8sAudit, count: count)
        }
    }

    /// Column `column` decompressed, once its CRC checks; nil (and the damage noted) otherwise.
    private func payload(_ column: Int) -> [UInt8]? {
        let entry = directory[column]
        if entry.encoding == .empty { return [] }
        let compressed = UnsafeRawBufferPointer(rebasing: body[entry.offset..<(entry.offset + entry.compressed)])
        let actual = Deflate.crc32(compressed)
        guard actual == entry.crc else {
            noteDamage(
                "column \(column) at byte \(entry.offset) of the block: checksum mismatch (CRC-32 0x\(String(actual, radix: 16)), directory says 0x\(String(entry.crc, radix: 16)))"
            )
            return nil
        }
        guard let decoded = Deflate.decompress(compressed, length: entry.size) else {
            noteDamage("column \(column) at byte \(entry.offset) of the block: does not decompress")
            return nil
        }
        return decoded
    }

    private func noteDamage(_ message: String) {
        if damage == nil { damage = message }
        damaged = true
    }

    /// Decodes the rows column in locals and stores it once (stored properties of a class
    /// would pay dynamic exclusivity checks on every append).
    private func decodeRows() -> Bool {
        guard let rows = payload(0) else { return false }
        let n = Int(header.eventCount)
        var time = header.minTime
        var times: [Int64] = []
        var sources: [SourceKind] = []
        times.reserveCapacity(n)
        sources.reserveCapacity(n)
        let ok = rows.withUnsafeBytes { buffer -> Bool in
            var r = ByteReader(buffer)
            for _ in 0..<n {
                guard let delta = r.varint(), let s = r.u8(), let source = SourceKind(rawValue: s) else { return false }
                time = time &+ Int64(bitPattern: delta)
                times.append(time)
                sources.append(source)
            }
            return r.remaining == 0
        }
        guard ok else { return false }
        self.times = times
        self.sources = sources
        return true
    }

    /// The column of `field`, decoded on first use. A damaged or missing column reads as empty.
    public func column(_ field: Field) -> FieldColumn {
        if let cached = fieldColumns[field.rawValue] { return cached }
        let index = 1 + field.rawValue
        var decoded = FieldColumn.empty
        // The last column is raw; a field past the stored ones is empty.
        if index < directory.count - 1 {
            if let bytes = payload(index), let column = FieldColumn(encoding: directory[index].encoding, bytes: bytes, rows: count) {
                decoded = column
            } else {
                damagedFields.insert(field.rawValue)
                noteDamage("column \(index) (\(field)) at byte \(directory[index].offset) of the block: does not decode")
            }
        }
        fieldColumns[field.rawValue] = decoded
        return decoded
    }

    /// Decompresses the raw column and puts together the original bytes of `rows` (every row
    /// when nil) unless they are already; false when it is damaged. Other rows read as empty
    /// until asked for, when the whole column is put together.
    @discardableResult
    public func loadRaw(rows: [Int]? = nil) -> Bool {
        if raw != nil {
            guard let have = rawRows else { return true }
            if let rows, rows.allSatisfy({ have[$0] }) { return true }
        }
        var selected: [Bool]?
        if let rows, rows.count < count {
            var mask = [Bool](repeating: false, count: count)
            for row in rows { mask[row] = true }
            selected = mask
        }
        let index = directory.count - 1
        guard let decoded = payload(index) else { return false }
        // Values the raw column shares with field columns come from those (a damaged one fails it).
        let field = { (k: Int) -> FieldColumn? in
            let column = self.column(Field(rawValue: k)!)
            return self.damagedFields.contains(k) ? nil : column
        }
        guard directory[index].encoding == .shredded,
            let events = decoded.withUnsafeBytes({ ShredDecoder.decode($0, eventCount: count, field: field, selected: selected) })
        else {
            noteDamage("raw column at byte \(directory[index].offset) of the block: shredded events do not decode")
            return false
        }
        raw = events.bytes
        rawRows = selected
        rawStarts = events.starts
        rawLengths = events.lengths
        return true
    }

    /// Decodes every column; false when any is damaged.
    public func loadAll() -> Bool {
        load(.all, rows: nil)
    }

    /// Decodes the rows column and what ``event(_:parts:)`` needs for `rows` (every row when
    /// nil) with `parts`: every field column, the original bytes of `rows`; false when any is
    /// damaged (a column that does not decode marks the block damaged).
    public func load(_ parts: EventParts, rows: [Int]?) -> Bool {
        loadRows()
        if parts.contains(.fields) { for field in Field.allCases { _ = column(field) } }
        if parts.contains(.raw) { loadRaw(rows: rows) }
        return !damaged
    }

    /// The time of row `i`, ns UTC.
    @inline(__always)
    public func time(_ i: Int) -> Int64 {
        if !rowsLoaded { loadRows() }
        return times[i]
    }

    /// The source of row `i`.
    @inline(__always)
    public func source(_ i: Int) -> SourceKind {
        if !rowsLoaded { loadRows() }
        return sources[i]
    }

    /// Calls `body` with the UTF-8 bytes of `field` in row `i` (empty when absent).
    @inline(__always)
    public func withField<R>(_ i: Int, _ field: Field, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try column(field).withValue(row: i, body)
    }

    /// Calls `body` with the original bytes of row `i`, decompressing the raw column on first
    /// use. A damaged raw column gives empty bytes (the frame CRC normally catches it first).
    public func withRaw<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        // Put together for some rows only, without this one: every row now (a filter that
        // reads raw bytes reads them all).
        if raw == nil || !(rawRows?[i] ?? true) { loadRaw(rows: nil) }
        guard let raw else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        let start = Int(rawStarts[i])
        let length = Int(rawLengths[i])
        return try raw.withUnsafeBytes { buffer in
            try body(UnsafeRawBufferPointer(rebasing: buffer[start..<(start + length)]))
        }
    }

    /// The value of `field` in row `i` as a string.
    public func string(_ i: Int, _ field: Field) -> String {
        withField(i, field) { String(decoding: $0, as: UTF8.self) }
    }

    /// Row `i` as an event, with the parts asked for (the others empty).
    public func event(_ i: Int, parts: EventParts = .all) -> AuditEvent {
        let raw = parts.contains(.raw)
        var fields = FieldValues()
        for field in Field.allCases where parts.contains(.fields) {
            let value = string(i, field)
            if !value.isEmpty { fields[field] = value }
        }
        return AuditEvent(time: time(i), source: source(i), fields: fields, raw: raw ? withRaw(i) { Array($0) } : [])
    }
}

/// What an event built from a block row carries: its normalized fields, its original bytes.
public struct EventParts: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// The normalized fields.
    public static let fields = EventParts(rawValue: 1)
    /// The original bytes.
    public static let raw = EventParts(rawValue: 2)
    public static let all: EventParts = [.fields, .raw]
}

/// A heap copy of some bytes, for blocks handed in as buffers that may not outlive the call.
final class OwnedBytes {
    let bytes: UnsafeRawBufferPointer

    init(_ source: UnsafeRawBufferPointer) {
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(source.count, 1), alignment: 8)
        if let base = source.baseAddress, source.count > 0 { copy.baseAddress!.copyMemory(from: base, byteCount: source.count) }
        bytes = UnsafeRawBufferPointer(start: copy.baseAddress, count: source.count)
    }

    deinit { UnsafeMutableRawBufferPointer(mutating: bytes).deallocate() }
}

/// One decoded field column of a block.
public enum FieldColumn {
    /// Every row is "".
    case empty
    /// Distinct values (ranges into `storage`) and one index per row.
    case dictionary(storage: [UInt8], starts: [UInt32], lengths: [UInt32], indices: [UInt32])
    /// One value per row (ranges into `storage`).
    case plain(storage: [UInt8], starts: [UInt32], lengths: [UInt32])

    init?(encoding: ColumnEncoding, bytes: [UInt8], rows: Int) {
        switch encoding {
        case .shredded:
            return nil
        case .empty:
            self = .empty
        case .dictionary:
            var starts: [UInt32] = []
            var lengths: [UInt32] = []
            var indices: [UInt32] = []
            let ok = bytes.withUnsafeBytes { raw -> Bool in
                var r = ByteReader(raw)
                guard let n = r.varint(), n <= UInt64(rows) || n <= 1 else { return false }
                starts.reserveCapacity(Int(n))
                lengths.reserveCapacity(Int(n))
                for _ in 0..<n {
                    guard let length = r.varint(), length <= UInt64(r.remaining) else { return false }
                    starts.append(UInt32(r.offset))
                    lengths.append(UInt32(length))
                    r.offset += Int(length)
                }
                guard let width = r.u8(), [1, 2, 4].contains(width), r.remaining == rows * Int(width) else { return false }
                guard rows > 0 else { return true }
                // Little-endian indices of `width` bytes; the largest is checked once at the end.
                let from = raw.baseAddress! + r.offset
                var largest: UInt32 = 0
                indices = [UInt32](unsafeUninitializedCapacity: rows) { out, initialized in
                    switch width {
                    case 1:
                        for i in 0..<rows {
                            let v = UInt32(from.load(fromByteOffset: i, as: UInt8.self))
                            out[i] = v
                            largest = max(largest, v)
                        }
                    case 2:
                        for i in 0..<rows {
                            let v = UInt32(UInt16(littleEndian: from.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
                            out[i] = v
                            largest = max(largest, v)
                        }
                    default:
                        for i in 0..<rows {
                            let v = UInt32(littleEndian: from.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))
                            out[i] = v
                            largest = max(largest, v)
                        }
                    }
                    initialized = rows
                }
                return largest < UInt32(n)
            }
            guard ok else { return nil }
            self = .dictionary(storage: bytes, starts: starts, lengths: lengths, indices: indices)
        case .plain:
            var starts: [UInt32] = []
            var lengths: [UInt32] = []
            starts.reserveCapacity(rows)
            lengths.reserveCapacity(rows)
            let ok = bytes.withUnsafeBytes { raw -> Bool in
                var r = ByteReader(raw)
                for _ in 0..<rows {
                    guard let length = r.varint(), length <= UInt64(r.remaining) else { return false }
                    starts.append(UInt32(r.offset))
                    lengths.append(UInt32(length))
                    r.offset += Int(length)
                }
                return r.remaining == 0
            }
            guard ok else { return nil }
            self = .plain(storage: bytes, starts: starts, lengths: lengths)
        }
    }

    /// Calls `body` with the bytes of row `row`.
    @inline(__always)
    public func withValue<R>(row: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch self {
        case .empty:
            return try body(UnsafeRawBufferPointer(start: nil, count: 0))
        case .dictionary(let storage, let starts, let lengths, let indices):
            let k = Int(indices[row])
            return try Self.slice(storage, Int(starts[k]), Int(lengths[k]), body)
        case .plain(let storage, let starts, let lengths):
            return try Self.slice(storage, Int(starts[row]), Int(lengths[row]), body)
        }
    }

    /// Calls `body` with the bytes of dictionary entry `k` (dictionary columns only).
    @inline(__always)
    public func withEntry<R>(_ k: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        guard case .dictionary(let storage, let starts, let lengths, _) = self else {
            return try body(UnsafeRawBufferPointer(start: nil, count: 0))
        }
        return try Self.slice(storage, Int(starts[k]), Int(lengths[k]), body)
    }

    @inline(__always)
    static func slice<R>(_ storage: [UInt8], _ start: Int, _ length: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes { buffer in
            // Ranges were checked against the column when it was decoded.
            try body(UnsafeRawBufferPointer(rebasing: buffer[start..<(start + length)]))
        }
    }
}
