import AuditCore

/// What a block holds, stored uncompressed beside its columns so that queries skip blocks
/// without decompressing them: the sources present and, for low-cardinality fields, the
/// distinct values.
///
/// Layout: `u8` bit set of source raw values, `u8` number of summarized fields, then per field
/// `u8` field raw value, `u16` number of distinct values (``tooMany`` when past
/// ``Limits/summaryValues``, then no values follow), then per value, sorted bytewise: the value
/// length-prefixed and `varint` the number of events in the block that have it (0: unknown).
/// The counts let `count by` a summarized field (and `count`, `top`) over blocks that match
/// whole be answered without decompressing them.
///
/// A decoded summary keeps its bytes and an index of where each field's values start; values
/// are read from the bytes when a filter asks for them (queries test one or two fields of
/// hundreds of blocks: hashing every value of every field into sets cost more than the query).
public struct BlockSummary: Sendable, Equatable {
    /// The fields whose distinct values are kept: the ones queries filter and group on.
    public static let fields: [Field] = [
        .verb, .user, .resource, .ns, .code, .error, .event, .service, .region, .account, .actor, .level, .stage,
        .decision,
    ]
    static let tooMany: UInt16 = 0xFFFF

    /// One distinct value of a field and the number of events of the block that have it
    /// (0 when the summary does not say).
    public struct Entry: Sendable, Equatable {
        public let value: ArraySlice<UInt8>
        public let count: Int
    }

    /// Bit `k` set when an event of source raw value `k` is in the block.
    public let sources: UInt8
    /// The encoded summary (the layout above).
    let bytes: [UInt8]
    /// Per field raw value: the offset in `bytes` of its first value and the number of values,
    /// or nil when the values are unknown (not summarized, or too many).
    private let index: [FieldSpan?]

    private struct FieldSpan: Sendable, Equatable {
        let offset: Int
        let count: Int
    }

    /// A summary of `sources` and, per summarized field, its distinct values with their event
    /// counts (nil: too many to list). Values are stored sorted, so the same events always
    /// encode to the same bytes.
    public init(sources: UInt8, values: [Field: [(value: [UInt8], count: Int)]?]) {
        var w = ByteWriter()
        w.u8(sources)
        w.u8(UInt8(Self.fields.count))
        for field in Self.fields {
            w.u8(UInt8(field.rawValue))
            guard let list = values[field] ?? nil else {
                w.u16(Self.tooMany)
                continue
            }
            w.u16(UInt16(list.count))
            for entry in list.sorted(by: { $0.value.lexicographicallyPrecedes($1.value) }) {
                w.lengthPrefixed(entry.value)
                w.varint(UInt64(entry.count))
            }
        }
        // Parsing what was just written cannot fail.
        self = w.bytes.withUnsafeBytes { Self.decode($0) }!
    }

    private init(sources: UInt8, bytes: [UInt8], index: [FieldSpan?]) {
        self.sources = sources
        self.bytes = bytes
        self.index = index
    }

    /// Whether an event of `source` is in the block.
    public func contains(_ source: SourceKind) -> Bool {
        sources & (1 << source.rawValue) != 0
    }

    /// The distinct values of `field` with their event counts, in bytewise order, or nil when
    /// unknown (not summarized, or too many).
    public func entries(_ field: Field) -> [Entry]? {
        var out: [Entry] = []
        let known = walk(field) { value, start, count in
            out.append(Entry(value: bytes[start..<(start + value.count)], count: count))
            return true
        }
        return known == nil ? nil : out
    }

    /// Whether some distinct value of `field` satisfies `test`; nil when the values are unknown.
    public func anyValue(_ field: Field, _ test: (UnsafeRawBufferPointer) -> Bool) -> Bool? {
        // The walk stops at the first value that passes, so it ran to the end when none did.
        walk(field) { value, _, _ in !test(value) }.map { !$0 }
    }

    /// Whether every distinct value of `field` satisfies `test`; nil when the values are unknown.
    public func allValues(_ field: Field, _ test: (UnsafeRawBufferPointer) -> Bool) -> Bool? {
        walk(field) { value, _, _ in test(value) }
    }

    /// Calls `body` with each distinct value of `field` (in place), where it starts in `bytes`
    /// and its event count, until it returns false; returns whether it never did, or nil when
    /// the values are unknown. Sizes were checked when the summary was decoded.
    private func walk(_ field: Field, _ body: (_ value: UnsafeRawBufferPointer, _ start: Int, _ count: Int) -> Bool) -> Bool? {
        guard field.rawValue < index.count, let span = index[field.rawValue] else { return nil }
        return bytes.withUnsafeBytes { raw in
            var r = ByteReader(raw, offset: span.offset)
            for _ in 0..<span.count {
                let length = Int(r.varint()!)
                let start = r.offset
                r.offset += length
                let count = Int(r.varint()!)
                if !body(UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)]), start, count) { return false }
            }
            return true
        }
    }

    /// The distinct values of `field`, or nil when unknown (not summarized, or too many).
    public func distinct(_ field: Field) -> Set<[UInt8]>? {
        entries(field).map { Set($0.map { Array($0.value) }) }
    }

    /// Events per distinct value of `field`, or nil when unknown (values unknown, or a count
    /// not recorded).
    public func counts(_ field: Field) -> [Entry]? {
        guard let list = entries(field), !list.contains(where: { $0.count == 0 }) else { return nil }
        return list
    }

    func encode(into w: inout ByteWriter) {
        w.bytes.append(contentsOf: bytes)
    }

    /// Reads a summary from its bytes; nil when they do not parse.
    static func decode(_ raw: UnsafeRawBufferPointer) -> BlockSummary? {
        var r = ByteReader(raw)
        guard let sources = r.u8(), let count = r.u8() else { return nil }
        var index = [FieldSpan?](repeating: nil, count: Field.allCases.count)
        for _ in 0..<count {
            guard let raw = r.u8(), let n = r.u16() else { return nil }
            if n == tooMany { continue }
            let start = r.offset
            for _ in 0..<n {
                guard let length = r.varint(), length <= UInt64(r.remaining) else { return nil }
                r.offset += Int(length)
                guard r.varint() != nil else { return nil }
            }
            if Int(raw) < index.count { index[Int(raw)] = FieldSpan(offset: start, count: Int(n)) }
        }
        return BlockSummary(sources: sources, bytes: Array(raw.prefix(r.offset)), index: index)
    }
}
