import CLibdeflate
import CZlib

/// Whole-buffer zlib (RFC 1950) compression of block payloads, and CRC-32 of frames.
///
/// libdeflate does the work: the same zlib format as zlib writes and reads, ~3× faster on
/// whole buffers (FACTS.md). A compressor is allocated per call, so any thread may call these.
public enum Deflate {
    /// Compresses `input` into a zlib stream at `level` (1–12; 6 is zlib's default balance).
    public static func compress(_ input: [UInt8], level: Int32 = Limits.compressionLevel) -> [UInt8] {
        guard let compressor = libdeflate_alloc_compressor(level) else {
            preconditionFailure("libdeflate cannot allocate a compressor (out of memory)")
        }
        defer { libdeflate_free_compressor(compressor) }
        let bound = libdeflate_zlib_compress_bound(compressor, input.count)
        var produced = 0
        let output = [UInt8](unsafeUninitializedCapacity: bound) { out, initialized in
            // libdeflate writes at most `bound` bytes into our buffer and returns how many.
            produced = input.withUnsafeBytes { src in
                libdeflate_zlib_compress(compressor, src.baseAddress, src.count, out.baseAddress, bound)
            }
            initialized = produced
        }
        // The bound guarantees room, so a zero return would be our own bug.
        precondition(produced > 0 || input.isEmpty, "libdeflate_zlib_compress failed")
        return output
    }

    /// Decompresses a zlib stream that is known to expand to exactly `length` bytes.
    /// Returns nil when the stream is damaged or its length differs.
    public static func decompress(_ input: UnsafeRawBufferPointer, length: Int) -> [UInt8]? {
        guard let decompressor = libdeflate_alloc_decompressor() else { return nil }
        defer { libdeflate_free_decompressor(decompressor) }
        var failed = false
        let output = [UInt8](unsafeUninitializedCapacity: max(length, 1)) { out, initialized in
            var actual = 0
            let result = libdeflate_zlib_decompress(
                decompressor, input.baseAddress, input.count, out.baseAddress, length, &actual)
            failed = result != LIBDEFLATE_SUCCESS || actual != length
            initialized = failed ? 0 : length
        }
        return failed ? nil : output
    }

    /// CRC-32 (the zlib/IEEE polynomial) of `bytes`.
    public static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress else { return 0 }
        return UInt32(libdeflate_crc32(0, base, bytes.count))
    }
}
