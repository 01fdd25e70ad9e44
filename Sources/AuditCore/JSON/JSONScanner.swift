/// A byte-level JSON scanner: finds the extent of values, walks object members and array
/// elements, and decodes strings and numbers, without building a document tree.
///
/// All functions take the buffer and an index and return indexes into it, so callers slice
/// the original bytes (the raw event is kept verbatim) and pull only the fields they need.
/// Everything untrusted throws ``JSONSyntaxError``; nothing traps on bad input.
public enum JSONScanner {
    /// The deepest nesting accepted; deeper input is rejected rather than risking the stack.
    public static let maxDepth = 512

    /// A byte that JSON counts as whitespace.
    @inline(__always)
    public static func isWhitespace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09
    }

    /// The index of the first non-whitespace byte at or after `i` (or `b.count`).
    @inline(__always)
    public static func skipWhitespace(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        var i = i
        while i < b.count, isWhitespace(b[i]) { i += 1 }
        return i
    }

    static func describe(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> String {
        guard i < b.count else { return "end of input" }
        let c = b[i]
        switch c {
        case 0x0A: return "end of line"
        case 0x20..<0x7F: return "'\(Character(Unicode.Scalar(c)))'"
        default: return "byte 0x\(String(c, radix: 16))"
        }
    }

    static func fail(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ expected: String) -> JSONSyntaxError {
        JSONSyntaxError(offset: i, expected: expected, found: describe(b, i))
    }

    /// Skips one value starting at `i` (whitespace before it allowed) and returns the index just
    /// past it. Validates structure, strings and literals; numbers loosely.
    public static func skipValue(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) throws(JSONSyntaxError) -> Int {
        try skipValue(b, i, depth: 0)
    }

    static func skipValue(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, depth: Int) throws(JSONSyntaxError) -> Int {
        let i = skipWhitespace(b, start)
        guard i < b.count else { throw fail(b, i, "a value") }
        switch b[i] {
        case UInt8(ascii: "\""):
            return try skipString(b, i)
        case UInt8(ascii: "{"):
            guard depth < maxDepth else { throw fail(b, i, "nesting of at most \(maxDepth) levels") }
            return try walkObject(b, i, depth: depth) { _, _ in }
        case UInt8(ascii: "["):
            guard depth < maxDepth else { throw fail(b, i, "nesting of at most \(maxDepth) levels") }
            return try walkArray(b, i, depth: depth) { _ in }
        case UInt8(ascii: "t"):
            return try literal(b, i, "true")
        case UInt8(ascii: "f"):
            return try literal(b, i, "false")
        case UInt8(ascii: "n"):
            return try literal(b, i, "null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            var j = i + 1
            while j < b.count {
                let c = b[j]
                if (c >= 48 && c <= 57) || c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
                    || c == UInt8(ascii: "+") || c == UInt8(ascii: "-")
                {
                    j += 1
                } else {
                    break
                }
            }
            return j
        default:
            throw fail(b, i, "a value")
        }
    }

    static func literal(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ word: StaticString) throws(JSONSyntaxError) -> Int {
        let n = word.utf8CodeUnitCount
        guard i + n <= b.count else { throw fail(b, b.count, "'\(word)'") }
        let w = word.utf8Start
        for k in 0..<n where b[i + k] != w[k] {
            throw fail(b, i + k, "'\(word)'")
        }
        return i + n
    }

    /// Skips a string whose opening quote is at `i`; returns the index past the closing quote.
    /// Raw control characters (a newline, say) are errors, as JSON requires: this is what stops
    /// a truncated line from swallowing the next one.
    public static func skipString(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) throws(JSONSyntaxError) -> Int {
        let n = b.count
        guard let base = UnsafeRawPointer(b.baseAddress) else { throw fail(b, n, "'\"' to close the string") }
        var j = i + 1
        while true {
            j = plainRun(base, from: j, to: n)
            guard j < n else { break }
            let c = b[j]
            if c == UInt8(ascii: "\"") { return j + 1 }
            if c == UInt8(ascii: "\\") {
                j += 2
                continue
            }
            throw fail(b, j, "'\"' to close the string")
        }
        throw fail(b, n, "'\"' to close the string")
    }

    /// The index of the first byte of `base[from ..< to]` that may not stand as itself inside a
    /// JSON string (a quote, a backslash or a control character), or `to` when there is none
    /// (also when `from > to`). Eight bytes at a time (SWAR: a byte-wise "has zero" / "has
    /// less than" test on one UInt64); the lowest flagged byte is exact, as borrows only run
    /// upwards.
    @inline(__always)
    public static func plainRun(_ base: UnsafeRawPointer, from: Int, to end: Int) -> Int {
        var j = from
        while j + 8 <= end {
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: j, as: UInt64.self))
            let ones: UInt64 = 0x0101_0101_0101_0101
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            let special =
                (((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word))
                & 0x8080_8080_8080_8080
            if special != 0 { return j + special.trailingZeroBitCount >> 3 }
            j += 8
        }
        while j < end {
            let c = base.load(fromByteOffset: j, as: UInt8.self)
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") || c < 0x20 { return j }
            j += 1
        }
        return end
    }

    /// Walks the object whose `{` is at `i` (after whitespace), calling `body(key, value)` with the
    /// byte ranges of each member's key (quotes included) and value. Returns the index past `}`.
    @discardableResult
    public static func walkObject(
        _ b: UnsafeBufferPointer<UInt8>, _ start: Int, depth: Int = 0,
        _ body: (_ key: Range<Int>, _ value: Range<Int>) throws(JSONSyntaxError) -> Void
    ) throws(JSONSyntaxError) -> Int {
        var i = skipWhitespace(b, start)
        guard i < b.count, b[i] == UInt8(ascii: "{") else { throw fail(b, i, "'{'") }
        i = skipWhitespace(b, i + 1)
        if i < b.count, b[i] == UInt8(ascii: "}") { return i + 1 }
        while true {
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw fail(b, i, "a string key") }
            let keyEnd = try skipString(b, i)
            let key = i..<keyEnd
            i = skipWhitespace(b, keyEnd)
            guard i < b.count, b[i] == UInt8(ascii: ":") else { throw fail(b, i, "':' after a key") }
            let valueStart = skipWhitespace(b, i + 1)
            let valueEnd = try skipValue(b, valueStart, depth: depth + 1)
            try body(key, valueStart..<valueEnd)
            i = skipWhitespace(b, valueEnd)
            guard i < b.count else { throw fail(b, i, "',' or '}'") }
            if b[i] == UInt8(ascii: ",") {
                i = skipWhitespace(b, i + 1)
            } else if b[i] == UInt8(ascii: "}") {
                return i + 1
            } else {
                throw fail(b, i, "',' or '}'")
            }
        }
    }

    /// Walks the object whose `{` is at `i` like ``walkObject(_:_:depth:_:)`` and keeps its
    /// members in `members` (emptied first), so that a caller that needs both the object's
    /// extent and its members scans it once. Returns the index past `}`.
    @discardableResult
    public static func members(
        _ b: UnsafeBufferPointer<UInt8>, _ start: Int, depth: Int = 0, into members: inout [JSONMember]
    ) throws(JSONSyntaxError) -> Int {
        members.removeAll(keepingCapacity: true)
        return try walkObject(b, start, depth: depth) { key, value throws(JSONSyntaxError) in
            members.append(JSONMember(key: key, value: value))
        }
    }

    /// Walks the array whose `[` is at `i`, calling `body(element)` with each element's range.
    /// Returns the index past `]`.
    @discardableResult
    public static func walkArray(
        _ b: UnsafeBufferPointer<UInt8>, _ start: Int, depth: Int = 0,
        _ body: (_ element: Range<Int>) throws(JSONSyntaxError) -> Void
    ) throws(JSONSyntaxError) -> Int {
        try walkArray(b, start) { i throws(JSONSyntaxError) in
            let end = try skipValue(b, i, depth: depth + 1)
            try body(i..<end)
            return end
        }
    }

    /// Walks the array whose `[` is at `i`, calling `consume(start)` at each element's first
    /// byte; `consume` reads the element (at depth `depth + 1`) and returns the index past it.
    /// Returns the index past `]`.
    @discardableResult
    public static func walkArray(
        _ b: UnsafeBufferPointer<UInt8>, _ start: Int,
        consume: (_ start: Int) throws(JSONSyntaxError) -> Int
    ) throws(JSONSyntaxError) -> Int {
        var i = skipWhitespace(b, start)
        guard i < b.count, b[i] == UInt8(ascii: "[") else { throw fail(b, i, "'['") }
        i = skipWhitespace(b, i + 1)
        if i < b.count, b[i] == UInt8(ascii: "]") { return i + 1 }
        while true {
            let end = try consume(i)
            i = skipWhitespace(b, end)
            guard i < b.count else { throw fail(b, i, "',' or ']'") }
            if b[i] == UInt8(ascii: ",") {
                i = skipWhitespace(b, i + 1)
            } else if b[i] == UInt8(ascii: "]") {
                return i + 1
            } else {
                throw fail(b, i, "',' or ']'")
            }
        }
    }

    /// Whether the key at `range` (quotes included) is exactly `name`.
    @inline(__always)
    public static func keyEquals(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ name: StaticString) -> Bool {
        let n = name.utf8CodeUnitCount
        guard range.count == n + 2 else { return false }
        let p = name.utf8Start
        var k = 0
        while k < n {
            if b[range.lowerBound + 1 + k] != p[k] { return false }
            k += 1
        }
        return true
    }

    /// Whether the value at `range` is a JSON string.
    @inline(__always)
    public static func isString(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        !range.isEmpty && b[range.lowerBound] == UInt8(ascii: "\"")
    }

    /// Decodes the string value at `range` (quotes included); nil if it is not a string.
    /// Escapes (`\n`, `\"`, `\u00e9`, surrogate pairs) are decoded; invalid ones become U+FFFD.
    public static func string(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String? {
        guard range.count >= 2, b[range.lowerBound] == UInt8(ascii: "\"") else { return nil }
        let inner = (range.lowerBound + 1)..<(range.upperBound - 1)
        var hasEscape = false
        for k in inner where b[k] == UInt8(ascii: "\\") {
            hasEscape = true
            break
        }
        if !hasEscape {
            return String(decoding: UnsafeBufferPointer(rebasing: b[inner]), as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(inner.count)
        var k = inner.lowerBound
        while k < inner.upperBound {
            let c = b[k]
            if c != UInt8(ascii: "\\") {
                out.append(c)
                k += 1
                continue
            }
            guard k + 1 < inner.upperBound else { break }
            let e = b[k + 1]
            k += 2
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                var scalar = hex4(b, k, inner.upperBound)
                k += 4
                if let high = scalar, (0xD800...0xDBFF).contains(high), k + 6 <= inner.upperBound,
                    b[k] == UInt8(ascii: "\\"), b[k + 1] == UInt8(ascii: "u"),
                    let low = hex4(b, k + 2, inner.upperBound), (0xDC00...0xDFFF).contains(low)
                {
                    scalar = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                    k += 6
                }
                let u = scalar.flatMap { Unicode.Scalar($0) } ?? "\u{FFFD}"
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default: out.append(e)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hex4(_ b: UnsafeBufferPointer<UInt8>, _ k: Int, _ end: Int) -> UInt32? {
        guard k + 4 <= end else { return nil }
        var v: UInt32 = 0
        for j in k..<(k + 4) {
            let c = b[j]
            let d: UInt32
            switch c {
            case 48...57: d = UInt32(c - 48)
            case 65...70: d = UInt32(c - 55)
            case 97...102: d = UInt32(c - 87)
            default: return nil
            }
            v = v << 4 | d
        }
        return v
    }

    /// The text of a scalar value: a string decoded, a number or literal as written; nil for
    /// objects, arrays and `null`.
    public static func scalarText(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String? {
        guard !range.isEmpty else { return nil }
        switch b[range.lowerBound] {
        case UInt8(ascii: "\""): return string(b, range)
        case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "n"): return nil
        default: return String(decoding: UnsafeBufferPointer(rebasing: b[range]), as: UTF8.self)
        }
    }

    /// The first element of an array value, or the value itself when it is not an array.
    public static func firstElement(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int>? {
        guard !range.isEmpty else { return nil }
        guard b[range.lowerBound] == UInt8(ascii: "[") else { return range }
        let i = skipWhitespace(b, range.lowerBound + 1)
        guard i < range.upperBound, b[i] != UInt8(ascii: "]"), let end = try? skipValue(b, i) else { return nil }
        return i..<end
    }

    /// The decoded string elements of an array value (non-strings skipped).
    public static func stringElements(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [String] {
        var out: [String] = []
        guard !range.isEmpty, b[range.lowerBound] == UInt8(ascii: "[") else {
            if let s = string(b, range) { out.append(s) }
            return out
        }
        _ = try? walkArray(b, range.lowerBound) { element in
            if let s = string(b, element) { out.append(s) }
        }
        return out
    }
}

/// One member of a JSON object: the byte ranges of its key (quotes included) and its value.
public struct JSONMember: Sendable, Equatable {
    public var key: Range<Int>
    public var value: Range<Int>

    public init(key: Range<Int>, value: Range<Int>) {
        self.key = key
        self.value = value
    }
}
