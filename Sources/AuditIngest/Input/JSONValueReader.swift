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

    /// The largest single value accepted; a larger one is rejected and skipped line by line,
    /// so one runaway line cannot exhaust memory.
    public static let maxValueBytes = 256 << 20
    static let chunkSize = 4 << 20

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

    /// The first non-whitespace byte of the stream, once read: tells JSON from other text.
    public private(set) var firstByte: UInt8?

    public init(source: any ByteSource) {
        self.source = source
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
            let outcome: Result<Int, JSONSyntaxError> = buffer.withUnsafeBufferPointer { b in
                do throws(JSONSyntaxError) {
                    return .success(try JSONScanner.skipValue(b, valueStart))
                } catch {
                    return .failure(error)
                }
            }
            switch outcome {
            case .success(let end):
                // A value that ends exactly at the end of the bytes read may continue (a number).
                if end == buffer.count, !eof, isScalarStart(buffer[valueStart]) {
                    if fill(minimumFree: Self.chunkSize) { continue }
                }
                let item = Item.value(range: valueStart..<end, line: line, offset: bufferOffset + valueStart)
                advance(to: end)
                return item
            case .failure(let error):
                if error.offset >= buffer.count, !eof {
                    // Ran out of bytes inside the value: read more, unless it is too large.
                    if buffer.count - valueStart < Self.maxValueBytes {
                        if fill(minimumFree: max(Self.chunkSize, buffer.count - valueStart)) { continue }
                        if !eof { continue }
                    } else {
                        let item = Item.malformed(
                            line: line, offset: bufferOffset + valueStart,
                            error: JSONSyntaxError(
                                offset: bufferOffset + error.offset, expected: "a value of at most \(Self.maxValueBytes) bytes",
                                found: "a longer one"))
                        skipLine(from: buffer.count - 1)
                        return item
                    }
                }
                let valueLine = line
                let errorLine = lineOf(min(error.offset, buffer.count))
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

    private func isScalarStart(_ c: UInt8) -> Bool {
        c != UInt8(ascii: "{") && c != UInt8(ascii: "[") && c != UInt8(ascii: "\"")
    }
}
