import AuditCore

/// The complete part of a container value cut short by the end of its input: a CloudTrail
/// delivery file `{"Records":[{…},{…},{…` whose copy was interrupted or whose gzip stream
/// ends early, an `EventList`, a CloudWatch payload, a top-level array of records.
///
/// The complete part ends after the last whole element of the array being read (the
/// top-level array, or an array member of the top-level object, such as `Records`), or after
/// the last whole member when the cut falls after such an array. Closing it with the
/// brackets still open gives a valid value whose elements are the input's bytes, unchanged.
/// Nothing deeper is salvaged: a record cut in the middle is never turned into a partial event.
enum TruncatedContainer {
    /// Where the complete part of the value at `b[start]` ends, and the brackets that close
    /// it; nil when no whole element precedes the cut.
    static func completePrefix(_ b: UnsafeBufferPointer<UInt8>, _ start: Int) -> (end: Int, closers: [UInt8])? {
        if b[start] == UInt8(ascii: "[") {
            return lastCompleteElement(b, start).map { ($0, [UInt8(ascii: "]")]) }
        }
        guard b[start] == UInt8(ascii: "{") else { return nil }
        var i = JSONScanner.skipWhitespace(b, start + 1)
        var lastMemberEnd: Int?
        var sawArray = false
        while i < b.count, b[i] == UInt8(ascii: "\"") {
            guard let keyEnd = try? JSONScanner.skipString(b, i) else { break }
            let colon = JSONScanner.skipWhitespace(b, keyEnd)
            guard colon < b.count, b[colon] == UInt8(ascii: ":") else { break }
            let value = JSONScanner.skipWhitespace(b, colon + 1)
            guard value < b.count else { break }
            if let valueEnd = try? JSONScanner.skipValue(b, value), isWhole(b, value, valueEnd) {
                if b[value] == UInt8(ascii: "[") { sawArray = true }
                lastMemberEnd = valueEnd
                i = JSONScanner.skipWhitespace(b, valueEnd)
                guard i < b.count, b[i] == UInt8(ascii: ",") else { break }
                i = JSONScanner.skipWhitespace(b, i + 1)
                continue
            }
            if b[value] == UInt8(ascii: "["), let end = lastCompleteElement(b, value) {
                return (end, [UInt8(ascii: "]"), UInt8(ascii: "}")])
            }
            break
        }
        guard sawArray, let lastMemberEnd else { return nil }
        return (lastMemberEnd, [UInt8(ascii: "}")])
    }

    /// Whether the value `b[start..<end]` is whole: a number or literal running to the very
    /// end of the bytes may have been cut (`12` of `1234`); a closed object, array or string
    /// may not.
    static func isWhole(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        let c = b[start]
        return end < b.count || c == UInt8(ascii: "{") || c == UInt8(ascii: "[") || c == UInt8(ascii: "\"")
    }

    /// The end of the last whole element of the array at `b[start]`, or nil.
    static func lastCompleteElement(_ b: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int? {
        var i = JSONScanner.skipWhitespace(b, start + 1)
        var last: Int?
        while i < b.count {
            guard let end = try? JSONScanner.skipValue(b, i), isWhole(b, i, end) else { break }
            last = end
            i = JSONScanner.skipWhitespace(b, end)
            guard i < b.count, b[i] == UInt8(ascii: ",") else { break }
            i = JSONScanner.skipWhitespace(b, i + 1)
        }
        return last
    }
}
