import AuditCore

#if canImport(Glibc)
import Glibc
#endif

/// Shares one `String` among the repeats of a field value. Audit logs repeat a few hundred
/// users, user agents, groups and stages across millions of events; decoding each repeat
/// allocates a new string, and the block encoders free it on another thread, where glibc's
/// allocator serialises the two threads on the parser's arena lock. A repeat found here costs
/// a hash and a compare of its JSON bytes instead.
///
/// Values that fit Swift's inline small strings (15 UTF-8 bytes) allocate nothing and are not
/// kept; values longer than ``maxBytes`` are rarely repeated and not kept either. At most
/// ``capacity`` values are kept (the first ones met), so memory stays bounded on any input.
/// One interner belongs to one parsing thread.
public final class TextInterner {
    /// The most values kept.
    public static let capacity = 8_192
    /// The longest JSON value (quotes included) kept.
    public static let maxBytes = 256
    /// Shorter JSON values decode to inline strings: nothing to share.
    static let minBytes = 18

    private var slots: [Int32]
    private var hashes: [UInt64] = []
    private var starts: [Int] = []
    private var bytes: [UInt8] = []
    private var texts: [String?] = []

    public init() {
        slots = Array(repeating: -1, count: Self.capacity * 2)
    }

    /// Values kept so far.
    public var count: Int { texts.count }

    /// `decode(b, range)`, shared with the text of an earlier value of the same JSON bytes.
    /// `decode` must be a function of those bytes alone (and the same for every call).
    public func text(
        _ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>,
        decode: (UnsafeBufferPointer<UInt8>, Range<Int>) -> String? = JSONScanner.scalarText
    ) -> String? {
        guard range.count >= Self.minBytes, range.count <= Self.maxBytes else { return decode(b, range) }
        let value = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(b)[range])
        var hasher = Hash64()
        hasher.combine(bytes: value)
        let hash = hasher.finalize()
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let index = Int(slots[slot])
            if index < 0 { break }
            if hashes[index] == hash, equals(index, value) { return texts[index] }
            slot = (slot + 1) & mask
        }
        let text = decode(b, range)
        guard texts.count < Self.capacity else { return text }
        slots[slot] = Int32(texts.count)
        hashes.append(hash)
        starts.append(bytes.count)
        bytes.append(contentsOf: value)
        texts.append(text)
        return text
    }

    private func equals(_ index: Int, _ value: UnsafeRawBufferPointer) -> Bool {
        let start = starts[index]
        let end = index + 1 < starts.count ? starts[index + 1] : bytes.count
        guard end - start == value.count else { return false }
        return bytes.withUnsafeBytes { kept in
            memcmp(kept.baseAddress! + start, value.baseAddress!, value.count) == 0
        }
    }
}

extension ParseContext {
    /// `decode(b, range)` (by default the scalar's text) for a value that repeats across
    /// events, shared through ``texts`` when the context has an interner.
    func sharedText(
        _ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>,
        decode: (UnsafeBufferPointer<UInt8>, Range<Int>) -> String? = JSONScanner.scalarText
    ) -> String? {
        guard let texts else { return decode(b, range) }
        return texts.text(b, range, decode: decode)
    }
}
