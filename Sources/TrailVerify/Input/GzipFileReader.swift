import CZlib

#if canImport(Glibc)
import Glibc
#endif

/// Streams the decompressed bytes of a `.json.gz` file, so a log file of any size is hashed in
/// flat memory. Several gzip members one after another (`cat a.gz b.gz`) read as one stream,
/// as `gunzip` and S3 clients read them.
public enum GzipFileReader {
    /// Bytes read from the file per `read(2)`: large enough that syscalls do not dominate.
    static let readSize = 1 << 16
    /// Decompressed bytes handed to `body` per call.
    static let outputSize = 1 << 17

    /// Calls `body` with each decompressed chunk of the file at `path`, in order.
    /// Throws ``TrailVerifyError`` when the file cannot be read, is not gzip, or is damaged or
    /// truncated; the error names the compressed byte offset where decompression stopped.
    public static func forEachChunk(
        path: String, _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw TrailVerifyError.cannotOpen(path, errno: errno) }
        defer { close(fd) }

        var stream = z_stream()
        // windowBits 15 + 16: gzip framing only (a zlib or raw stream is not a CloudTrail file).
        let initStatus = inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else {
            throw TrailVerifyError.gzip(path, "zlib inflateInit2 failed (\(initStatus))", compressedOffset: 0)
        }
        defer { inflateEnd(&stream) }

        var input = [UInt8](repeating: 0, count: readSize)
        var output = [UInt8](repeating: 0, count: outputSize)
        var consumed = 0  // compressed bytes consumed by zlib so far
        var sawAnyInput = false
        var atMemberEnd = false

        while true {
            let n = input.withUnsafeMutableBytes { read(fd, $0.baseAddress, readSize) }
            if n < 0 {
                if errno == EINTR { continue }
                throw TrailVerifyError.cannotRead(path, errno: errno)
            }
            if n == 0 { break }
            sawAnyInput = true
            var offsetInBuffer = 0
            // A full output buffer can leave decoded bytes pending inside zlib with all input
            // consumed: keep calling until a call leaves room.
            var outputWasFull = false
            while offsetInBuffer < n || outputWasFull {
                if atMemberEnd {
                    // Trailing NUL padding after the last member is tolerated, as gzip does.
                    let rest = input[offsetInBuffer..<n]
                    if rest.allSatisfy({ $0 == 0 }) {
                        consumed += rest.count
                        offsetInBuffer = n
                        continue
                    }
                    inflateReset(&stream)
                    atMemberEnd = false
                }
                let status: Int32 = input.withUnsafeMutableBufferPointer { inBuf in
                    output.withUnsafeMutableBufferPointer { outBuf in
                        // Safe: both buffers outlive this call and zlib only touches the given lengths.
                        stream.next_in = inBuf.baseAddress! + offsetInBuffer
                        stream.avail_in = UInt32(n - offsetInBuffer)
                        stream.next_out = outBuf.baseAddress!
                        stream.avail_out = UInt32(outputSize)
                        return inflate(&stream, Z_NO_FLUSH)
                    }
                }
                let used = (n - offsetInBuffer) - Int(stream.avail_in)
                offsetInBuffer += used
                consumed += used
                let produced = outputSize - Int(stream.avail_out)
                outputWasFull = produced == outputSize
                if produced > 0 {
                    try output.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) }
                }
                switch status {
                case Z_OK, Z_BUF_ERROR:
                    continue
                case Z_STREAM_END:
                    atMemberEnd = true
                    outputWasFull = false
                default:
                    let reason = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                    throw TrailVerifyError.gzip(path, reason, compressedOffset: consumed)
                }
            }
        }
        guard sawAnyInput else {
            throw TrailVerifyError.gzip(path, "empty file, expected a gzip stream", compressedOffset: 0)
        }
        guard atMemberEnd else {
            throw TrailVerifyError.gzip(path, "truncated: the gzip stream ends before its trailer", compressedOffset: consumed)
        }
    }

    /// The whole decompressed content of the file at `path` (for digest files, a few KiB).
    public static func readAll(path: String) throws -> [UInt8] {
        var out: [UInt8] = []
        try forEachChunk(path: path) { out.append(contentsOf: $0) }
        return out
    }
}
