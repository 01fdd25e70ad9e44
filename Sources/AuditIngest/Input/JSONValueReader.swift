import AuditCore

#if canImport(Glibc)
import Glibc
#endif

/// Splits a byte stream into top-level JSON values: JSON lines, concatenated or pretty-printed
/// documents, one big `{"Records":[…]}` object alike. Tracks line numbers and byte offsets for
/// messages, and recovers after a malformed value so the good values around it are still read.
public struct JSONValueReader {
    /// One item of the stream.
    public enum Item {
        /// A complete value: its bytes are `buffer[range]` until the next call.
        case value(range: Range<Int>, line: Int, offset: Int)
        /// A malformed value: where it started, where the problem is, and what was expected.
        case malformed(line: Int, offset: Int, error: JSONSyntaxError)
    }

    /// The largest container value accepted (a CloudTrail delivery file `{"Records":[…]}`, an
    /// `EventList`, a CloudWatch Logs payload: many events on one line); a larger one is
    /// rejected and skipped line by line, so one runaway value cannot exhaust memory.
    public static let maxValueBytes = 256 << 20
    /// The default for ``maxLineBytes``: a Kubernetes audit event is a few KiB and CloudTrail
    /// caps its fields at 100 KiB, so a single event past 1 MiB is damage, not data.
    public static let defaultMaxLineBytes = 1 << 20
    static let chunkSize = 4 << 20

    /// The largest single event value (anything that is not a container of events) accepted;
    /// a longer one is rejected and skipped without being held whole.
    public var maxLineBytes = JSONValueReader.defaultMaxLineBytes
    /// The start of the last malformed value (at most ``Rejection/maxKeptBytes``) and its
    /// length as far as it was read, for the quarantine.
    public private(set) var malformedBytes: [UInt8] = []
    public private(set) var malformedLength = 0

    private let source: any ByteSource
    /// The bytes read and not yet consumed start at `start`.
    public private(set) var buffer: [UInt8] = []
    private var start = 0
    private var eof = false
    /// Stream offset of `buffer[0]`.
    private var bufferOffset = 0
    /// Line number (1-based) of `buffer[start]`.
    private var line = 1
    /// An error that ended the source (a damaged gzip), delivered after the values before it.
    public private(set) var sourceError: (any Error)?

    /// The members of the last ``Item/value(range:line:offset:)`` when it is an object (ranges
    /// into ``buffer``, valid until the next call); empty for other values.
    public private(set) var members: [JSONMember] = []

    /// Whether a byte order mark at the start of the stream was looked for (and skipped).
    private var checkedByteOrderMark = false
    /// The cut of a truncated container, reported after the value of its complete part.
    private var pendingCut: Item?

    /// The first non-whitespace byte of the stream, once read: tells JSON from other text.
    public private(set) var firstByte: UInt8?

    public init(source: any ByteSource) {
        self.source = source
    }

    /// A reader over bytes already in memory (a whole gunzipped file): they become the buffer
    /// as they are, with no copy.
    public init(bytes: [UInt8]) {
        self.source = BufferSource([])
        self.buffer = bytes
        self.eof = true
    }

    private mutating func fill(minimumFree: Int) -> Bool {
        guard !eof else { return false }
        if start > 0 && (start >= buffer.count / 2 || buffer.count - start < minimumFree) {
            buffer.removeSubrange(0..<start)
            bufferOffset += start
            start = 0
        }
        do {
            let n = try source.read(into: &buffer, maximum: max(Self.chunkSize, minimumFree))
            if n == 0 { eof = true }
            return n > 0
        } catch {
            sourceError = error
            eof = true
            return false
        }
    }

    private mutating func advance(to position: Int) {
        line += newlines(from: start, to: position)
        start = position
    }

    private func lineOf(_ position: Int) -> Int {
        line + newlines(from: start, to: position)
    }

    /// Newlines in `buffer[from..<to]`, found with memchr (vectorized) rather than byte by byte.
    private func newlines(from: Int, to: Int) -> Int {
        guard to > from else { return 0 }
        return buffer.withUnsafeBytes { raw -> Int in
            // memchr reads only inside raw[from..<to].
            let base = raw.baseAddress!
            var count = 0
            var position = from
            while position < to, let hit = memchr(base + position, 0x0A, to - position) {
                count += 1
                position = base.distance(to: UnsafeRawPointer(hit)) + 1
            }
            return count
        }
    }

