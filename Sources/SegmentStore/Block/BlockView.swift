import AuditCore

/// A decompressed block whose rows are read in place: filters test field bytes without
/// building an ``AuditEvent`` per row, and only matching rows are materialized.
public struct BlockView {
    /// The block's header.
    public let header: BlockHeader
    /// The decompressed rows (see ``Block`` for the layout).
    private let rows: [UInt8]
    /// Per row: time (ns UTC).
    private var times: [Int64]
    /// Per row: source.
    private var sources: [SourceKind]
    /// Per row, `slots` entries: the start of each field value then of the raw bytes, and
    /// their lengths, as offsets into `rows`.
    private var starts: [UInt32]
    private var lengths: [UInt32]
    /// Fields per row stored in this block (readers ignore extra ones, treat missing as empty).
    private static let fieldCount = Field.allCases.count
    /// Offsets per row: every known field plus the raw bytes.
    private static let slots = fieldCount + 1

    /// Number of events.
    public var count: Int { times.count }

    /// Decompresses `body` and indexes its rows; nil when the body is damaged.
    public init?(body: UnsafeRawBufferPointer) {
        var r = ByteReader(body)
        guard let header = BlockHeader.decode(&r), header.codec == BlockHeader.codecZlib,
            header.rawLength <= UInt32(Limits.maxBlockFrameBytes) * 16,
            header.eventCount <= UInt32(Limits.maxBlockFrameBytes)
        else { return nil }
        let payload = UnsafeRawBufferPointer(rebasing: body[r.offset...])
        guard let rows = Deflate.decompress(payload, length: Int(header.rawLength)) else { return nil }
        self.header = header
        self.rows = rows
        let n = Int(header.eventCount)
        times = []
        sources = []
        starts = []
        lengths = []
        times.reserveCapacity(n)
        sources.reserveCapacity(n)
        starts.reserveCapacity(n * Self.slots)
        lengths.reserveCapacity(n * Self.slots)
        let ok = rows.withUnsafeBytes { buffer -> Bool in
            var rr = ByteReader(buffer)
            for _ in 0..<n {
                guard let delta = rr.varint(), let sourceByte = rr.u8(), let source = SourceKind(rawValue: sourceByte),
                    let stored = rr.varint(), stored < 4096
                else { return false }
                times.append(header.minTime &+ Int64(bitPattern: delta))
                sources.append(source)
                for k in 0..<Int(stored) {
                    guard let length = rr.varint(), length <= UInt64(rr.remaining) else { return false }
                    if k < Self.fieldCount {
                        starts.append(UInt32(rr.offset))
                        lengths.append(UInt32(length))
                    }
                    rr.offset += Int(length)
                }
                for _ in Int(stored)..<max(Int(stored), Self.fieldCount) {
                    starts.append(0)
                    lengths.append(0)
                }
                guard let length = rr.varint(), length <= UInt64(rr.remaining) else { return false }
                starts.append(UInt32(rr.offset))
                lengths.append(UInt32(length))
                rr.offset += Int(length)
            }
            return true
        }
        guard ok else { return nil }
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
        let slot = i * Self.slots + field.rawValue
        return try bytes(start: Int(starts[slot]), length: Int(lengths[slot]), body)
    }

    /// Calls `body` with the original event bytes of row `i`.
    @inline(__always)
    public func withRaw<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let slot = i * Self.slots + Self.fieldCount
        return try bytes(start: Int(starts[slot]), length: Int(lengths[slot]), body)
    }

    @inline(__always)
    private func bytes<R>(start: Int, length: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try rows.withUnsafeBytes { buffer in
            // start/length were checked against the buffer when the rows were indexed.
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
        for field in Field.allCases {
            let slot = i * Self.slots + field.rawValue
            if lengths[slot] > 0 { fields[field] = string(i, field) }
        }
        return AuditEvent(time: times[i], source: sources[i], fields: fields, raw: withRaw(i) { Array($0) })
    }
}
