import CZlib

#if canImport(Glibc)
import Glibc
#endif

/// A stream of input bytes: a plain file, or a gzip stream decompressed on the fly.
public protocol ByteSource: AnyObject {
    /// Appends up to `maximum` bytes to `buffer`; returns how many (0 at the end).
    func read(into buffer: inout [UInt8], maximum: Int) throws -> Int
}

/// Reads a file descriptor (a file or stdin).
public final class FileSource: ByteSource {
    let fd: Int32
    let path: String
    let owned: Bool
    private var pending: [UInt8]

    /// Opens `path` for reading.
    public init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IngestError.cannotOpen(path, errno: errno) }
        self.fd = fd
        self.path = path
        owned = true
        pending = []
    }

    /// Reads an already open descriptor (stdin), not closing it.
    public init(fd: Int32, name: String) {
        self.fd = fd
        path = name
        owned = false
        pending = []
    }

    deinit { if owned { close(fd) } }

    /// Puts bytes back in front of the stream (used after sniffing the first bytes).
    func unread(_ bytes: [UInt8]) { pending = bytes + pending }

    public func read(into buffer: inout [UInt8], maximum: Int) throws -> Int {
        if !pending.isEmpty {
            let n = min(maximum, pending.count)
            buffer.append(contentsOf: pending[0..<n])
            pending.removeFirst(n)
            return n
        }
        let start = buffer.count
        var failure: Int32 = 0
        var got = 0
        buffer.reserveCapacity(start + maximum)
        // Grow by `maximum` uninitialized bytes, fill with read(2), then trim to what was read.
        buffer.append(contentsOf: repeatElement(0, count: maximum))
        buffer.withUnsafeMutableBytes { raw in
            while true {
                let n = Glibc.read(fd, raw.baseAddress! + start, maximum)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                } else {
                    got = n
                }
                break
            }
        }
        buffer.removeLast(maximum - got)
        if failure != 0 { throw IngestError.cannotRead(path, errno: failure) }
        return got
    }
}

/// Decompresses a gzip stream (several members allowed, as `cat a.gz b.gz` makes) from another
/// source. A truncated or damaged stream throws after everything before the damage was returned.
public final class GzipSource: ByteSource {
    private let input: any ByteSource
    private let name: String
    private var stream = z_stream()
    private var inBuffer: [UInt8] = []
    private var inOffset = 0
    private var inputDone = false
    private var finished = false
    private var produced = 0

    public init(input: any ByteSource, name: String) throws {
        self.input = input
        self.name = name
        // windowBits 15 + 16: gzip only (FACTS.md: deflateInit2/inflateInit2 are macros).
        let status = inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw IngestError.gzip(name, "cannot start zlib (status \(status))", offset: 0) }
    }

    deinit { inflateEnd(&stream) }

    public func read(into buffer: inout [UInt8], maximum: Int) throws -> Int {
        if let error = pendingError {
            pendingError = nil
            throw error
        }
        if finished { return 0 }
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: maximum))
        var written = 0
        defer { buffer.removeLast(maximum - written) }
        while written == 0 {
            if inOffset >= inBuffer.count, !inputDone {
                inBuffer.removeAll(keepingCapacity: true)
                inOffset = 0
                if try input.read(into: &inBuffer, maximum: 1 << 20) == 0 { inputDone = true }
            }
            if inOffset >= inBuffer.count, inputDone {
                // Input ended: fine between members, a truncation inside one.
                if stream.total_in == 0 && stream.total_out == 0 {
                    finished = true
                    return 0
                }
                finished = true
                throw IngestError.gzip(name, "gzip stream is truncated (input ended inside a member)", offset: produced)
            }
            let availableIn = inBuffer.count - inOffset
            var status: Int32 = Z_OK
            var consumed = 0
            inBuffer.withUnsafeMutableBytes { inRaw in
                buffer.withUnsafeMutableBytes { outRaw in
                    // zlib reads from our input buffer and writes into the tail we just grew.
                    stream.next_in = inRaw.baseAddress!.assumingMemoryBound(to: Bytef.self) + inOffset
                    stream.avail_in = uInt(availableIn)
                    stream.next_out = outRaw.baseAddress!.assumingMemoryBound(to: Bytef.self) + start + written
                    stream.avail_out = uInt(maximum - written)
                    status = inflate(&stream, Z_NO_FLUSH)
                    consumed = availableIn - Int(stream.avail_in)
                    written = maximum - Int(stream.avail_out)
                }
            }
            inOffset += consumed
            switch status {
            case Z_OK, Z_BUF_ERROR:
                continue
            case Z_STREAM_END:
                // Another member may follow; skip padding zeros some tools append.
                while inOffset < inBuffer.count, inBuffer[inOffset] == 0 { inOffset += 1 }
                if inOffset >= inBuffer.count, !inputDone {
                    inBuffer.removeAll(keepingCapacity: true)
                    inOffset = 0
                    if try input.read(into: &inBuffer, maximum: 1 << 20) == 0 { inputDone = true }
                }
                if inOffset >= inBuffer.count && inputDone {
                    finished = true
                    produced += written
                    return written
                }
                inflateReset(&stream)
                stream.total_in = 0
                stream.total_out = 0
                if written > 0 { break }
            default:
                finished = true
                let message = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                produced += written
                if written > 0 {
                    // Hand out what decoded before the damage; report it on the next call.
                    pendingError = IngestError.gzip(name, "gzip data is damaged (\(message))", offset: produced)
                    return written
                }
                throw IngestError.gzip(name, "gzip data is damaged (\(message))", offset: produced)
            }
        }
        produced += written
        return written
    }

    /// Damage met after the bytes last returned: thrown by the next read, so the bytes before
    /// the damage are still parsed.
    private var pendingError: IngestError?
}
