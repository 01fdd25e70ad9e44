import AuditCore

/// Decodes the shredded stream of ``ShredFormat`` back into the events' original bytes.
/// Every count, size and index is checked against the stream, so a damaged stream gives nil,
/// never a trap or an unbounded allocation.
enum ShredDecoder {
    /// The events' bytes laid end to end, and where each starts and how long it is (B).
    struct Events {
        var bytes: [UInt8]
        var starts: [UInt32]
        var lengths: [UInt32]
    }

    /// One decoded value column: every value's bytes in `storage`, value k at
    /// `starts[k] ..< starts[k] + lengths[k]`; for a ``ShredColumnKind/field`` column, the
    /// field and only the exceptions are there (value `exceptions[j]` at `starts[j]`).
    private struct Column {
        var storage: [UInt8] = []
        var starts: [UInt32] = []
        var lengths: [UInt32] = []
        var next = 0
        var count = 0
        var field: FieldColumn?
        var exceptions: [Int] = []
        var nextException = 0
    }

    /// A template cut at its slot markers: literal k is `bytes[literalStarts[k] ..< literalEnds[k]]`,
    /// followed by a value of `columns[k]` (none after the last literal).
    private struct Template {
        var bytes: UnsafeRawBufferPointer
        var literalStarts: [Int] = []
        var literalEnds: [Int] = []
        var columns: [Int] = []
    }

