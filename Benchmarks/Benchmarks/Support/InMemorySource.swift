import AuditIngest

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A ``ByteSource`` over bytes already in memory: what `FileSource` does, without the disk,
/// so the parser benchmarks measure parsing, not I/O. Hands out at most `maximum` bytes per
/// call, as a read(2) of a large file would.
public final class InMemorySource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    public func read(into buffer: inout [UInt8], maximum: Int) throws -> Int {
        let n = min(maximum, bytes.count - position)
        guard n > 0 else { return 0 }
        buffer.append(contentsOf: bytes[position..<(position + n)])
        position += n
        return n
    }
}

/// Monotonic nanoseconds, for the bytes-per-second custom metrics.
@inline(__always)
public func monotonicNanos() -> Int {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int(ts.tv_sec) * 1_000_000_000 + Int(ts.tv_nsec)
}

/// `bytes` over `nanos`, in bytes per second (0 when no time passed).
@inline(__always)
public func bytesPerSecond(_ bytes: Int, nanos: Int) -> Int {
    nanos > 0 ? Int(Double(bytes) * 1e9 / Double(nanos)) : 0
}
