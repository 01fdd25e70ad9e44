#if canImport(Glibc)
import Glibc
#endif

/// Splits a byte stream into lines (`\n`, a trailing `\r` left to the caller), with their
/// 1-based numbers and byte offsets. A line longer than ``maxLineBytes`` is reported as too
/// long and skipped while it is read, so memory stays bounded by the limit, whatever the line.
public struct LineReader {
    /// One item of the stream.
    public enum Item {
        /// A line: `buffer[range]` (without its newline) until the next call.
        case line(range: Range<Int>, line: Int, offset: Int)
        /// A line past the limit: its start (at most ``Rejection/maxKeptBytes``) and length.
        case tooLong(line: Int, offset: Int, prefix: [UInt8], length: Int)
    }

    static let chunkSize = 1 << 20

    private let source: any ByteSource
    /// The largest line accepted.
    public var maxLineBytes: Int
    /// The bytes read; unconsumed ones start at `start`.
    public private(set) var buffer: [UInt8] = []
    private var start = 0
    /// Where to continue looking for the newline of the current line.
    private var scanned = 0
    private var eof = false
    private var bufferOffset = 0
    private var line = 1
    /// Whether a byte order mark at the start of the stream was looked for (and skipped).
    private var checkedByteOrderMark = false
    /// An error that ended the source (a damaged gzip), delivered after the lines before it.
    public private(set) var sourceError: (any Error)?

    public init(source: any ByteSource, maxLineBytes: Int = JSONValueReader.defaultMaxLineBytes) {
        self.source = source
        self.maxLineBytes = maxLineBytes
    }

    private mutating func fill() -> Bool {
        guard !eof else { return false }
        if start > 0 {
            buffer.removeSubrange(0..<start)
            bufferOffset += start
            scanned -= start
            start = 0
        }
        do {
            let n = try source.read(into: &buffer, maximum: Self.chunkSize)
            if n == 0 { eof = true }
            return n > 0
        } catch {
            sourceError = error
            eof = true
            return false
        }
    }

    /// The index of the next newline at or after `from`, or nil.
    private func newline(from: Int) -> Int? {
        guard from < buffer.count else { return nil }
        return buffer.withUnsafeBytes { raw -> Int? in
            // memchr reads only inside raw[from..<count].
            guard let hit = memchr(raw.baseAddress! + from, 0x0A, raw.count - from) else { return nil }
            return raw.baseAddress!.distance(to: UnsafeRawPointer(hit))
        }
    }

    /// The next line, or nil at the end of the stream.
    public mutating func next() -> Item? {
        if !checkedByteOrderMark {
            checkedByteOrderMark = true
            while ByteOrderMark.mayStart(buffer[start...]), fill() {}
            start += ByteOrderMark.length(at: buffer[start...])
        }
        scanned = max(scanned, start)
        while true {
            if let nl = newline(from: scanned) {
                if nl - start > maxLineBytes { return skipLong(end: nl) }
                let item = Item.line(range: start..<nl, line: line, offset: bufferOffset + start)
                start = nl + 1
                scanned = start
                line += 1
                return item
            }
            scanned = buffer.count
            if buffer.count - start > maxLineBytes { return skipLong(end: nil) }
            if !fill() {
                guard start < buffer.count else { return nil }
                // The last line has no newline.
                let item = Item.line(range: start..<buffer.count, line: line, offset: bufferOffset + start)
                start = buffer.count
                scanned = start
                line += 1
                return item
            }
        }
    }

    /// Reports the line at `start` as too long, dropping its bytes as it reads to its end.
    private mutating func skipLong(end: Int?) -> Item {
        var prefix = Array(buffer[start..<min(end ?? buffer.count, start + Rejection.maxKeptBytes)])
        let lineNumber = line
        let offset = bufferOffset + start
        var length: Int
        if let end {
            length = end - start
            start = end + 1
        } else {
            length = buffer.count - start
            start = buffer.count
            while true {
                guard fill() else { break }
                let nl = newline(from: start)
                let stop = nl ?? buffer.count
                // Keep the line's start for the quarantine; drop the rest as it streams by.
                if prefix.count < Rejection.maxKeptBytes {
                    prefix.append(contentsOf: buffer[start..<min(stop, start + Rejection.maxKeptBytes - prefix.count)])
                }
                length += stop - start
                if let nl {
                    start = nl + 1
                    break
                }
                start = buffer.count
            }
        }
        scanned = start
        line += 1
        return .tooLong(line: lineNumber, offset: offset, prefix: prefix, length: length)
    }
}

/// A source that hands out `prefix` first, then the rest of `rest` (after sniffing a stream's
/// first bytes to choose its reader).
final class PrefixedSource: ByteSource {
    private var prefix: [UInt8]
    private var prefixOffset = 0
    private let rest: any ByteSource

    init(prefix: [UInt8], rest: any ByteSource) {
        self.prefix = prefix
        self.rest = rest
    }

    func read(into buffer: inout [UInt8], maximum: Int) throws -> Int {
        if prefixOffset < prefix.count {
            let n = min(maximum, prefix.count - prefixOffset)
            buffer.append(contentsOf: prefix[prefixOffset..<(prefixOffset + n)])
            prefixOffset += n
            if prefixOffset == prefix.count {
                prefix = []
                prefixOffset = 0
            }
            return n
        }
        return try rest.read(into: &buffer, maximum: maximum)
    }
}
