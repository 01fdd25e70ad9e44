/// UTF-8 validity of raw bytes (RFC 3629: no overlong forms, no surrogates, nothing past
/// U+10FFFF), for events whose bytes came from damaged input: ingest reports them, and JSON
/// output replaces each bad sequence with U+FFFD so that it stays JSON.
public enum UTF8Validation {
    /// The length of the valid sequence starting at `b[i]` (1–4), or 0 when the bytes there
    /// are not a whole valid sequence before `end`.
    @inline(__always)
    public static func sequenceLength(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int) -> Int {
        let c = b[i]
        if c < 0x80 { return 1 }
        @inline(__always) func continuation(_ k: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
            k < end && b[k] >= low && b[k] <= high
        }
        switch c {
        case 0xC2...0xDF:
            return continuation(i + 1) ? 2 : 0
        case 0xE0...0xEF:
            let low: UInt8 = c == 0xE0 ? 0xA0 : 0x80
            let high: UInt8 = c == 0xED ? 0x9F : 0xBF
            return continuation(i + 1, low, high) && continuation(i + 2) ? 3 : 0
        case 0xF0...0xF4:
            let low: UInt8 = c == 0xF0 ? 0x90 : 0x80
            let high: UInt8 = c == 0xF4 ? 0x8F : 0xBF
            return continuation(i + 1, low, high) && continuation(i + 2) && continuation(i + 3) ? 4 : 0
        default:
            return 0
        }
    }

    /// The index of the first byte of `b[range]` that does not start a valid sequence, or nil
    /// when all of it is valid UTF-8. ASCII runs are skipped eight bytes at a time.
    public static func firstInvalid(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        guard let base = UnsafeRawPointer(b.baseAddress) else { return nil }
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            // No byte of the word has its high bit set: eight ASCII bytes.
            while i + 8 <= end, base.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8 }
            guard i < end else { break }
            let n = sequenceLength(b, i, end)
            if n == 0 { return i }
            i += n
        }
        return nil
    }

    /// Whether all of `bytes` is valid UTF-8.
    public static func isValid(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { firstInvalid($0, 0..<$0.count) == nil }
    }
}
