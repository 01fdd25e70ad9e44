#if canImport(Glibc)
import Glibc
#endif

/// Substring search over bytes.
enum ByteSearch {
    /// The offset of the first `needle` in `haystack[from..<to]`, or nil. An empty needle is at `from`.
    @inline(__always)
    static func find(_ needle: [UInt8], in haystack: UnsafeRawBufferPointer, from: Int, to: Int) -> Int? {
        guard !needle.isEmpty else { return from }
        guard to - from >= needle.count, let base = haystack.baseAddress else { return nil }
        // memchr (vectorized in glibc) finds candidates for the first byte, memcmp checks the
        // rest; the ranges were checked above, and every pointer stays inside haystack[from..<to].
        return needle.withUnsafeBytes { n -> Int? in
            let first = Int32(n[0])
            let last = to - needle.count
            var position = from
            while position <= last {
                guard let hit = memchr(base + position, first, last - position + 1) else { return nil }
                let offset = base.distance(to: UnsafeRawPointer(hit))
                if needle.count == 1 || memcmp(base + offset + 1, n.baseAddress! + 1, needle.count - 1) == 0 {
                    return offset
                }
                position = offset + 1
            }
            return nil
        }
    }
}
