import CLibdeflate

#if canImport(Glibc)
import Glibc
#endif

/// Gunzips a whole file at once with libdeflate: ~3.5× faster than streaming zlib (FACTS.md).
/// Used for files small enough to hold decompressed in memory; any failure (damage,
/// truncation, a size past the limits) returns nil and the caller streams the file with zlib
/// instead, which keeps the events before the damage.
enum WholeGzip {
    /// Largest compressed file read whole.
    static let maxCompressedBytes = 64 << 20
    /// Largest decompressed size accepted: the whole output is held in memory beside the
    /// writer's buffers, and ingest's peak memory target is 300 MiB.
    static let maxOutputBytes = 96 << 20

    /// The decompressed content of the gzip file at `path` (every member), or nil.
    static func decompress(path: String) -> [UInt8]? {
        guard let input = readFile(path, limit: maxCompressedBytes) else { return nil }
        return decompress(input)
    }

    /// The decompressed content of gzip bytes in memory (every member), or nil when they are
    /// damaged, truncated, or decompress past ``maxOutputBytes``.
    static func decompress(_ input: [UInt8]) -> [UInt8]? {
        guard input.count >= 18 else { return nil }
        // ISIZE, the last member's size mod 2^32: a good first guess for one-member files.
        let n = input.count
        let isize = Int(input[n - 4]) | Int(input[n - 3]) << 8 | Int(input[n - 2]) << 16 | Int(input[n - 1]) << 24
        // A one-member file says its size up front: too large, stream it instead.
        if isize > maxOutputBytes { return nil }
        var capacity = min(maxOutputBytes, max(isize, input.count * 4, 1 << 16))
        guard let decompressor = libdeflate_alloc_decompressor() else { return nil }
        defer { libdeflate_free_decompressor(decompressor) }
        var output: [UInt8] = []
        var inOffset = 0
        while inOffset < n {
            // Padding zeros after the last member are allowed.
            if input[inOffset...].allSatisfy({ $0 == 0 }) { break }
            var member: [UInt8] = []
            var consumed = 0
            while true {
                var produced = 0
                var result = LIBDEFLATE_SUCCESS
                member = [UInt8](unsafeUninitializedCapacity: capacity) { out, initialized in
                    input.withUnsafeBytes { raw in
                        // libdeflate reads input[inOffset...] and writes at most `capacity` bytes.
                        result = libdeflate_gzip_decompress_ex(
                            decompressor, raw.baseAddress! + inOffset, n - inOffset, out.baseAddress, capacity,
                            &consumed, &produced)
                    }
                    initialized = result == LIBDEFLATE_SUCCESS ? produced : 0
                }
                if result == LIBDEFLATE_SUCCESS { break }
                guard result == LIBDEFLATE_INSUFFICIENT_SPACE, capacity < maxOutputBytes else { return nil }
                capacity = min(maxOutputBytes, capacity * 2)
            }
            guard output.count + member.count <= maxOutputBytes, consumed > 0 else { return nil }
            if output.isEmpty { output = member } else { output.append(contentsOf: member) }
            inOffset += consumed
        }
        return output
    }

    private static func readFile(_ path: String, limit: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, Int(st.st_size) <= limit else { return nil }
        let size = Int(st.st_size)
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: max(size, 1)) { out, initialized in
            var got = 0
            while got < size {
                let r = read(fd, out.baseAddress! + got, size - got)
                if r < 0 && errno == EINTR { continue }
                if r <= 0 {
                    failed = r < 0
                    break
                }
                got += r
            }
            initialized = got
        }
        return failed || bytes.count != size ? nil : bytes
    }
}
