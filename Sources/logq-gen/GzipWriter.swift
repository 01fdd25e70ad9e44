import CZlib

/// Streams bytes through zlib's DEFLATE into a gzip file (RFC 1952).
///
/// The gzip header zlib writes has no file name and a zero modification time, so the output
/// depends only on the input bytes and the level: runs with the same arguments give the same file.
final class GzipWriter {
    private let file: OutputFile
    /// Heap-allocated because zlib keeps a pointer back to the stream: it must not move.
    private let stream: UnsafeMutablePointer<z_stream>
    private var output: [UInt8]
    private var finished = false
    /// Uncompressed bytes taken in.
    private(set) var bytesIn = 0

    /// Starts a gzip stream into `file` at compression `level` (0–9; 6 is gzip's default).
    init(file: OutputFile, level: Int32 = 6) throws(GenError) {
        self.file = file
        output = [UInt8](repeating: 0, count: 256 * 1024)
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // windowBits 31 = 15 (32 KiB window) + 16 (gzip wrapper instead of zlib's).
        let status = deflateInit2_(
            stream, level, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            throw GenError.zlib("start compressing", file.path, status: status)
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    /// Compresses `bytes` and writes what zlib emits.
    func write(_ bytes: [UInt8]) throws(GenError) {
        precondition(!finished, "GzipWriter.write after finish")
        bytesIn += bytes.count
        var failure: GenError?
        bytes.withUnsafeBufferPointer { input in
            // zlib only reads through next_in; the pointer is valid for this closure.
            stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.pointee.avail_in = UInt32(input.count)
            do throws(GenError) { try pump(flush: Z_NO_FLUSH) } catch { failure = error }
        }
        stream.pointee.next_in = nil
        if let failure { throw failure }
    }

    /// Flushes the last block and the gzip trailer (CRC-32, length), then commits the file.
    func finish() throws(GenError) {
        precondition(!finished, "GzipWriter.finish twice")
        finished = true
        try pump(flush: Z_FINISH)
        try file.commit()
    }

    /// Runs deflate until it has consumed all input (or, with Z_FINISH, ended the stream).
    private func pump(flush: Int32) throws(GenError) {
        while true {
            let status = output.withUnsafeMutableBufferPointer { out -> Int32 in
                // deflate writes at most avail_out bytes into our own buffer.
                stream.pointee.next_out = out.baseAddress
                stream.pointee.avail_out = UInt32(out.count)
                return deflate(stream, flush)
            }
            guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                throw GenError.zlib("compress", file.path, status: status)
            }
            let produced = output.count - Int(stream.pointee.avail_out)
            if produced > 0 {
                try file.write(output, count: produced)
            }
            if flush == Z_FINISH {
                if status == Z_STREAM_END { return }
            } else if stream.pointee.avail_in == 0 && stream.pointee.avail_out != 0 {
                return
            }
        }
    }
}
