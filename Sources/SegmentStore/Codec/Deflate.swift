import CZlib

/// Whole-buffer zlib (RFC 1950) compression of block payloads, and CRC-32 of frames.
public enum Deflate {
    /// Compresses `input` with zlib at `level`.
    public static func compress(_ input: [UInt8], level: Int32 = Limits.compressionLevel) -> [UInt8] {
        var bound = compressBound(uLong(input.count))
        var output = [UInt8](repeating: 0, count: Int(bound))
        let status = input.withUnsafeBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in
                compress2(dst.baseAddress, &bound, src.baseAddress, uLong(src.count), level)
            }
        }
        // compressBound guarantees room, so only memory exhaustion can fail here.
        precondition(status == Z_OK, "zlib compress2 failed: \(status)")
        output.removeSubrange(Int(bound)...)
        return output
    }

    /// Decompresses a zlib stream that is known to expand to exactly `length` bytes.
    /// Returns nil when the stream is damaged or its length differs.
    public static func decompress(_ input: UnsafeRawBufferPointer, length: Int) -> [UInt8]? {
        var produced = uLongf(length)
        var failed = false
        let output = [UInt8](unsafeUninitializedCapacity: max(length, 1)) { dst, initialized in
            let status = uncompress(
                dst.baseAddress, &produced,
                input.baseAddress?.assumingMemoryBound(to: Bytef.self), uLong(input.count))
            failed = status != Z_OK || Int(produced) != length
            initialized = failed ? 0 : length
        }
        return failed ? nil : output
    }

    /// CRC-32 (the zlib/IEEE polynomial) of `bytes`.
    public static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress else { return 0 }
        return UInt32(CZlib.crc32(0, base.assumingMemoryBound(to: Bytef.self), uInt(bytes.count)))
    }
}
