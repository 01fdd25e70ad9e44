import AuditCore

/// A dotted path into the original event (`objectRef.subresource`,
/// `userIdentity.sessionContext.sessionIssuer.arn`), for keys the normalized fields do not
/// cover. Looked up byte by byte with ``JSONScanner`` in the raw JSON, without building a tree.
///
/// Arrays on the way are transparent: `resources.ARN` visits the `ARN` of every element, and a
/// path ending at an array of scalars visits each element, so a path can hold several values
/// (filters match when any does). A missing key or `null` is absent, which reads as "".
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    /// The path as the user wrote it.
    public let name: String
    /// The keys, in order, as UTF-8 bytes.
    let segments: [[UInt8]]

    /// Nil when a segment is empty (`a..b`, `.a`, `a.`).
    public init?(_ name: String) {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty }) else { return nil }
        self.name = name
        segments = parts.map { Array($0.utf8) }
    }

    public var description: String { name }

    public static func == (a: JSONPath, b: JSONPath) -> Bool { a.name == b.name }
    public func hash(into h: inout Hasher) { h.combine(name) }

    /// Calls `visit` with the bytes of each value at this path in `raw` (a string's content
    /// unescaped, a number or literal as written, an object as its JSON text) until it returns
    /// true. Returns whether `visit` returned true; false also when the path is absent.
    public func anyValue(in raw: UnsafeRawBufferPointer, _ visit: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        guard raw.count > 0 else { return false }
        let b = raw.assumingMemoryBound(to: UInt8.self)
        return (try? find(b, 0, 0, visit)) ?? false
    }

    /// Whether the path has at least one value in `raw`.
    public func exists(in raw: UnsafeRawBufferPointer) -> Bool {
        anyValue(in: raw) { _ in true }
    }

    /// The values at this path joined by "," ("" when absent): for grouping and output.
    public func text(in raw: UnsafeRawBufferPointer) -> String {
        var out: [UInt8] = []
        var first = true
        _ = anyValue(in: raw) { bytes in
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.append(contentsOf: bytes)
            return false
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Looks for segment `depth` in the value starting at `start`.
    private func find(
        _ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ depth: Int, _ visit: (UnsafeRawBufferPointer) -> Bool
    ) throws(JSONSyntaxError) -> Bool {
        let i = JSONScanner.skipWhitespace(b, start)
        guard i < b.count else { return false }
        if depth == segments.count { return try leaf(b, i, visit) }
        switch b[i] {
        case UInt8(ascii: "{"):
            let key = segments[depth]
            var j = JSONScanner.skipWhitespace(b, i + 1)
            if j < b.count, b[j] == UInt8(ascii: "}") { return false }
            while j < b.count, b[j] == UInt8(ascii: "\"") {
                let keyEnd = try JSONScanner.skipString(b, j)
                j = JSONScanner.skipWhitespace(b, keyEnd)
                guard j < b.count, b[j] == UInt8(ascii: ":") else { return false }
                let valueStart = JSONScanner.skipWhitespace(b, j + 1)
                if keyMatches(b, keyEnd, key) {
                    // Keys are unique in practice: the first match decides.
                    return try find(b, valueStart, depth + 1, visit)
                }
                let valueEnd = try JSONScanner.skipValue(b, valueStart)
                j = JSONScanner.skipWhitespace(b, valueEnd)
                guard j < b.count, b[j] == UInt8(ascii: ",") else { return false }
                j = JSONScanner.skipWhitespace(b, j + 1)
            }
            return false
        case UInt8(ascii: "["):
            var found = false
            _ = try JSONScanner.walkArray(b, i) { element throws(JSONSyntaxError) in
                if !found, try find(b, element.lowerBound, depth, visit) { found = true }
            }
            return found
        default:
            return false
        }
    }

    /// Whether the key whose closing quote is just before `keyEnd` is `key` (compared as
    /// written: keys with escapes do not occur in audit events).
    @inline(__always)
    private func keyMatches(_ b: UnsafeBufferPointer<UInt8>, _ keyEnd: Int, _ key: [UInt8]) -> Bool {
        let start = keyEnd - 1 - key.count
        guard start >= 1, b[start - 1] == UInt8(ascii: "\"") else { return false }
        for k in 0..<key.count where b[start + k] != key[k] { return false }
        return true
    }

    /// Visits the value at `i`: arrays element by element, `null` not at all.
    private func leaf(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ visit: (UnsafeRawBufferPointer) -> Bool) throws(JSONSyntaxError) -> Bool {
        let end = try JSONScanner.skipValue(b, i)
        switch b[i] {
        case UInt8(ascii: "["):
            var found = false
            _ = try JSONScanner.walkArray(b, i) { element throws(JSONSyntaxError) in
                if !found, try leaf(b, element.lowerBound, visit) { found = true }
            }
            return found
        case UInt8(ascii: "n"):
            return false
        case UInt8(ascii: "\""):
            let inner = (i + 1)..<(end - 1)
            if !b[inner].contains(UInt8(ascii: "\\")) {
                return visit(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: b[inner])))
            }
            var decoded = JSONScanner.string(b, i..<end) ?? ""
            return decoded.withUTF8 { visit(UnsafeRawBufferPointer($0)) }
        default:
            return visit(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: b[i..<end])))
        }
    }
}
