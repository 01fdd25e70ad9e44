import AuditCore

/// The elements of a batch, to name the element a problem is in: the `items` of an EventList,
/// the `Records` of a CloudTrail file, the `logEvents` of a CloudWatch Logs payload, the
/// elements of a top-level array, or the values of NDJSON. Built only for batches with problems.
struct BatchElements {
    private enum Shape {
        /// Not JSON, or JSON of no shape with elements.
        case none
        /// One JSON value holding an array at this path (`items`; empty for a top-level array).
        case array(String)
        /// Several top-level values (NDJSON): one element each, one a line.
        case values
    }

    private var shape = Shape.none
    /// Each element's byte range, in order (those before a syntax error, when there is one).
    private var ranges: [Range<Int>] = []

    /// The elements of `bytes`.
    init(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { b in
            let start = JSONScanner.skipWhitespace(b, ByteOrderMark.length(at: bytes))
            guard start < b.count else { return }
            // A syntax error keeps the elements found before it.
            do throws(JSONSyntaxError) {
                var end: Int
                if b[start] == UInt8(ascii: "[") {
                    shape = .array("")
                    end = try JSONScanner.walkArray(b, start) { ranges.append($0) }
                } else if b[start] == UInt8(ascii: "{") {
                    var members: [JSONMember] = []
                    end = try JSONScanner.members(b, start, into: &members)
                    for member in members where b[member.value.lowerBound] == UInt8(ascii: "[") {
                        for key: StaticString in ["items", "Records", "logEvents"] where JSONScanner.keyEquals(b, member.key, key) {
                            shape = .array("\(key)")
                            try JSONScanner.walkArray(b, member.value.lowerBound, depth: 1) { ranges.append($0) }
                        }
                    }
                } else {
                    return
                }
                var i = JSONScanner.skipWhitespace(b, end)
                guard i < b.count else { return }
                shape = .values
                ranges = [start..<end]
                while i < b.count {
                    end = try JSONScanner.skipValue(b, i)
                    ranges.append(i..<end)
                    i = JSONScanner.skipWhitespace(b, end)
                }
            } catch {}
        }
    }

    /// The index and JSON path of the element holding byte `offset`; for NDJSON past a
    /// syntax error, the value of `line` (one value a line).
    func element(containing offset: Int, line: Int) -> (index: Int, path: String?)? {
        var low = 0
        var high = ranges.count
        while low < high {
            let mid = (low + high) / 2
            if ranges[mid].upperBound <= offset { low = mid + 1 } else { high = mid }
        }
        let found = low < ranges.count && ranges[low].contains(offset) ? low : nil
        switch shape {
        case .none: return nil
        case .array(let container):
            guard let found else { return nil }
            return (found, "\(container)[\(found)]")
        case .values:
            if let found { return (found, nil) }
            return line > 0 ? (line - 1, nil) : nil
        }
    }
}
