import AuditCore

/// A decompressed block whose rows are read in place: filters test field bytes without
/// building an ``AuditEvent`` per row, only matching rows are materialized, and the raw column
/// (the bulk of the block) is decompressed only when something asks for original bytes.
public final class BlockView {
    /// The block's header.
    public let header: BlockHeader
    /// The decompressed meta column (see ``Block`` for the layout).
    private let meta: [UInt8]
    /// The compressed raw column: a copy, since the frame buffer is reused by the reader.
    private let rawPayload: [UInt8]
    private let rawLength: Int
    /// The decompressed raw column, once asked for.
    private var raw: [UInt8]?
    /// Per row: time (ns UTC).
    private var times: [Int64] = []
    /// Per row: source.
    private var sources: [SourceKind] = []
    /// Per row, ``slots`` entries: where each field value starts in `meta` and its length.
    private var starts: [UInt32] = []
    private var lengths: [UInt32] = []
    /// Per row: where its original bytes start in the raw column and their length.
    private var rawStarts: [UInt32] = []
    private var rawLengths: [UInt32] = []
    /// Fields per row (a constant; `Field.allCases.count` would cost a lazy-init check per access).
    private static var fieldCount: Int { Field.fieldCount }

    /// Number of events.
    public var count: Int { times.count }

    /// Decompresses the meta column of `body` and indexes its rows; nil when damaged.
    public init?(body: UnsafeRawBufferPointer) {
        var r = ByteReader(body)
        guard let header = BlockHeader.decode(&r), header.codec == BlockHeader.codecZlib,
            header.eventCount <= UInt32(Limits.maxBlockFrameBytes),
            header.rawLength <= UInt32(Limits.maxBlockFrameBytes) * 16,
            let metaCompressed = r.u32(), let rawLength = r.u32(), let rawCompressed = r.u32(),
            let summaryLength = r.u32(), rawLength <= UInt32(Limits.maxBlockFrameBytes) * 16,
            Int(summaryLength) + Int(metaCompressed) + Int(rawCompressed) == r.remaining
        else { return nil }
        r.offset += Int(summaryLength)
        let metaPayload = UnsafeRawBufferPointer(rebasing: body[r.offset..<(r.offset + Int(metaCompressed))])
        guard let meta = Deflate.decompress(metaPayload, length: Int(header.rawLength)) else { return nil }
        self.header = header
        self.meta = meta
        self.rawLength = Int(rawLength)
        rawPayload = Array(body[(r.offset + Int(metaCompressed))...])
        guard index() else { return nil }
    }

    /// Builds the row index in locals and stores it once: appending to a class's stored
    /// properties row by row would pay dynamic exclusivity checks on every access.
    private func index() -> Bool {
        let n = Int(header.eventCount)
        let fieldCount = Self.fieldCount
        let minTime = header.minTime
        let rawLength = self.rawLength
        var times: [Int64] = []
        var sources: [SourceKind] = []
        var starts: [UInt32] = []
        var lengths: [UInt32] = []
        var rawStarts: [UInt32] = []
        var rawLengths: [UInt32] = []
        times.reserveCapacity(n)
        sources.reserveCapacity(n)
        starts.reserveCapacity(n * fieldCount)
        lengths.reserveCapacity(n * fieldCount)
        rawStarts.reserveCapacity(n)
        rawLengths.reserveCapacity(n)
        var rawOffset = 0
        let ok = meta.withUnsafeBytes { buffer -> Bool in
            var rr = ByteReader(buffer)
            for _ in 0..<n {
                guard let delta = rr.varint(), let sourceByte = rr.u8(), let source = SourceKind(rawValue: sourceByte),
                    let stored = rr.varint(), stored < 4096
                else { return false }
                times.append(minTime &+ Int64(bitPattern: delta))
                sources.append(source)
                for k in 0..<Int(stored) {
                    guard let length = rr.varint(), length <= UInt64(rr.remaining) else { return false }
                    if k < fieldCount {
                        starts.append(UInt32(rr.offset))
                        lengths.append(UInt32(length))
                    }
                    rr.offset += Int(length)
                }
                for _ in Int(stored)..<max(Int(stored), fieldCount) {
                    starts.append(0)
                    lengths.append(0)
                }
                guard let length = rr.varint(), rawOffset + Int(length) <= rawLength else { return false }
                rawStarts.append(UInt32(rawOffset))
                rawLengths.append(UInt32(length))
                rawOffset += Int(length)
            }
            return rawOffset == rawLength
        }
        guard ok else { return false }
        self.times = times
        self.sources = sources
        self.starts = starts
        self.lengths = lengths
        self.rawStarts = rawStarts
        self.rawLengths = rawLengths
        return true
    }

    /// Decompresses the raw column if it is not yet; false when it is damaged.
    @discardableResult
    public func loadRaw() -> Bool {
        if raw != nil { return true }
        guard let decoded = rawPayload.withUnsafeBytes({ Deflate.decompress($0, length: rawLength) }) else { return false }
        raw = decoded
        return true
    }

    /// The time of row `i`, ns UTC.
    @inline(__always)
    public func time(_ i: Int) -> Int64 { times[i] }

    /// The source of row `i`.
    @inline(__always)
    public func source(_ i: Int) -> SourceKind { sources[i] }

    /// Calls `body` with the UTF-8 bytes of `field` in row `i` (empty when absent).
    @inline(__always)
    public func withField<R>(_ i: Int, _ field: Field, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let slot = i * Self.fieldCount + field.rawValue
        let start = Int(starts[slot])
        let length = Int(lengths[slot])
        return try meta.withUnsafeBytes { buffer in
            // start/length were checked against the column when the rows were indexed.
            try body(UnsafeRawBufferPointer(rebasing: buffer[start..<(start + length)]))
        }
    }

    /// Calls `body` with the original event bytes of row `i`, decompressing the raw column on
    /// first use. A damaged raw column gives empty bytes (the frame CRC normally catches it).
    public func withRaw<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        guard loadRaw(), let raw else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
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

    /// Row `i` as an event.
    public func event(_ i: Int) -> AuditEvent {
        var fields = FieldValues()
        for field in Field.allCases where lengths[i * Self.fieldCount + field.rawValue] > 0 {
            fields[field] = string(i, field)
        }
        return AuditEvent(time: times[i], source: sources[i], fields: fields, raw: withRaw(i) { Array($0) })
    }
}
