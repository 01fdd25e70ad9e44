#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Picks the kind of one value column and encodes it (see ``ShredColumnKind``).
enum ShredColumnEncoder {
    /// Encodes `values` (ranges of `input`): as integers or times when every value is one, else
    /// as a dictionary when repetitive, else plain.
    static func encode(_ values: [ShredValue], in input: UnsafeRawBufferPointer) -> (ShredColumnKind, [UInt8]) {
        let base = input.baseAddress!
        if let payload = integers(values, base) { return (.integer, payload) }
        if let payload = timestamps(values, base) { return (.timestamp, payload) }
        if let payload = dictionary(values, base) { return (.dictionary, payload) }
        var w = ByteWriter(capacity: values.reduce(0) { $0 + Int($1.length) + 1 })
        for v in values { w.varint(UInt64(v.length)) }
        for v in values { w.bytes.append(contentsOf: UnsafeRawBufferPointer(start: base + Int(v.start), count: Int(v.length))) }
        return (.plain, w.bytes)
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
        var ids: [ByteKey: UInt32] = [:]
        var order: [ShredValue] = []
        var indices: [UInt32] = []
        indices.reserveCapacity(values.count)
        for v in values {
            let key = ByteKey(p: base + Int(v.start), count: Int(v.length))
            if let id = ids[key] {
                indices.append(id)
                continue
            }
            let id = UInt32(order.count)
            ids[key] = id
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
}

/// Bytes compared and hashed by content, for dictionaries over a buffer that outlives them.
struct ByteKey: Hashable {
    let p: UnsafeRawPointer
    let count: Int

    func hash(into hasher: inout Hasher) {
        hasher.combine(bytes: UnsafeRawBufferPointer(start: p, count: count))
    }

    static func == (a: ByteKey, b: ByteKey) -> Bool {
        a.count == b.count && (a.count == 0 || memcmp(a.p, b.p, a.count) == 0)
    }
}
