/// Snappy's block format (github.com/google/snappy, format_description.txt): what Prometheus
/// remote write expects in a request body with `Content-Encoding: snappy` (not the framed
/// stream format).
///
/// A block is the uncompressed length as a varint, then elements: literals (tag `00`) and
/// copies of earlier bytes. The compressor works as the reference one does: the input in
/// 64 KiB fragments, a hash table of 4-byte sequences to their last position in the fragment,
/// matches extended as far as they go and written as 2-byte-offset copies (1-byte offset when
/// short and near), bytes without a match as literals; misses make it skip ahead faster, so
/// incompressible input costs little.
public enum Snappy {
    /// Fragment size: offsets stay below 65,536, so every copy fits a 2-byte offset.
    static let fragmentSize = 1 << 16
    /// log2 of the hash table's entries.
    static let hashBits = 14

    /// The longest a compressed block of `count` bytes can be (the reference's bound).
    public static func maxCompressedLength(_ count: Int) -> Int { 32 + count + count / 6 }

    /// `input` as one snappy block.
    public static func compress(_ input: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: maxCompressedLength(input.count))
        let written = input.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                var o = 0
                var length = UInt64(source.count)
                while length >= 0x80 {
                    target[o] = UInt8(truncatingIfNeeded: length) | 0x80
                    length >>= 7
                    o += 1
                }
                target[o] = UInt8(length)
                o += 1
                var table = [UInt16](repeating: 0, count: 1 << hashBits)
                var start = 0
                while start < source.count {
                    let end = min(start + fragmentSize, source.count)
                    o = table.withUnsafeMutableBufferPointer { hashes in
                        compressFragment(source, start, end, target, o, hashes)
                    }
                    start = end
                }
                return o
            }
        }
        out.removeLast(out.count - written)
        return out
    }

    @inline(__always)
    private static func load32(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt32 {
        UInt32(p[i]) | UInt32(p[i + 1]) << 8 | UInt32(p[i + 2]) << 16 | UInt32(p[i + 3]) << 24
    }

    @inline(__always)
    private static func hash(_ bytes: UInt32) -> Int {
        Int((bytes &* 0x1E35_A7BD) >> UInt32(32 - hashBits))
    }

    /// Compresses `source[start..<end]` (at most one fragment) into `target` from `o`; the new end of output.
    private static func compressFragment(
        _ source: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ target: UnsafeMutableBufferPointer<UInt8>, _ o: Int,
        _ table: UnsafeMutableBufferPointer<UInt16>
    ) -> Int {
        var o = o
        // Positions in the table are relative to the fragment; clear the previous fragment's.
        for k in 0..<table.count { table[k] = 0 }
        var literalStart = start
        // The last 4 bytes can never start a match that is worth a copy element on its own.
        let inputMargin = 15
        if end - start >= inputMargin {
            let limit = end - inputMargin
            var i = start + 1
            var skip = 32
            outer: while i <= limit {
                // Find a 4-byte match: a candidate from the table with the same bytes.
                var candidate = 0
                while true {
                    let bytes = load32(source, i)
                    let h = hash(bytes)
                    candidate = start + Int(table[h])
                    table[h] = UInt16(i - start)
                    if candidate < i, load32(source, candidate) == bytes { break }
                    i += skip >> 5
                    skip += 1
                    if i > limit { break outer }
                }
                o = emitLiteral(source, literalStart, i, target, o)
                // Extend the match and emit copies while the next position matches too.
                while true {
                    var matched = 4
                    while i + matched < end, source[candidate + matched] == source[i + matched] { matched += 1 }
                    o = emitCopy(offset: i - candidate, length: matched, target, o)
                    i += matched
                    literalStart = i
                    if i > limit { break outer }
                    // Seed the table with the position just before, then try again at `i`.
                    table[hash(load32(source, i - 1))] = UInt16(i - 1 - start)
                    let bytes = load32(source, i)
                    let h = hash(bytes)
                    candidate = start + Int(table[h])
                    table[h] = UInt16(i - start)
                    guard candidate < i, load32(source, candidate) == bytes else { break }
                }
                i += 1
                skip = 32
            }
        }
        return emitLiteral(source, literalStart, end, target, o)
    }

    /// Writes `source[from..<to]` as one literal element (nothing when empty).
    private static func emitLiteral(
        _ source: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, _ target: UnsafeMutableBufferPointer<UInt8>, _ o: Int
    ) -> Int {
        let count = to - from
        guard count > 0 else { return o }
        var o = o
        let n = count - 1
        if n < 60 {
            target[o] = UInt8(n << 2)
            o += 1
        } else {
            // Tag 60…63: the length − 1 follows in 1…4 little-endian bytes.
            var bytes = 0
            var rest = n
            while rest > 0 {
                bytes += 1
                rest >>= 8
            }
            target[o] = UInt8((59 + bytes) << 2)
            o += 1
            for k in 0..<bytes {
                target[o] = UInt8(truncatingIfNeeded: n >> (8 * k))
                o += 1
            }
        }
        for k in 0..<count { target[o + k] = source[from + k] }
        return o + count
    }

    /// Writes a copy of `length` bytes from `offset` back (offset < 65,536) as copy elements.
    private static func emitCopy(offset: Int, length: Int, _ target: UnsafeMutableBufferPointer<UInt8>, _ o: Int) -> Int {
        var o = o
        var length = length
        // A 2-byte-offset copy holds at most 64 bytes; leave at least 4 for the last element.
        while length >= 68 {
            o = emitCopyElement(offset: offset, length: 64, target, o)
            length -= 64
        }
        if length > 64 {
            o = emitCopyElement(offset: offset, length: 60, target, o)
            length -= 60
        }
        return emitCopyElement(offset: offset, length: length, target, o)
    }

    /// One copy element of 4…64 bytes: tag `01` (length 4…11, offset < 2,048) or tag `10`.
    private static func emitCopyElement(offset: Int, length: Int, _ target: UnsafeMutableBufferPointer<UInt8>, _ o: Int) -> Int {
        if length < 12 && offset < 2048 {
            target[o] = UInt8(((offset >> 8) << 5) | ((length - 4) << 2) | 1)
            target[o + 1] = UInt8(truncatingIfNeeded: offset)
            return o + 2
        }
        target[o] = UInt8(((length - 1) << 2) | 2)
        target[o + 1] = UInt8(truncatingIfNeeded: offset)
        target[o + 2] = UInt8(truncatingIfNeeded: offset >> 8)
        return o + 3
    }
}