    /// Decodes `stream`, which must hold exactly `eventCount` events; `field(k)` gives the block's
    /// column of field raw value k, or nil when it is damaged.
    static func decode(_ stream: UnsafeRawBufferPointer, eventCount: Int, field: (Int) -> FieldColumn? = { _ in nil }) -> Events? {
        var r = ByteReader(stream)
        guard r.u8() == ShredFormat.version, let n = r.varint(), n == UInt64(eventCount),
            let total = r.varint(), total <= UInt64(Limits.maxBlockFrameBytes) * 64,
            let templateCount = r.varint(), templateCount <= UInt64(r.remaining)
        else { return nil }
        var templates: [Template] = []
        templates.reserveCapacity(Int(templateCount))
        for _ in 0..<templateCount {
            guard let bytes = r.lengthPrefixed() else { return nil }
            var t = Template(bytes: bytes)
            var start = 0
            for (k, b) in bytes.enumerated() where b == ShredFormat.slotMarker {
                t.literalStarts.append(start)
                t.literalEnds.append(k)
                start = k + 1
                guard let column = r.varint(), column <= UInt64(Int32.max) else { return nil }
                t.columns.append(Int(column))
            }
            t.literalStarts.append(start)
            t.literalEnds.append(bytes.count)
            templates.append(t)
        }
        var eventTemplates: [Int] = []
        eventTemplates.reserveCapacity(eventCount)
        var verbatimCount = 0
        for _ in 0..<eventCount {
            guard let number = r.varint(), number <= templateCount else { return nil }
            if number == 0 { verbatimCount += 1 }
            eventTemplates.append(Int(number))
        }
        var verbatim: [UnsafeRawBufferPointer] = []
        verbatim.reserveCapacity(verbatimCount)
        for _ in 0..<verbatimCount {
            guard let bytes = r.lengthPrefixed() else { return nil }
            verbatim.append(bytes)
        }
        guard let columnCount = r.varint(), columnCount <= UInt64(r.remaining) else { return nil }
        var columns: [Column] = []
        columns.reserveCapacity(Int(columnCount))
        for _ in 0..<columnCount {
            guard let kind = r.u8().flatMap(ShredColumnKind.init(rawValue:)), let count = r.varint(),
                count <= total + 1, let payload = r.lengthPrefixed(),
                let column = decodeColumn(kind, count: Int(count), payload, field)
            else { return nil }
            columns.append(column)
        }
        guard r.remaining == 0 else { return nil }
        for t in templates where t.columns.contains(where: { $0 >= columns.count }) { return nil }

        // Assemble: literals from the template, values from their columns in order.
        var out: [UInt8] = []
        out.reserveCapacity(Int(total))
        var starts: [UInt32] = []
        var lengths: [UInt32] = []
        starts.reserveCapacity(eventCount)
        lengths.reserveCapacity(eventCount)
        var nextVerbatim = 0
        for (event, number) in eventTemplates.enumerated() {
            let start = out.count
            if number == 0 {
                out.append(contentsOf: verbatim[nextVerbatim])
                nextVerbatim += 1
            } else {
                let t = templates[number - 1]
                for k in 0..<t.columns.count {
                    out.append(contentsOf: UnsafeRawBufferPointer(rebasing: t.bytes[t.literalStarts[k]..<t.literalEnds[k]]))
                    let c = t.columns[k]
                    let v = columns[c].next
                    guard v < columns[c].count else { return nil }
                    columns[c].next = v + 1
                    var j = v
                    if let field = columns[c].field {
                        let x = columns[c].nextException
                        if x < columns[c].exceptions.count, columns[c].exceptions[x] == v {
                            columns[c].nextException = x + 1
                            j = x
                        } else {
                            field.withValue(row: event) { out.append(contentsOf: $0) }
                            continue
                        }
                    }
                    let s = Int(columns[c].starts[j])
                    let e = s + Int(columns[c].lengths[j])
                    columns[c].storage.withUnsafeBytes { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[s..<e])) }
                }
                let last = t.columns.count
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: t.bytes[t.literalStarts[last]..<t.literalEnds[last]]))
            }
            guard out.count <= Int(total) else { return nil }
            starts.append(UInt32(start))
            lengths.append(UInt32(out.count - start))
        }
        guard out.count == Int(total) else { return nil }
        return Events(bytes: out, starts: starts, lengths: lengths)
    }

    private static func decodeColumn(
        _ kind: ShredColumnKind, count: Int, _ payload: UnsafeRawBufferPointer, _ fieldColumn: (Int) -> FieldColumn?
    ) -> Column? {
        var r = ByteReader(payload)
        var c = Column()
        c.count = count
        c.starts.reserveCapacity(count)
        c.lengths.reserveCapacity(count)
        switch kind {
        case .plain:
            var offset = 0
            for _ in 0..<count {
                guard let length = r.varint(), length <= UInt64(payload.count) else { return nil }
                c.starts.append(UInt32(offset))
                c.lengths.append(UInt32(length))
                offset += Int(length)
            }
            guard offset == r.remaining else { return nil }
            c.storage = Array(UnsafeRawBufferPointer(rebasing: payload[r.offset...]))
        case .dictionary:
            guard let n = r.varint(), n <= UInt64(payload.count) else { return nil }
            var entryStarts: [UInt32] = []
            var entryLengths: [UInt32] = []
            var offset = 0
            for _ in 0..<n {
                guard let length = r.varint(), length <= UInt64(payload.count) else { return nil }
                entryStarts.append(UInt32(offset))
                entryLengths.append(UInt32(length))
                offset += Int(length)
            }
            guard offset <= r.remaining else { return nil }
            c.storage = Array(UnsafeRawBufferPointer(rebasing: payload[r.offset..<(r.offset + offset)]))
            r.offset += offset
            guard let width = r.u8(), [1, 2, 4].contains(width), r.remaining == count * Int(width) else { return nil }
            for _ in 0..<count {
                let index: Int
                switch width {
                case 1: index = Int(r.u8()!)
                case 2: index = Int(r.u16()!)
                default: index = Int(r.u32()!)
                }
                guard index < Int(n) else { return nil }
                c.starts.append(entryStarts[index])
                c.lengths.append(entryLengths[index])
            }
        case .field:
            guard let f = r.u8(), Int(f) < Field.fieldCount, let column = fieldColumn(Int(f)),
                let exceptions = r.varint(), exceptions <= UInt64(count)
            else { return nil }
            c.field = column
            var next = 0
            for _ in 0..<exceptions {
                guard let gap = r.varint(), gap < UInt64(count), next + Int(gap) < count, let value = r.lengthPrefixed() else { return nil }
                c.exceptions.append(next + Int(gap))
                next += Int(gap) + 1
                c.starts.append(UInt32(c.storage.count))
                c.lengths.append(UInt32(value.count))
                c.storage.append(contentsOf: value)
            }
            guard r.remaining == 0 else { return nil }
        case .integer:
            var previous: Int64 = 0
            c.storage.reserveCapacity(count * 4)
            for _ in 0..<count {
                guard let delta = r.varint() else { return nil }
                previous = previous &+ unzigzag(delta)
                let start = c.storage.count
                appendDecimal(previous, to: &c.storage)
                c.starts.append(UInt32(start))
                c.lengths.append(UInt32(c.storage.count - start))
            }
            guard r.remaining == 0 else { return nil }
        case .timestamp:
            guard let unit = r.u8(), unit <= 9, r.remaining >= count else { return nil }
            let digitsStart = r.offset
            r.offset += count
            var scale: Int64 = 1
            for _ in 0..<unit { scale *= 10 }
            var previous: Int64 = 0
            c.storage.reserveCapacity(count * 28)
            for k in 0..<count {
                let digits = Int(payload[digitsStart + k])
                guard digits <= Int(unit), let delta = r.varint() else { return nil }
                previous = previous &+ unzigzag(delta)
                var seconds = previous / scale
                var fraction = previous % scale
                if fraction < 0 {
                    seconds -= 1
                    fraction += scale
                }
                for _ in digits..<Int(unit) { fraction /= 10 }
                // Years past 9999 cannot come from a parsed value: the stream is damaged.
                guard seconds < 253_402_300_800, seconds >= -62_167_219_200 else { return nil }
                let start = c.storage.count
                ShredTimestamp.format(seconds: seconds, fraction: fraction, digits: digits, into: &c.storage)
                c.starts.append(UInt32(start))
                c.lengths.append(UInt32(c.storage.count - start))
            }
            guard r.remaining == 0 else { return nil }
        }
        return c
    }

    /// Appends the decimal spelling of `v`.
    @inline(__always)
    static func appendDecimal(_ v: Int64, to out: inout [UInt8]) {
        if v < 0 { out.append(UInt8(ascii: "-")) }
        var m = v.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
            UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[n] = UInt8(ascii: "0") + UInt8(m % 10)
                m /= 10
                n += 1
            } while m > 0
            while n > 0 {
                n -= 1
                out.append(d[n])
            }
        }
    }
}
