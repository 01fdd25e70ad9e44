import AuditCore

/// What a block holds, stored uncompressed beside its columns so that queries skip blocks
/// without decompressing them: the sources present and, for low-cardinality fields, the
/// distinct values.
///
/// Layout: `u8` bit set of source raw values, `u8` number of summarized fields, then per field
/// `u8` field raw value, `u16` number of distinct values (``tooMany`` when past
/// ``Limits/summaryValues``, then no values follow), then per value: the value length-prefixed
/// and `varint` the number of events in the block that have it. The counts let `count by` a
/// summarized field (and `count`, `top`) over blocks that match whole be answered without
/// decompressing them.
public struct BlockSummary: Sendable, Equatable {
    /// The fields whose distinct values are kept: the ones queries filter and group on.
    public static let fields: [Field] = [
        .verb, .user, .resource, .ns, .code, .error, .event, .service, .region, .account, .actor, .level, .stage,
        .decision,
    ]
    static let tooMany: UInt16 = 0xFFFF

    /// Bit `k` set when an event of source raw value `k` is in the block.
    public var sources: UInt8 = 0
    /// Per summarized field (by raw value): its distinct values ("" for absent), or nil when
    /// there are too many to keep.
    public var values: [Int: Set<[UInt8]>?] = [:]
    /// Per summarized field with few values (by raw value): events per distinct value.
    public var counts: [Int: [[UInt8]: Int]] = [:]

    public init() {}

    /// The distinct values of `field`, or nil when unknown (not summarized, or too many).
    public func distinct(_ field: Field) -> Set<[UInt8]>? {
        guard let entry = values[field.rawValue] else { return nil }
        return entry
    }

    /// Events per distinct value of `field`, or nil when unknown.
    public func counts(_ field: Field) -> [[UInt8]: Int]? {
        counts[field.rawValue]
    }

    /// Whether an event of `source` is in the block.
    public func contains(_ source: SourceKind) -> Bool {
        sources & (1 << source.rawValue) != 0
    }

    func encode(into w: inout ByteWriter) {
        w.u8(sources)
        w.u8(UInt8(Self.fields.count))
        for field in Self.fields {
            w.u8(UInt8(field.rawValue))
            guard let set = values[field.rawValue] ?? nil else {
                w.u16(Self.tooMany)
                continue
            }
            w.u16(UInt16(set.count))
            // Sorted, so the same events always encode to the same bytes.
            let perValue = counts[field.rawValue] ?? [:]
            for value in set.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                w.lengthPrefixed(value)
                w.varint(UInt64(perValue[value] ?? 0))
            }
        }
    }

    static func decode(_ r: inout ByteReader) -> BlockSummary? {
        var summary = BlockSummary()
        guard let sources = r.u8(), let count = r.u8() else { return nil }
        summary.sources = sources
        for _ in 0..<count {
            guard let raw = r.u8(), let n = r.u16() else { return nil }
            if n == tooMany {
                summary.values[Int(raw)] = .some(nil)
                continue
            }
            var set = Set<[UInt8]>()
            var perValue: [[UInt8]: Int] = [:]
            var known = true
            for _ in 0..<n {
                guard let value = r.lengthPrefixed(), let count = r.varint() else { return nil }
                set.insert(Array(value))
                perValue[Array(value)] = Int(count)
                if count == 0 { known = false }
            }
            summary.values[Int(raw)] = set
            if known { summary.counts[Int(raw)] = perValue }
        }
        return summary
    }
}
