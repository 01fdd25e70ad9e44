import AuditCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Picks the kind of one value column and encodes it (see ``ShredColumnKind``).
enum ShredColumnEncoder {
    /// Encodes `values` (ranges of `input`): as references to a field column when they repeat
    /// one, as integers or times when every value is one, else as a dictionary when repetitive,
    /// else plain.
    static func encode(_ values: [ShredValue], in input: UnsafeRawBufferPointer, fields: [FieldColumn]) -> (ShredColumnKind, [UInt8]) {
        let base = input.baseAddress!
        if let payload = fieldReferences(values, base, fields) { return (.field, payload) }
        if let payload = integers(values, base) { return (.integer, payload) }
        if let payload = timestamps(values, base) { return (.timestamp, payload) }
        if let payload = dictionary(values, base) { return (.dictionary, payload) }
        var w = ByteWriter(capacity: values.reduce(0) { $0 + Int($1.length) + 1 })
        for v in values { w.varint(UInt64(v.length)) }
        for v in values { w.bytes.append(contentsOf: UnsafeRawBufferPointer(start: base + Int(v.start), count: Int(v.length))) }
        return (.plain, w.bytes)
    }

    /// Share of a column's values that must equal a field's for the column to refer to it.
    static let fieldShare = Limits.shredFieldShare

    /// A ``ShredColumnKind/field`` payload when at least ``fieldShare`` of the values equal the
    /// same field of their events (the first few values pick the candidate fields), else nil.
    private static func fieldReferences(_ values: [ShredValue], _ base: UnsafeRawPointer, _ fields: [FieldColumn]) -> [UInt8]? {
        guard !values.isEmpty else { return nil }
        @inline(__always) func equal(_ v: ShredValue, _ column: FieldColumn) -> Bool {
            column.withValue(row: Int(v.event)) { f in
                f.count == Int(v.length) && (f.count == 0 || memcmp(f.baseAddress!, base + Int(v.start), f.count) == 0)
            }
        }
        let probes = values.prefix(4).filter { $0.length > 0 }
        let candidates = fields.indices.filter { f in probes.contains { equal($0, fields[f]) } }
        var best: (field: Int, misses: [Int])?
        let allowed = Int(Double(values.count) * (1 - fieldShare))
        for f in candidates {
            var misses: [Int] = []
            for (k, v) in values.enumerated() where !equal(v, fields[f]) {
                misses.append(k)
                if misses.count > allowed { break }
            }
            if misses.count <= allowed, misses.count < best?.misses.count ?? Int.max { best = (f, misses) }
        }
        guard let best else { return nil }
        var w = ByteWriter(capacity: 8 + best.misses.count * 16)
        w.u8(UInt8(best.field))
        w.varint(UInt64(best.misses.count))
        var next = 0
        for k in best.misses {
            w.varint(UInt64(k - next))
            next = k + 1
            let v = values[k]
            w.lengthPrefixed(Array(UnsafeRawBufferPointer(start: base + Int(v.start), count: Int(v.length))))
        }
        return w.bytes
    }

    /// The value of a canonical integer spelling of at most 18 digits, else nil.
    @inline(__always)
    static func canonicalInteger(_ p: UnsafeRawPointer, _ count: Int) -> Int64? {
        guard count > 0 else { return nil }
        var k = 0
        let negative = p.load(as: UInt8.self) == UInt8(ascii: "-")
        if negative { k = 1 }
        let digits = count - k
        guard digits >= 1, digits <= 18 else { return nil }
        let first = p.load(fromByteOffset: k, as: UInt8.self)
        // No leading zero (but "0" itself), no "-0".
        guard first != UInt8(ascii: "0") || (digits == 1 && !negative) else { return nil }
        var v: Int64 = 0
        while k < count {
            let d = p.load(fromByteOffset: k, as: UInt8.self) &- UInt8(ascii: "0")
            guard d < 10 else { return nil }
            v = v * 10 + Int64(d)
            k += 1
        }
        return negative ? -v : v
    }