    /// The next value or malformed value, or nil at the end of the stream.
    public mutating func next() -> Item? {
        if let item = pendingCut {
            pendingCut = nil
            return item
        }
        if !checkedByteOrderMark {
            checkedByteOrderMark = true
            while ByteOrderMark.mayStart(buffer[start...]), fill(minimumFree: 0) {}
            advance(to: start + ByteOrderMark.length(at: buffer[start...]))
        }
        while true {
            // Skip whitespace, refilling as needed.
            while true {
                var k = start
                while k < buffer.count, JSONScanner.isWhitespace(buffer[k]) { k += 1 }
                advance(to: k)
                if start < buffer.count { break }
                if !fill(minimumFree: 0) { return nil }
            }
            let valueStart = start
            if firstByte == nil { firstByte = buffer[valueStart] }
            // An object's members are kept as it is scanned, so that its parser need not walk it
            // again (a Kubernetes audit line is scanned once on its way to an event).
            var found = members
            members = []
            let outcome: Result<Int, JSONSyntaxError> = buffer.withUnsafeBufferPointer { b in
                do throws(JSONSyntaxError) {
                    if b[valueStart] == UInt8(ascii: "{") {
                        return .success(try JSONScanner.members(b, valueStart, into: &found))
                    }
                    found.removeAll(keepingCapacity: true)
                    return .success(try JSONScanner.skipValue(b, valueStart))
                } catch {
                    found.removeAll(keepingCapacity: true)
                    return .failure(error)
                }
            }
            members = found
            switch outcome {
            case .success(let end):
                // A value that ends exactly at the end of the bytes read may continue (a number).
                if end == buffer.count, !eof, isScalarStart(buffer[valueStart]) {
                    if fill(minimumFree: Self.chunkSize) { continue }
                }
                if end - valueStart > maxLineBytes, !isContainer(at: valueStart) {
                    keepMalformed(valueStart, end)
                    let item = Item.malformed(
                        line: line, offset: bufferOffset + valueStart,
                        error: JSONSyntaxError(
                            offset: bufferOffset + valueStart + maxLineBytes, expected: "an event of at most \(maxLineBytes) bytes (--max-line)",
                            found: "one of \(end - valueStart) bytes"))
                    advance(to: end)
                    return item
                }
                let item = Item.value(range: valueStart..<end, line: line, offset: bufferOffset + valueStart)
                advance(to: end)
                return item
            case .failure(let error):
                if error.offset >= buffer.count, !eof {
                    // Ran out of bytes inside the value: read more, unless it is too large.
                    let limit = isContainer(at: valueStart) ? Self.maxValueBytes : maxLineBytes
                    if buffer.count - valueStart < limit {
                        // Read on and start over: a fill may move the bytes (valueStart changes).
                        _ = fill(minimumFree: max(Self.chunkSize, buffer.count - valueStart))
                        continue
                    } else {
                        keepMalformed(valueStart, buffer.count)
                        let item = Item.malformed(
                            line: line, offset: bufferOffset + valueStart,
                            error: JSONSyntaxError(
                                offset: bufferOffset + valueStart + limit,
                                expected: limit == maxLineBytes ? "an event of at most \(limit) bytes (--max-line)" : "a value of at most \(limit) bytes",
                                found: "a longer one"))
                        skipLine(from: buffer.count - 1)
                        return item
                    }
                }
                if error.offset >= buffer.count, isContainer(at: valueStart), let item = salvageTruncated(valueStart, error) {
                    return item
                }
                let valueLine = line
                let errorLine = lineOf(min(error.offset, buffer.count))
                if errorLine > valueLine, let next = nextTopLevelLine(after: valueStart, before: min(error.offset, buffer.count)) {
                    // A value broken at its line's end (`{"auditID": ⏎`) took the next lines in
                    // as its members: in JSON lines, a line that starts with `{` at column 0 is
                    // the next value. Only the broken line is lost.
                    keepMalformed(valueStart, next)
                    var reported = error
                    reported.offset = bufferOffset + next - 1
                    reported.expected = "the rest of the value"
                    reported.found = "the end of its line (the next line starts a new value)"
                    let item = Item.malformed(line: valueLine, offset: bufferOffset + valueStart, error: reported)
                    advance(to: next)
                    return item
                }
                keepMalformed(valueStart, min(max(error.offset + 1, valueStart), buffer.count))
                var reported = error
                reported.offset += bufferOffset
                let item = Item.malformed(line: valueLine, offset: bufferOffset + valueStart, error: reported)
                if errorLine > valueLine {
                    // The problem is on a later line: that line may begin the next good value.
                    var k = min(error.offset, buffer.count)
                    while k > valueStart, buffer[k - 1] != 0x0A { k -= 1 }
                    advance(to: k)
                } else {
                    skipLine(from: min(error.offset, buffer.count))
                }
                return item
            }
        }
    }

