import AuditCore

extension FieldColumn {
    /// Appends the bytes of rows `0..<rows` to `arena` (a dictionary's entries once) and each
    /// row's range in it; false when the column has fewer rows.
    func appendRows(_ rows: Int, into arena: inout [UInt8], starts: inout [Int], lengths: inout [Int]) -> Bool {
        let base = arena.count
        switch self {
        case .empty:
            starts.append(contentsOf: repeatElement(base, count: rows))
            lengths.append(contentsOf: repeatElement(0, count: rows))
        case .dictionary(let storage, let entryStarts, let entryLengths, let indices):
            guard indices.count >= rows else { return false }
            arena.append(contentsOf: storage)
            for row in 0..<rows {
                let k = Int(indices[row])
                starts.append(base + Int(entryStarts[k]))
                lengths.append(Int(entryLengths[k]))
            }
        case .plain(let storage, let rowStarts, let rowLengths):
            guard rowStarts.count >= rows else { return false }
            arena.append(contentsOf: storage)
            for row in 0..<rows {
                starts.append(base + Int(rowStarts[row]))
                lengths.append(Int(rowLengths[row]))
            }
        }
        return true
    }
}

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

    /// One decoded value column: every value's bytes in the decoder's arena from `base`, value k
    /// at `base + starts[k] ..< base + starts[k] + lengths[k]`; for a ``ShredColumnKind/field``
    /// column, the field and only the exceptions are there (value `exceptions[j]` at `starts[j]`).
    private struct Column {
        var base = 0
        var starts: [UInt32] = []
        var lengths: [UInt32] = []
        var count = 0
        var field: FieldColumn?
        var fieldNumber = -1
        var exceptions: [Int] = []
    }

    /// Decodes `stream`, which must hold exactly `eventCount` events; `field(k)` gives the block's
    /// column of field raw value k, or nil when it is damaged. With `selected`, only the rows it
    /// marks are put together (the others come back empty): every value column is still read
    /// in order, but a query that prints 1 row of 4,096 copies that row's bytes only.
    static func decode(
        _ stream: UnsafeRawBufferPointer, eventCount: Int, field: (Int) -> FieldColumn? = { _ in nil }, selected: [Bool]? = nil
    ) -> Events? {
        if let selected, selected.count != eventCount { return nil }
        var r = ByteReader(stream)
        guard r.u8() == ShredFormat.version, let n = r.varint(), n == UInt64(eventCount),
            let totalSize = r.varint(), totalSize <= UInt64(Limits.maxBlockFrameBytes) * 64,
            let templateCount = r.varint(), templateCount <= UInt64(r.remaining)
        else { return nil }
        let total = Int(totalSize)
        // Templates, flattened: template t is pieces templateFirst[t] ..< templateFirst[t + 1]; a
        // piece is a literal (offset and size in `stream`) then a value of its column (−1: none).
        var templateFirst: [Int] = []
        var pieceStart: [Int] = []
        var pieceLength: [Int] = []
        var pieceColumn: [Int] = []
        templateFirst.reserveCapacity(Int(templateCount) + 1)
        for _ in 0..<templateCount {
            templateFirst.append(pieceStart.count)
            guard let size = r.varint(), size <= UInt64(r.remaining) else { return nil }
            let from = r.offset
            let to = from + Int(size)
            r.offset = to
            var start = from
            for k in from..<to where stream[k] == ShredFormat.slotMarker {
                guard let column = r.varint(), column <= UInt64(Int32.max) else { return nil }
                pieceStart.append(start)
                pieceLength.append(k - start)
                pieceColumn.append(Int(column))
                start = k + 1
            }
            pieceStart.append(start)
            pieceLength.append(to - start)
            pieceColumn.append(-1)
        }
        templateFirst.append(pieceStart.count)
        var eventTemplates: [Int] = []
        eventTemplates.reserveCapacity(eventCount)
        var verbatimCount = 0
        for _ in 0..<eventCount {
            guard let number = r.varint(), number <= templateCount else { return nil }
            if number == 0 { verbatimCount += 1 }
            eventTemplates.append(Int(number))
        }
        var verbatim: [(start: Int, length: Int)] = []
        verbatim.reserveCapacity(verbatimCount)
        for _ in 0..<verbatimCount {
            guard let size = r.varint(), size <= UInt64(r.remaining) else { return nil }
            verbatim.append((r.offset, Int(size)))
            r.offset += Int(size)
        }
        // Decoding some rows: per column, the indices of the values those rows use, ascending.
        // Typed and plain values the other rows use are stepped over, not written out.
        var needed: [[Int32]] = []
        if let selected {
            let columnsUsed = (pieceColumn.max() ?? -1) + 1
            guard columnsUsed <= r.remaining + 1 else { return nil }
            var used = [Int32](repeating: 0, count: columnsUsed)
            needed = Array(repeating: [], count: columnsUsed)
            for (event, number) in eventTemplates.enumerated() where number != 0 {
                let keep = selected[event]
                for piece in templateFirst[number - 1]..<templateFirst[number] {
                    let c = pieceColumn[piece]
                    if c < 0 { break }
                    if keep { needed[c].append(used[c]) }
                    used[c] &+= 1
                }
            }
        }
        guard let columnCount = r.varint(), columnCount <= UInt64(r.remaining) else { return nil }
        var columns: [Column] = []
        columns.reserveCapacity(Int(columnCount))
        // Every value's bytes in one arena, written once by the column decoders.
        var arena: [UInt8] = []
        arena.reserveCapacity(total)
        for _ in 0..<columnCount {
            guard let kind = r.u8().flatMap(ShredColumnKind.init(rawValue:)), let count = r.varint(),
                count <= totalSize + 1, let payload = r.lengthPrefixed(),
                let column = decodeColumn(
                    kind, count: Int(count), payload, field, &arena,
                    needed: selected == nil ? nil : (columns.count < needed.count ? needed[columns.count] : []))
            else { return nil }
            columns.append(column)
        }
        guard r.remaining == 0, pieceColumn.allSatisfy({ $0 < columns.count }) else { return nil }

        // Per column its values' ranges in the arena in valueStart/valueLength from columnFirst[c];
        // for a field column, per row its field value's range from rowFirst[c].
        var valueStart: [Int] = []
        var valueLength: [Int] = []
        var exceptionIndex: [Int] = []  // per value slot of a field column: which value it replaces
        var columnFirst: [Int] = []
        var columnCountOf: [Int] = []  // values of each column
        var slotsOf: [Int] = []  // values stored in each column (a field column: its exceptions)
        var rowFirst: [Int] = []  // −1: not a field column
        var rowStart: [Int] = []
        var rowLength: [Int] = []
        var fieldRows: [Int: Int] = [:]  // field number → offset in rowStart
        for c in columns {
            let base = c.base
            columnFirst.append(valueStart.count)
            for k in c.starts.indices {
                valueStart.append(base + Int(c.starts[k]))
                valueLength.append(Int(c.lengths[k]))
                exceptionIndex.append(k < c.exceptions.count ? c.exceptions[k] : -1)
            }
            columnCountOf.append(c.count)
            slotsOf.append(c.starts.count)
            guard let field = c.field else {
                rowFirst.append(-1)
                continue
            }
            if let first = fieldRows[c.fieldNumber] {
                rowFirst.append(first)
                continue
            }
            let first = rowStart.count
            fieldRows[c.fieldNumber] = first
            rowFirst.append(first)
            guard field.appendRows(eventCount, into: &arena, starts: &rowStart, lengths: &rowLength) else { return nil }
        }

        var starts = [UInt32](repeating: 0, count: eventCount)
        var lengths = [UInt32](repeating: 0, count: eventCount)
        // Per column: values used so far, exceptions used so far.
        let next = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(columns.count * 2, 1))
        next.initialize(repeating: 0)
        defer { next.deallocate() }
        let exceptionBase = columns.count
        var ok = true
        let out = [UInt8](unsafeUninitializedCapacity: max(total, 1)) { out, initialized in
            initialized = 0
            guard let o = out.baseAddress, let s = stream.baseAddress else {
                ok = total == 0 && eventTemplates.allSatisfy { $0 == 0 } && verbatim.allSatisfy { $0.length == 0 }
                if ok { starts = Array(repeating: 0, count: eventCount); lengths = starts }
                return
            }
            arena.withUnsafeBytes { arenaBytes in
                let a = arenaBytes.baseAddress ?? UnsafeRawPointer(s)
                var at = 0
                var nextVerbatim = 0
                let streamEnd = UnsafeRawPointer(s) + stream.count
                let arenaEnd = a + arenaBytes.count
                let out = UnsafeMutableRawPointer(o)
                /// Copies `count` bytes from `from`, which may be read up to `end`.
                @inline(__always) func copy(_ from: UnsafeRawPointer, _ count: Int, _ end: UnsafeRawPointer) -> Bool {
                    guard count <= total - at else { return false }
                    if count <= 16 && total - at >= 16 && end - from >= 16 {
                        // Most pieces are a few bytes: one 16-byte move beats a memmove call (the
                        // bytes past `count` are overwritten by the next piece or never exposed).
                        (out + at).storeBytes(of: from.loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
                    } else {
                        (o + at).initialize(from: from.assumingMemoryBound(to: UInt8.self), count: count)
                    }
                    at += count
                    return true
                }
                events: for (event, number) in eventTemplates.enumerated() {
                    let start = at
                    if let selected, !selected[event] {
                        // Skipped: advance past its values (and its exceptions) without copying.
                        if number == 0 {
                            nextVerbatim += 1
                        } else {
                            for piece in templateFirst[number - 1]..<templateFirst[number] {
                                let c = pieceColumn[piece]
                                if c < 0 { break }
                                let v = next[c]
                                guard v < columnCountOf[c] else { ok = false; break events }
                                next[c] = v + 1
                                if rowFirst[c] >= 0 {
                                    let x = next[exceptionBase + c]
                                    if x < slotsOf[c], exceptionIndex[columnFirst[c] + x] == v { next[exceptionBase + c] = x + 1 }
                                }
                            }
                        }
                        starts[event] = UInt32(start)
                        continue
                    }
                    if number == 0 {
                        let v = verbatim[nextVerbatim]
                        nextVerbatim += 1
                        guard copy(s + v.start, v.length, streamEnd) else { ok = false; break events }
                    } else {
                        for piece in templateFirst[number - 1]..<templateFirst[number] {
                            guard copy(s + pieceStart[piece], pieceLength[piece], streamEnd) else { ok = false; break events }
                            let c = pieceColumn[piece]
                            if c < 0 { break }
                            let v = next[c]
                            guard v < columnCountOf[c] else { ok = false; break events }
                            next[c] = v + 1
                            let rows = rowFirst[c]
                            var slot = columnFirst[c] + v
                            if rows >= 0 {
                                let x = next[exceptionBase + c]
                                if x < slotsOf[c], exceptionIndex[columnFirst[c] + x] == v {
                                    next[exceptionBase + c] = x + 1
                                    slot = columnFirst[c] + x
                                } else {
                                    guard copy(a + rowStart[rows + event], rowLength[rows + event], arenaEnd) else { ok = false; break events }
                                    continue
                                }
                            }
                            guard copy(a + valueStart[slot], valueLength[slot], arenaEnd) else { ok = false; break events }
                        }
                    }
                    starts[event] = UInt32(start)
                    lengths[event] = UInt32(at - start)
                }
                initialized = at
                ok = ok && (selected == nil ? at == total : at <= total)
            }
        }
        return ok ? Events(bytes: out, starts: starts, lengths: lengths) : nil
    }

    private static func decodeColumn(
        _ kind: ShredColumnKind, count: Int, _ payload: UnsafeRawBufferPointer, _ fieldColumn: (Int) -> FieldColumn?,
        _ arena: inout [UInt8], needed: [Int32]? = nil
    ) -> Column? {
        // With `needed`, value k is written out only when k is listed (others read as empty).
        var wanted = 0
        @inline(__always) func wants(_ k: Int) -> Bool {
            guard let needed else { return true }
            guard wanted < needed.count, Int(needed[wanted]) == k else { return false }
            wanted += 1
            return true
        }
        var r = ByteReader(payload)
        var c = Column()
        c.base = arena.count
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
            if needed == nil {
                arena.append(contentsOf: UnsafeRawBufferPointer(rebasing: payload[r.offset...]))
            } else {
                // Only the values asked for, packed.
                let valuesStart = r.offset
                var packed = 0
                for k in 0..<count {
                    guard wants(k) else {
                        c.starts[k] = 0
                        c.lengths[k] = 0
                        continue
                    }
                    let from = valuesStart + Int(c.starts[k])
                    arena.append(contentsOf: UnsafeRawBufferPointer(rebasing: payload[from..<(from + Int(c.lengths[k]))]))
                    c.starts[k] = UInt32(packed)
                    packed += Int(c.lengths[k])
                }
            }
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
            arena.append(contentsOf: UnsafeRawBufferPointer(rebasing: payload[r.offset..<(r.offset + offset)]))
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
            c.fieldNumber = Int(f)
            var next = 0
            for _ in 0..<exceptions {
                guard let gap = r.varint(), gap < UInt64(count), next + Int(gap) < count, let value = r.lengthPrefixed() else { return nil }
                c.exceptions.append(next + Int(gap))
                next += Int(gap) + 1
                c.starts.append(UInt32(arena.count - c.base))
                c.lengths.append(UInt32(value.count))
                arena.append(contentsOf: value)
            }
            guard r.remaining == 0 else { return nil }
        case .integer:
            var previous: Int64 = 0
            for k in 0..<count {
                guard let delta = r.varint() else { return nil }
                previous = previous &+ unzigzag(delta)
                guard wants(k) else {
                    c.starts.append(0)
                    c.lengths.append(0)
                    continue
                }
                let start = arena.count - c.base
                appendDecimal(previous, to: &arena)
                c.starts.append(UInt32(start))
                c.lengths.append(UInt32(arena.count - c.base - start))
            }
            guard r.remaining == 0 else { return nil }
        case .timestamp:
            guard let unit = r.u8(), unit <= 9, r.remaining >= count else { return nil }
            let digitsStart = r.offset
            r.offset += count
            var scale: Int64 = 1
            for _ in 0..<unit { scale *= 10 }
            var previous: Int64 = 0
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
                guard wants(k) else {
                    c.starts.append(0)
                    c.lengths.append(0)
                    continue
                }
                let start = arena.count - c.base
                ShredTimestamp.format(seconds: seconds, fraction: fraction, digits: digits, into: &arena)
                c.starts.append(UInt32(start))
                c.lengths.append(UInt32(arena.count - c.base - start))
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