    private static func integers(_ values: [ShredValue], _ base: UnsafeRawPointer) -> [UInt8]? {
        var w = ByteWriter(capacity: values.count * 2)
        var previous: Int64 = 0
        for v in values {
            guard let n = canonicalInteger(base + Int(v.start), Int(v.length)) else { return nil }
            w.varint(zigzag(n &- previous))
            previous = n
        }
        return w.bytes
    }

    private static func timestamps(_ values: [ShredValue], _ base: UnsafeRawPointer) -> [UInt8]? {
        var parsed: [(seconds: Int64, fraction: Int64, digits: Int)] = []
        parsed.reserveCapacity(values.count)
        var unit = 0
        for v in values {
            guard let t = ShredTimestamp.parse(UnsafeRawBufferPointer(start: base + Int(v.start), count: Int(v.length))) else {
                return nil
            }
            parsed.append(t)
            unit = max(unit, t.digits)
        }
        var scale: Int64 = 1
        for _ in 0..<unit { scale *= 10 }
        var w = ByteWriter(capacity: values.count * 5 + 1)
        w.u8(UInt8(unit))
        for t in parsed { w.u8(UInt8(t.digits)) }
        var previous: Int64 = 0
        for t in parsed {
            var fraction = t.fraction
            for _ in t.digits..<unit { fraction *= 10 }
            let (whole, overflow) = t.seconds.multipliedReportingOverflow(by: scale)
            guard !overflow, whole <= Int64.max - fraction else { return nil }  // past year 2262 in ns
            let n = whole + fraction
            w.varint(zigzag(n &- previous))
            previous = n
        }
        return w.bytes
    }

    /// A dictionary payload, or nil when the values are mostly distinct (IDs, URIs).
    private static func dictionary(_ values: [ShredValue], _ base: UnsafeRawPointer) -> [UInt8]? {
        // Open addressing over Hash64 (a word at a time): a `Dictionary` would run SipHash per
        // value, and FNV-1a a byte at a time.
        var size = 16
        while size < values.count * 2 { size *= 2 }
        let mask = size - 1
        var table = [Int32](repeating: -1, count: size)
        var tableHashes = [UInt64](repeating: 0, count: size)  // compared before the bytes
        var order: [ShredValue] = []
        var indices: [UInt32] = []
        indices.reserveCapacity(values.count)
        for v in values {
            let p = base + Int(v.start)
            let n = Int(v.length)
            var hasher = Hash64()
            hasher.combine(bytes: UnsafeRawBufferPointer(start: p, count: n))
            let h = hasher.finalize()
            var slot = Int(truncatingIfNeeded: h ^ (h >> 32)) & mask
            var found: UInt32?
            while table[slot] >= 0 {
                let e = order[Int(table[slot])]
                if tableHashes[slot] == h && Int(e.length) == n && (n == 0 || memcmp(base + Int(e.start), p, n) == 0) {
                    found = UInt32(table[slot])
                    break
                }
                slot = (slot + 1) & mask
            }
            if let found {
                indices.append(found)
                continue
            }
            let id = UInt32(order.count)
            table[slot] = Int32(id)
            tableHashes[slot] = h
            order.append(v)
            indices.append(id)
            if order.count > values.count / 2 && order.count > 16 { return nil }
        }
        var w = ByteWriter(capacity: order.reduce(0) { $0 + Int($1.length) + 1 } + values.count + 8)
        w.varint(UInt64(order.count))
        for v in order { w.varint(UInt64(v.length)) }
        for v in order { w.bytes.append(contentsOf: UnsafeRawBufferPointer(start: base + Int(v.start), count: Int(v.length))) }
        let width: UInt8 = order.count <= 256 ? 1 : (order.count <= 65_536 ? 2 : 4)
        w.u8(width)
        for index in indices {
            switch width {
            case 1: w.u8(UInt8(index))
            case 2: w.u16(UInt16(index))
            default: w.u32(index)
            }
        }
        return w.bytes
    }
}

/// One value of a column: a range of the block's input (B).
struct ShredValue {
    var start: UInt32
    var length: UInt32
    /// The event (row) the value belongs to.
    var event: UInt32
}