    /// A container value cut short by the end of the stream (`{"Records":[{…},{…},{…`): its
    /// complete part, closed, as a value (the records' bytes unchanged); the cut follows as a
    /// malformed value with the offset where the input ended and what was expected there.
    /// Nil when no whole record precedes the cut.
    private mutating func salvageTruncated(_ valueStart: Int, _ error: JSONSyntaxError) -> Item? {
        guard let cut = buffer.withUnsafeBufferPointer({ TruncatedContainer.completePrefix($0, valueStart) }) else { return nil }
        var tail = cut.end
        while tail < buffer.count, JSONScanner.isWhitespace(buffer[tail]) || buffer[tail] == UInt8(ascii: ",") { tail += 1 }
        let tailLine = lineOf(tail)
        // Close the complete part where the incomplete rest was: one valid value.
        let rest = Array(buffer[cut.end...])
        buffer.removeSubrange(cut.end...)
        buffer.append(contentsOf: cut.closers)
        var found: [JSONMember] = []
        let parsed: Bool = buffer.withUnsafeBufferPointer { b in
            if b[valueStart] != UInt8(ascii: "{") { return (try? JSONScanner.skipValue(b, valueStart)) == b.count }
            return (try? JSONScanner.members(b, valueStart, into: &found)) == b.count
        }
        guard parsed else {
            // Cannot happen (the part was scanned whole); report the value as malformed instead.
            buffer.removeSubrange(cut.end...)
            buffer.append(contentsOf: rest)
            return nil
        }
        malformedLength = rest.count - (tail - cut.end)
        malformedBytes = Array(rest[(tail - cut.end)...].prefix(Rejection.maxKeptBytes))
        var reported = error
        reported.offset += bufferOffset
        reported.found += ": the input is truncated; the complete values before byte \(bufferOffset + cut.end) were kept"
        pendingCut = .malformed(line: tailLine, offset: bufferOffset + tail, error: reported)
        members = found
        let item = Item.value(range: valueStart..<buffer.count, line: line, offset: bufferOffset + valueStart)
        advance(to: buffer.count)
        return item
    }

    /// The start of the first line after the one holding `position` and before `limit` that
    /// begins with `{` at column 0, if any.
    private func nextTopLevelLine(after position: Int, before limit: Int) -> Int? {
        var k = position
        while k < limit {
            guard buffer[k] == 0x0A else {
                k += 1
                continue
            }
            if k + 1 < limit, buffer[k + 1] == UInt8(ascii: "{") { return k + 1 }
            k += 1
        }
        return nil
    }

    /// Skips to just past the next newline at or after `position` (refilling if needed).
    private mutating func skipLine(from position: Int) {
        var k = max(position, start)
        while true {
            while k < buffer.count, buffer[k] != 0x0A { k += 1 }
            if k < buffer.count {
                advance(to: k + 1)
                return
            }
            // Drop what was scanned and read on.
            advance(to: buffer.count)
            if !fill(minimumFree: 0) { return }
            k = start
        }
    }

    /// Whether the value at `position` holds many events on purpose (a `Records` file, an
    /// `EventList`, a CloudWatch payload, an array): told by its first 256 bytes.
    private func isContainer(at position: Int) -> Bool {
        if buffer[position] == UInt8(ascii: "[") { return true }
        let end = min(buffer.count, position + 256)
        for marker in Self.containerMarkers {
            guard marker.count <= end - position else { continue }
            var k = position
            while k + marker.count <= end {
                if buffer[k] == marker[0], buffer[k..<(k + marker.count)].elementsEqual(marker) { return true }
                k += 1
            }
        }
        return false
    }

    static let containerMarkers: [[UInt8]] = [#""Records""#, #""EventList""#, #""logEvents""#, #""events""#].map { Array($0.utf8) }

    private mutating func keepMalformed(_ from: Int, _ to: Int) {
        malformedLength = to - from
        malformedBytes = Array(buffer[from..<min(to, from + Rejection.maxKeptBytes)])
    }

    private func isScalarStart(_ c: UInt8) -> Bool {
        c != UInt8(ascii: "{") && c != UInt8(ascii: "[") && c != UInt8(ascii: "\"")
    }
}
