import AuditCore

/// Turns a stored original into one line of valid JSON for `-o ndjson` / `-o json`.
///
/// Originals are kept byte for byte (`-o raw` prints them so), which JSON output cannot always
/// do: a pretty-printed event has line breaks, a damaged input can leave invalid UTF-8 or a
/// malformed number (`1.2.3`; the scanner reads numbers loosely) or escape (`\q`), and a text
/// event (a klog line) is not JSON at all. So:
/// - a JSON original is printed as is when it is valid and on one line, else rewritten: the
///   whitespace between tokens removed (line breaks included), each invalid UTF-8 sequence
///   replaced by U+FFFD, a bad escape's backslash escaped, a control character escaped, a
///   malformed number quoted as a string;
/// - anything else (text, or bytes that are not one JSON value) is printed as a JSON string
///   of its text, invalid sequences replaced by U+FFFD.
enum JSONText {
    /// The original `raw` as one line of valid JSON; `raw` itself when it already is.
    static func line(_ raw: [UInt8]) -> [UInt8] {
        raw.withUnsafeBufferPointer { b -> [UInt8] in
            var end = b.count
            while end > 0, JSONScanner.isWhitespace(b[end - 1]) { end -= 1 }
            let start = JSONScanner.skipWhitespace(b, 0)
            guard start < end, b[start] == UInt8(ascii: "{") || b[start] == UInt8(ascii: "["),
                (try? JSONScanner.skipValue(b, start)) == end
            else {
                return Array(EventFormatter.jsonString(String(decoding: raw, as: UTF8.self)).utf8)
            }
            var none: [UInt8] = []
            if start == 0, end == b.count, walk(b, 0..<end, emit: false, into: &none) { return raw }
            var out: [UInt8] = []
            out.reserveCapacity(end - start + 16)
            _ = walk(b, start..<end, emit: true, into: &out)
            return out
        }
    }

    static let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]

    /// Walks the JSON value at `b[range]`. With `emit` false, returns whether it can be printed
    /// as it is (stopping at the first problem); with `emit` true, appends the cleaned value.
    private static func walk(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, emit: Bool, into out: inout [UInt8]) -> Bool {
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                guard string(b, &i, end, emit: emit, into: &out) else { return false }
            } else if c == UInt8(ascii: "-") || (c >= 48 && c <= 57) {
                var j = i + 1
                while j < end, isNumberByte(b[j]) { j += 1 }
                let valid = isNumber(UnsafeBufferPointer(rebasing: b[i..<j]))
                if !emit, !valid { return false }
                if emit {
                    if !valid { out.append(UInt8(ascii: "\"")) }
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<j]))
                    if !valid { out.append(UInt8(ascii: "\"")) }
                }
                i = j
            } else if JSONScanner.isWhitespace(c) {
                // Spaces and tabs between tokens may stay; line breaks may not.
                if !emit, c == 0x0A || c == 0x0D { return false }
                i += 1
            } else {
                if emit { out.append(c) }
                i += 1
            }
        }
        return true
    }

    /// The string whose opening quote is at `i`; leaves `i` past its closing quote.
    private static func string(
        _ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ end: Int, emit: Bool, into out: inout [UInt8]
    ) -> Bool {
        if emit { out.append(UInt8(ascii: "\"")) }
        var k = i + 1
        while k < end {
            let c = b[k]
            if c == UInt8(ascii: "\"") {
                if emit { out.append(c) }
                i = k + 1
                return true
            }
            if c == UInt8(ascii: "\\") {
                let n = escapeLength(b, k, end)
                if n == 0 {
                    if !emit { return false }
                    out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                    k += 1
                } else {
                    if emit { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[k..<(k + n)])) }
                    k += n
                }
            } else if c < 0x20 {
                if !emit { return false }
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), 48, 48, hex[Int(c >> 4)], hex[Int(c & 15)]])
                k += 1
            } else {
                let n = UTF8Validation.sequenceLength(b, k, end)
                if n == 0 {
                    if !emit { return false }
                    out.append(contentsOf: replacement)
                    k += 1
                } else {
                    if emit { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[k..<(k + n)])) }
                    k += n
                }
            }
        }
        // Unterminated (cannot happen after skipValue): close it.
        if emit { out.append(UInt8(ascii: "\"")) }
        i = end
        return emit
    }

    /// The length of the valid escape at `k` (`\n`, `\u00e9`), or 0.
    private static func escapeLength(_ b: UnsafeBufferPointer<UInt8>, _ k: Int, _ end: Int) -> Int {
        guard k + 1 < end else { return 0 }
        switch b[k + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
            UInt8(ascii: "r"), UInt8(ascii: "t"):
            return 2
        case UInt8(ascii: "u"):
            guard k + 6 <= end else { return 0 }
            for j in (k + 2)..<(k + 6) where !isHex(b[j]) { return 0 }
            return 6
        default:
            return 0
        }
    }

    @inline(__always) private static func isHex(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)
    }

    @inline(__always) private static func isNumberByte(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
            || c == UInt8(ascii: "+") || c == UInt8(ascii: "-")
    }

    /// Whether `t` is a JSON number: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    static func isNumber(_ t: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = t.count
        @inline(__always) func digits() -> Int {
            let s = i
            while i < n, t[i] >= 48, t[i] <= 57 { i += 1 }
            return i - s
        }
        if i < n, t[i] == UInt8(ascii: "-") { i += 1 }
        guard i < n else { return false }
        if t[i] == 48 { i += 1 } else if digits() == 0 { return false }
        if i < n, t[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { return false }
        }
        if i < n, t[i] == UInt8(ascii: "e") || t[i] == UInt8(ascii: "E") {
            i += 1
            if i < n, t[i] == UInt8(ascii: "+") || t[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { return false }
        }
        return i == n
    }

    /// Whether `text` is a JSON number (a table cell printed bare in JSON output).
    static func isNumber(_ text: String) -> Bool {
        var copy = text
        return copy.withUTF8 { isNumber($0) }
    }
}
